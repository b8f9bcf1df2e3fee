/**
 * The offline recovery key and the envelope encryption of backups to it.
 *
 * Scheme "x25519-hkdf-sha256-aes-256-gcm" (ECIES in the shape of HPKE base mode, RFC 9180 §5.1,
 * built only from node:crypto primitives — X25519 (RFC 7748), HKDF-SHA256 (RFC 5869), AES-256-GCM):
 *
 *   (e, E)  = fresh X25519 key pair per backup
 *   Z       = X25519(e, R)                       (R: recovery public key; all-zero Z refused)
 *   K       = HKDF-SHA256(ikm = Z, salt = E ‖ R, info = "quorate/recovery-backup/v1", 32)
 *   C ‖ tag = AES-256-GCM(K, nonce (12 random bytes), plaintext, aad)
 *
 * The aad is the canonical JSON of the backup's clear metadata, so any change to it fails
 * authentication. Each backup has its own ephemeral key, hence its own K: a nonce is never reused
 * under one key. The private key file is PKCS#8 PEM, optionally encrypted with a passphrase
 * (PBES2: scrypt is not offered by OpenSSL's PKCS#8 writer here, so PBKDF2-HMAC-SHA256 + AES-256-CBC).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { RecoveryKeyFileError, TamperedBackupError } from './errors.ts';

export const ENCRYPTION_SCHEME = 'x25519-hkdf-sha256-aes-256-gcm';
const INFO = Buffer.from('quorate/recovery-backup/v1');

export interface RecoveryPublicKey {
  /** 32-byte X25519 public key (RFC 7748 encoding). */
  readonly raw: Uint8Array;
  /** Hex of the first 16 bytes of SHA-256(raw): what backups name as their recipient. */
  readonly fingerprint: string;
}

export interface RecoveryPrivateKey {
  readonly key: KeyObject;
  readonly publicKey: RecoveryPublicKey;
}

export interface RecoveryKeyPair {
  readonly publicKey: RecoveryPublicKey;
  readonly publicKeyPem: string;
  /** PKCS#8 PEM, encrypted when a passphrase was given. Write it with mode 0600. */
  readonly privateKeyPem: string;
}

export function fingerprintOf(raw: Uint8Array): string {
  return Buffer.from(sha256(raw).slice(0, 16)).toString('hex');
}

function rawOf(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'X25519' || typeof jwk.x !== 'string')
    throw new RecoveryKeyFileError('not an X25519 key');
  return Uint8Array.from(Buffer.from(jwk.x, 'base64url'));
}

function publicFromRaw(raw: Uint8Array): RecoveryPublicKey {
  return Object.freeze({ raw: Uint8Array.from(raw), fingerprint: fingerprintOf(raw) });
}

/** Creates a recovery key pair. `passphrase` (≥ 12 characters) encrypts the private key file. */
export function generateRecoveryKeyPair(passphrase?: string): RecoveryKeyPair {
  if (passphrase !== undefined && passphrase.length < 12)
    throw new RecoveryKeyFileError('the passphrase must have at least 12 characters');
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const privateKeyPem = privateKey.export(
    passphrase === undefined
      ? { format: 'pem', type: 'pkcs8' }
      : { format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase },
  ) as string;
  return {
    publicKey: publicFromRaw(rawOf(publicKey)),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    privateKeyPem,
  };
}

/** Reads a recovery public key: SPKI PEM, or 64 hex characters of the raw key. */
export function parseRecoveryPublicKey(text: string, source?: string): RecoveryPublicKey {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed))
    return publicFromRaw(Uint8Array.from(Buffer.from(trimmed, 'hex')));
  let key: KeyObject;
  try {
    key = createPublicKey(trimmed);
  } catch {
    throw new RecoveryKeyFileError('not a PEM public key or 64 hex characters', source);
  }
  if (key.asymmetricKeyType !== 'x25519')
    throw new RecoveryKeyFileError(
      `expected an X25519 public key, got ${key.asymmetricKeyType ?? 'unknown'}`,
      source,
    );
  return publicFromRaw(rawOf(key));
}

