/**
 * Secrets the hub must keep but not store in the clear (webhook HMAC keys): AES-256-GCM through
 * node:crypto under a key derived from the hub's master key (the data directory's `master.key`,
 * created by `hub init`; there is no default) with HKDF-SHA256 and a per-purpose label, so one
 * master key serves several purposes without reusing a key. The AAD binds a sealed value to its
 * row (e.g. the webhook id): a value copied to another row does not open.
 * Stored form: `v1:` + base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const MASTER_KEY_BYTES = 32;
const PREFIX = 'v1:';

export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

function subkey(masterKey: Uint8Array, purpose: string): Buffer {
  if (masterKey.length !== MASTER_KEY_BYTES)
    throw new SealedSecretError(`the master key must be ${MASTER_KEY_BYTES} bytes`);
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `quorate-hub/${purpose}`, 32));
}

export function seal(
  masterKey: Uint8Array,
  purpose: string,
  aad: string,
  plaintext: Buffer,
): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', subkey(masterKey, purpose), iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return PREFIX + Buffer.concat([iv, body, c.getAuthTag()]).toString('base64');
}

/** Throws {@link SealedSecretError} (without detail) when the value was altered or moved. */
export function unseal(
  masterKey: Uint8Array,
  purpose: string,
  aad: string,
  sealed: string,
): Buffer {
  if (!isSealed(sealed)) throw new SealedSecretError('not a sealed value');
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  if (raw.length < 12 + 16) throw new SealedSecretError('sealed value too short');
  const d = createDecipheriv('aes-256-gcm', subkey(masterKey, purpose), raw.subarray(0, 12));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
  } catch {
    throw new SealedSecretError('the sealed value does not open with this master key and row');
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Parses the master key file's text: 64 hex digits (whitespace around is ignored). */
export function parseMasterKey(text: string): Buffer | null {
  const t = text.trim();
  return /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : null;
}
