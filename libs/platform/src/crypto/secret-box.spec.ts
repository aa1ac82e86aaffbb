import { SecretBox, SecretKeyMissingError } from './secret-box';

const KEY = 'a'.repeat(64);

describe('SecretBox', () => {
  it('opens what it sealed, and never seals the same text to the same value', () => {
    const box = new SecretBox(KEY);
    const a = box.seal('Bearer s3cret');
    const b = box.seal('Bearer s3cret');
    expect(a).not.toContain('s3cret');
    expect(a).not.toEqual(b);
    expect(box.open(a)).toBe('Bearer s3cret');
  });

  it('refuses a tampered value and one sealed under another key', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('x');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('y').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox('b'.repeat(64)).open(sealed)).toThrow();
    expect(() => box.open('plain text')).toThrow(/not a sealed secret/);
  });

  it('without a key refuses to seal rather than store in clear', () => {
    const box = new SecretBox(undefined);
    expect(box.available).toBe(false);
    expect(() => box.seal('x')).toThrow(SecretKeyMissingError);
  });
});
