import { createCipheriv, randomBytes } from 'node:crypto';

import {
  parseKeyList,
  SecretBox,
  secretKeyId,
  SecretKeyMissingError,
  SecretUnavailableError,
} from './secret-box';

const KEY = 'a'.repeat(64);
const OLD = 'b'.repeat(64);
const OTHER = 'c'.repeat(64);

/** A value as SecretBox sealed it before key ids (v1.<iv>.<tag>.<ciphertext>). */
function sealV1(hexKey: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(hexKey, 'hex'), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('SecretBox', () => {
  it('opens what it sealed, and never seals the same text to the same value', () => {
    const box = new SecretBox(KEY);
    const a = box.seal('Bearer s3cret');
    const b = box.seal('Bearer s3cret');
    expect(a).not.toContain('s3cret');
    expect(a).not.toEqual(b);
    expect(box.open(a)).toBe('Bearer s3cret');
  });

  it('names the key a value is sealed under, never the key itself', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('x');
    expect(sealed.split('.').slice(0, 2)).toEqual(['v2', secretKeyId(KEY)]);
    expect(box.keyId).toBe(secretKeyId(KEY));
    expect(sealed).not.toContain(KEY.slice(0, 16));
    expect(secretKeyId(KEY)).not.toBe(secretKeyId(OLD));
  });

  it('refuses a tampered value, one sealed under another key, and one whose key id was swapped', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('x');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('y').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(SecretUnavailableError);
    expect(() => new SecretBox(OTHER).open(sealed)).toThrow(SecretUnavailableError);
    expect(() => box.open('plain text')).toThrow(/not a sealed secret/);
    // Relabelled as sealed under another configured key: the id is authenticated data.
    const both = new SecretBox(KEY, [OLD]);
    const relabelled = sealed.replace(secretKeyId(KEY), secretKeyId(OLD));
    expect(() => both.open(relabelled)).toThrow(SecretUnavailableError);
  });

  it('after a rotation, opens values sealed under an earlier key and seals under the new one', () => {
    const before = new SecretBox(OLD).seal('token-1');
    const rotated = new SecretBox(KEY, [OLD]);
    expect(rotated.open(before)).toBe('token-1');
    expect(rotated.needsReseal(before)).toBe(true);
    const resealed = rotated.reseal(before);
    expect(rotated.needsReseal(resealed)).toBe(false);
    expect(new SecretBox(KEY).open(resealed)).toBe('token-1');
  });

  it('without the key a value names, fails with the key id (not a 500-shaped crash)', () => {
    const sealed = new SecretBox(OLD).seal('token-1');
    expect(() => new SecretBox(KEY).open(sealed)).toThrow(
      new RegExp(`sealed under key ${secretKeyId(OLD)}, which is not configured`),
    );
  });

  it('keeps reading values sealed before key ids, under the current or an earlier key', () => {
    const legacy = sealV1(OLD, 'Bearer legacy');
    expect(new SecretBox(OLD).open(legacy)).toBe('Bearer legacy');
    const rotated = new SecretBox(KEY, [OLD]);
    expect(rotated.open(legacy)).toBe('Bearer legacy');
    expect(rotated.needsReseal(legacy)).toBe(true);
    expect(() => new SecretBox(KEY).open(legacy)).toThrow(SecretUnavailableError);
  });

  it('without a key refuses to seal rather than store in clear, and to open', () => {
    const box = new SecretBox(undefined);
    expect(box.available).toBe(false);
    expect(box.keyId).toBeNull();
    expect(() => box.seal('x')).toThrow(SecretKeyMissingError);
    expect(() => box.open(new SecretBox(KEY).seal('x'))).toThrow(SecretKeyMissingError);
  });

  it('with only earlier keys opens but does not seal', () => {
    const box = SecretBox.fromConfig({ FAULTLINE_SECRET_KEYS: OLD });
    expect(box.available).toBe(false);
    expect(box.open(new SecretBox(OLD).seal('x'))).toBe('x');
  });

  it('reads FAULTLINE_SECRET_KEYS as a comma-separated list', () => {
    expect(parseKeyList(` ${OLD} ,${OTHER},`)).toEqual([OLD, OTHER]);
    expect(parseKeyList(undefined)).toEqual([]);
    const box = SecretBox.fromConfig({
      FAULTLINE_SECRET_KEY: KEY,
      FAULTLINE_SECRET_KEYS: `${OLD},${OTHER}`,
    });
    expect(box.open(new SecretBox(OTHER).seal('z'))).toBe('z');
  });
});
