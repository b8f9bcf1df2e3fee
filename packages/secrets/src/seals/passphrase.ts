/**
 * Passphrase seal: the root key is wrapped with AES-256-GCM under a key derived from the
 * passphrase with scrypt (RFC 7914). The scrypt parameters and salt are stored in the blob, so a
 * store keeps opening after the defaults change, and tests can use a small N. The derivation also
 * yields a 16-byte check value, so a wrong passphrase (check differs) is told apart from a
 * tampered blob (check matches, tag fails). The check is no weaker than the ciphertext itself as
 * an offline guessing oracle.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { framed, gcmOpen, gcmSeal, KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from '../aead.ts';
import { IntegrityError, RecordIdError, WrongSecretError } from '../errors.ts';
import type { Seal } from '../seal.ts';
import { BlobReader, encodeBlob } from './blob.ts';
import type { ScryptParams } from './selftest.ts';
import { gcmKnownAnswer, scrypt, scryptKnownAnswer } from './selftest.ts';

/** Production default: N = 2^17, r = 8, p = 1 (128 MiB, in line with OWASP's scrypt advice). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const MAX_LOG_N = 22;
const MAX_MEMORY = 2 ** 30;
const SALT_LENGTH = 16;
const CHECK_LENGTH = 16;

export interface PassphraseSealOptions {
  /** Parameters for new wraps; unwrap always uses the ones stored in the blob. */
  readonly scrypt?: ScryptParams;
}

export class PassphraseSeal implements Seal {
  readonly kind = 'passphrase';
  private readonly passphrase: Buffer;
  private readonly params: ScryptParams;

  constructor(passphrase: string, opts: PassphraseSealOptions = {}) {
    if (typeof passphrase !== 'string' || passphrase.length === 0)
      throw new RecordIdError('value', 'a non-empty passphrase');
    this.passphrase = Buffer.from(passphrase.normalize('NFC'), 'utf8');
    this.params = checkParams(opts.scrypt ?? DEFAULT_SCRYPT);
  }

  async selfTest(): Promise<void> {
    gcmKnownAnswer(this.kind);
    await scryptKnownAnswer(this.kind);
  }

  async wrap(rootKey: Uint8Array): Promise<Uint8Array> {
    const salt = randomBytes(SALT_LENGTH);
    const { kek, check } = await this.derive(salt, this.params);
    const nonce = randomBytes(NONCE_LENGTH);
    const ct = gcmSeal(kek, nonce, rootKey, aad(this.params, salt));
    kek.fill(0);
    return encodeBlob(this.kind, {
      kdf: 'scrypt',
      N: this.params.N,
      r: this.params.r,
      p: this.params.p,
      salt,
      check,
      nonce,
      ct,
    });
  }

  async unwrap(blob: Uint8Array): Promise<Uint8Array> {
    const b = new BlobReader(this.kind, blob);
    b.str('kdf', ['scrypt']);
    const params = { N: b.int('N', 2, 2 ** MAX_LOG_N), r: b.int('r', 1, 32), p: b.int('p', 1, 16) };
    const salt = b.bytes('salt', SALT_LENGTH);
    const check = b.bytes('check', CHECK_LENGTH);
    const nonce = b.bytes('nonce', NONCE_LENGTH);
    const ct = b.bytes('ct', KEY_LENGTH + TAG_LENGTH);
    b.done();
    try {
      checkParams(params);
    } catch {
      throw new IntegrityError('passphrase seal blob', 'bad-header');
    }
    const derived = await this.derive(salt, params);
    if (!timingSafeEqual(derived.check, check)) throw new WrongSecretError('passphrase');
    const key = gcmOpen(derived.kek, nonce, ct, aad(params, salt));
    derived.kek.fill(0);
    if (key === undefined)
      throw new IntegrityError('passphrase seal blob', 'authentication-failed');
    return key;
  }

  private async derive(
    salt: Buffer,
    params: ScryptParams,
  ): Promise<{ kek: Buffer; check: Buffer }> {
    const out = await scrypt(this.passphrase, salt, params, KEY_LENGTH + CHECK_LENGTH);
    return { kek: out.subarray(0, KEY_LENGTH), check: out.subarray(KEY_LENGTH) };
  }
}

function checkParams(p: ScryptParams): ScryptParams {
  const { N, r, p: par } = p;
  if (!Number.isSafeInteger(N) || N < 2 || N > 2 ** MAX_LOG_N || (N & (N - 1)) !== 0)
    throw new RecordIdError('value', `scrypt N a power of two in [2, 2^${MAX_LOG_N}]`);
  if (!Number.isSafeInteger(r) || r < 1 || r > 32)
    throw new RecordIdError('value', 'scrypt r in [1, 32]');
  if (!Number.isSafeInteger(par) || par < 1 || par > 16)
    throw new RecordIdError('value', 'scrypt p in [1, 16]');
  // scrypt needs 128 * N * r bytes: cap it so a blob cannot make unseal exhaust memory.
  if (128 * N * r > MAX_MEMORY)
    throw new RecordIdError('value', 'scrypt parameters needing at most 1 GiB (128 * N * r)');
  return { N, r, p: par };
}

function aad(p: ScryptParams, salt: Uint8Array): Buffer {
  return framed(
    'quorate/seal/passphrase/v1',
    'scrypt',
    String(p.N),
    String(p.r),
    String(p.p),
    salt,
  );
}
