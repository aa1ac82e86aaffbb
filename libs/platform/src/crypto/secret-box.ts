import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when secrets must be stored but no FAULTLINE_SECRET_KEY is configured. */
export class SecretKeyMissingError extends Error {
  constructor() {
    super('FAULTLINE_SECRET_KEY is not configured: secrets cannot be stored encrypted');
  }
}

/**
 * Encrypts secrets at rest (poll headers such as Authorization, push signing secrets) with
 * AES-256-GCM under FAULTLINE_SECRET_KEY. Sealed text is `v1.<iv>.<tag>.<ciphertext>` (base64url):
 * authenticated, so a tampered or foreign value fails to open instead of decrypting to garbage.
 * Without a key, seal() refuses (secrets are never stored in clear) and open() fails.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(hexKey: string | undefined) {
    this.key = hexKey ? Buffer.from(hexKey, 'hex') : null;
  }

  get available(): boolean {
    return this.key !== null;
  }

  seal(plain: string): string {
    const key = this.requireKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string): string {
    const key = this.requireKey();
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined)
      throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  private requireKey(): Buffer {
    if (!this.key) throw new SecretKeyMissingError();
    return this.key;
  }
}
