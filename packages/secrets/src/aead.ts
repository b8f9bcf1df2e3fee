/**
 * AES-256-GCM (NIST SP 800-38D) through node:crypto, with random 96-bit nonces and 128-bit tags.
 * Random nonces bound a key to about 2^32 encryptions; the barrier's key rotation (new term)
 * resets that budget. `open` returns undefined on any authentication failure, so callers map it to
 * their own typed error.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;

export function randomKey(): Buffer {
  return randomBytes(KEY_LENGTH);
}

export function randomNonce(): Buffer {
  return randomBytes(NONCE_LENGTH);
}

/** Returns ct || tag. */
export function gcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Opens ct || tag; undefined when the tag does not verify. */
export function gcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Buffer | undefined {
  if (sealed.length < TAG_LENGTH) return undefined;
  const ct = sealed.subarray(0, sealed.length - TAG_LENGTH);
  const tag = sealed.subarray(sealed.length - TAG_LENGTH);
  const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  d.setAAD(aad);
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return undefined;
  }
}

/** Length-prefixed concatenation (u32 big-endian lengths): an injective encoding of the parts. */
export function framed(...parts: (Uint8Array | string)[]): Buffer {
  const bufs: Buffer[] = [];
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    bufs.push(len, b);
  }
  return Buffer.concat(bufs);
}
