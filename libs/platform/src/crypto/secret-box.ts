import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const LEGACY_VERSION = 'v1';
const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when secrets must be stored but no FAULTLINE_SECRET_KEY is configured. */
export class SecretKeyMissingError extends Error {
  constructor() {
    super('FAULTLINE_SECRET_KEY is not configured: secrets cannot be stored encrypted');
  }
}

/**
 * A sealed value that cannot be opened with the keys configured: sealed under a key that is not
 * (or no longer) configured, or damaged. The message names the key id, never a key or a value.
 */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** The keys a SecretBox is built from: FAULTLINE_SECRET_KEY and FAULTLINE_SECRET_KEYS. */
export interface SecretKeySettings {
  FAULTLINE_SECRET_KEY?: string;
  /** Earlier keys, comma-separated, for opening values sealed before a rotation. */
  FAULTLINE_SECRET_KEYS?: string;
}

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * Encrypts secrets at rest (poll headers and URLs, channel secrets, push signing secrets) with
 * AES-256-GCM. Sealed text is `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url), the key id (16 hex
 * characters of a SHA-256 of the key, not the key) bound in as additional data: authenticated, so
 * a tampered or foreign value fails to open instead of decrypting to garbage.
 *
 * Rotation: values are always sealed under the current key (FAULTLINE_SECRET_KEY); they open
 * under whichever configured key their id names, the current one or one of the earlier ones
 * (FAULTLINE_SECRET_KEYS). Values sealed before key ids existed (`v1.<iv>.<tag>.<ciphertext>`)
 * are tried under every configured key. `needsReseal` tells which values are not yet under the
 * current key; `npm run secrets:reseal` re-seals them all, after which the old keys can go.
 *
 * Without a key, seal() refuses (secrets are never stored in clear) and open() fails with
 * SecretKeyMissingError; a value no configured key opens fails with SecretUnavailableError.
 */
export class SecretBox {
  private readonly current: Key | null;
  private readonly keys: Key[];

  /** `hexKey`: the current key (64 hex characters); `earlierHexKeys`: keys that only open. */
  constructor(hexKey: string | undefined, earlierHexKeys: readonly string[] = []) {
    this.current = hexKey ? toKey(hexKey) : null;
    const all = [...(this.current ? [this.current] : []), ...earlierHexKeys.map(toKey)];
    this.keys = all.filter((key, index) => all.findIndex((k) => k.id === key.id) === index);
  }

  /** The box of a configuration: FAULTLINE_SECRET_KEY seals, FAULTLINE_SECRET_KEYS also open. */
  static fromConfig(config: SecretKeySettings): SecretBox {
    return new SecretBox(config.FAULTLINE_SECRET_KEY, parseKeyList(config.FAULTLINE_SECRET_KEYS));
  }

  /** Whether values can be sealed (a current key is configured). */
  get available(): boolean {
    return this.current !== null;
  }

  /** Id of the current key, as sealed values name it; null without a key. */
  get keyId(): string | null {
    return this.current?.id ?? null;
  }

  seal(plain: string): string {
    const key = this.requireKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(key.id));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      key.id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string): string {
    if (this.keys.length === 0) throw new SecretKeyMissingError();
    const parts = sealed.split('.');
    if (parts[0] === VERSION && parts.length === 5) {
      const [, keyId, iv, tag, body] = parts;
      const key = this.keys.find((k) => k.id === keyId);
      if (!key)
        throw new SecretUnavailableError(
          `sealed under key ${keyId}, which is not configured (FAULTLINE_SECRET_KEY or FAULTLINE_SECRET_KEYS)`,
        );
      const plain = decrypt(key, iv, tag, body, additionalData(keyId));
      if (plain === null)
        throw new SecretUnavailableError(`sealed value under key ${keyId} is damaged`);
      return plain;
    }
    if (parts[0] === LEGACY_VERSION && parts.length === 4 && parts[1] && parts[2]) {
      const [, iv, tag, body] = parts;
      for (const key of this.keys) {
        const plain = decrypt(key, iv, tag, body, null);
        if (plain !== null) return plain;
      }
      throw new SecretUnavailableError(
        'sealed before key ids (v1) under a key that is not configured, or damaged',
      );
    }
    throw new Error('not a sealed secret');
  }

  /** Whether `sealed` is not (yet) sealed under the current key. */
  needsReseal(sealed: string): boolean {
    const parts = sealed.split('.');
    return !(parts[0] === VERSION && parts.length === 5 && parts[1] === this.current?.id);
  }

  /** `sealed` opened and sealed again under the current key. */
  reseal(sealed: string): string {
    return this.seal(this.open(sealed));
  }

  private requireKey(): Key {
    if (!this.current) throw new SecretKeyMissingError();
    return this.current;
  }
}

/** The hex keys of FAULTLINE_SECRET_KEYS (comma-separated, blanks ignored). */
export function parseKeyList(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/** Names a key without revealing it: 16 hex characters of SHA-256 over a label and the key. */
export function secretKeyId(hexKey: string): string {
  return toKey(hexKey).id;
}

function toKey(hexKey: string): Key {
  if (!/^[0-9a-fA-F]{64}$/.test(hexKey))
    throw new RangeError('a secret key must be 32 bytes as 64 hex characters');
  const bytes = Buffer.from(hexKey, 'hex');
  const id = createHash('sha256')
    .update('faultline secret key id\0')
    .update(bytes)
    .digest('hex')
    .slice(0, 16);
  return { id, bytes };
}

function additionalData(keyId: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}`, 'utf8');
}

/** The plain text, or null when the key does not open it (wrong key, tampered, malformed). */
function decrypt(
  key: Key,
  iv: string,
  tag: string,
  body: string,
  aad: Buffer | null,
): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}