/** Reads the PKCS#8 PEM private key; an encrypted file needs its passphrase. */
export function parseRecoveryPrivateKey(
  pem: string,
  passphrase?: string,
  source?: string,
): RecoveryPrivateKey {
  const encrypted = pem.includes('ENCRYPTED PRIVATE KEY');
  if (encrypted && passphrase === undefined)
    throw new RecoveryKeyFileError(
      'the private key file is encrypted: give its passphrase',
      source,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(
      encrypted ? { key: pem, format: 'pem', passphrase: passphrase as string } : pem,
    );
  } catch {
    throw new RecoveryKeyFileError(
      encrypted
        ? 'cannot decrypt the private key file (wrong passphrase?)'
        : 'not a PEM private key',
      source,
    );
  }
  if (key.asymmetricKeyType !== 'x25519')
    throw new RecoveryKeyFileError(
      `expected an X25519 private key, got ${key.asymmetricKeyType ?? 'unknown'}`,
      source,
    );
  return Object.freeze({ key, publicKey: publicFromRaw(rawOf(createPublicKey(key))) });
}

export interface Sealed {
  readonly ephemeralPublicKey: Uint8Array;
  readonly nonce: Uint8Array;
  /** AES-GCM ciphertext followed by the 16-byte tag. */
  readonly ciphertext: Uint8Array;
}

function deriveKey(
  priv: KeyObject,
  pub: Uint8Array,
  ephemeral: Uint8Array,
  recipient: Uint8Array,
): Buffer {
  const z = diffieHellman({
    privateKey: priv,
    publicKey: createPublicKey({
      key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(pub).toString('base64url') },
      format: 'jwk',
    }),
  });
  // A low-order peer point gives Z = 0 (RFC 7748 §6.1): refuse it rather than derive a known key.
  if (z.every((b) => b === 0)) throw new TamperedBackupError('ephemeral key is a low-order point');
  const salt = Buffer.concat([ephemeral, recipient]);
  return Buffer.from(hkdfSync('sha256', z, salt, INFO, 32));
}

/** Encrypts `plaintext` to the recovery key, authenticating `aad`. */
export function sealTo(
  recipient: RecoveryPublicKey,
  plaintext: Uint8Array,
  aad: (ephemeralPublicKey: Uint8Array, nonce: Uint8Array) => Uint8Array,
): Sealed {
  const eph = generateKeyPairSync('x25519');
  const E = rawOf(eph.publicKey);
  const nonce = Uint8Array.from(randomBytes(12));
  const K = deriveKey(eph.privateKey, recipient.raw, E, recipient.raw);
  const cipher = createCipheriv('aes-256-gcm', K, nonce);
  cipher.setAAD(aad(E, nonce));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  K.fill(0);
  return { ephemeralPublicKey: E, nonce, ciphertext: Uint8Array.from(ct) };
}

/** Decrypts; any change to the aad, the nonce, the ephemeral key or the ciphertext fails. */
export function openWith(
  key: RecoveryPrivateKey,
  sealed: Sealed,
  aad: Uint8Array,
  source?: string,
): Uint8Array {
  if (sealed.ciphertext.length < 16) throw new TamperedBackupError('ciphertext too short', source);
  let K: Buffer;
  try {
    K = deriveKey(key.key, sealed.ephemeralPublicKey, sealed.ephemeralPublicKey, key.publicKey.raw);
  } catch (e) {
    if (e instanceof TamperedBackupError) throw new TamperedBackupError(e.message, source);
    throw new TamperedBackupError('invalid ephemeral public key', source);
  }
  const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - 16);
  const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - 16);
  try {
    const d = createDecipheriv('aes-256-gcm', K, sealed.nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Uint8Array.from(Buffer.concat([d.update(body), d.final()]));
  } catch {
    throw new TamperedBackupError('metadata or ciphertext changed', source);
  } finally {
    K.fill(0);
  }
}
