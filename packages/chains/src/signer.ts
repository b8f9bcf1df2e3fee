/**
 * The abstract MPC signer every chain adapter is built on, and the checks the adapters run on
 * what it returns before anything reaches a chain library.
 *
 * A signer is whatever produces signatures under one threshold key: the SDK (a hub transaction
 * per signature), or an in-process protocol run in tests. The adapters never trust it blindly:
 * an ECDSA signature is normalized to low S (BIP62 / EIP-2) and verified against the signer's
 * own public key, and its recovery id is recomputed, so a faulty or hostile signer cannot make
 * an adapter emit a transaction that fails or verifies under another key.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';

/** ECDSA over secp256k1; `recoveryId` is optional because the adapters recompute it. */
export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  readonly recoveryId?: number;
}

/** A 64-byte Schnorr signature: BIP340 (x(R) ‖ s) or Ed25519 (R ‖ S). */
export interface SchnorrSignature {
  readonly signature: Uint8Array;
}

export interface SignOptions {
  /**
   * BIP340 only: sign under the BIP341-tweaked key with this script-tree merkle root (empty =
   * key-path only, BIP86). Omitted: sign under the internal key.
   */
  readonly taprootMerkleRoot?: Uint8Array;
  /** Free-form note the signer may forward (e.g. the hub transaction's note). */
  readonly note?: string;
}

/** ECDSA secp256k1: `publicKey()` is the 33-byte compressed SEC1 key; the input is a 32-byte digest. */
export interface EcdsaSigner {
  readonly algorithm: 'ecdsa-secp256k1';
  publicKey(): Promise<Uint8Array>;
  signDigest(digest: Uint8Array, opts?: SignOptions): Promise<EcdsaSignature>;
}

/**
 * BIP340 Schnorr: `publicKey()` is the 32-byte x-only internal key (even Y); the input is the
 * 32-byte message (a sighash).
 */
export interface Bip340Signer {
  readonly algorithm: 'schnorr-bip340';
  publicKey(): Promise<Uint8Array>;
  signDigest(message: Uint8Array, opts?: SignOptions): Promise<SchnorrSignature>;
}

/**
 * Ed25519: `publicKey()` is the 32-byte key; the input is the whole message (Ed25519 hashes it
 * itself, RFC 8032), not a digest.
 */
export interface Ed25519Signer {
  readonly algorithm: 'eddsa-ed25519';
  publicKey(): Promise<Uint8Array>;
  signDigest(message: Uint8Array, opts?: SignOptions): Promise<SchnorrSignature>;
}

export type MpcSigner = EcdsaSigner | Bip340Signer | Ed25519Signer;

/** What an adapter refuses: a malformed key or signature from the signer, or bad input. */
export class ChainSignerError extends Error {
  override readonly name = 'ChainSignerError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const N = secp256k1.Point.CURVE().n;

export function assertBytes(value: Uint8Array, len: number, field: string): void {
  if (!(value instanceof Uint8Array) || value.length !== len)
    throw new ChainSignerError(field, `expected ${len} bytes`);
}

/** A validated compressed secp256k1 key from the signer. */
export async function ecdsaPublicKey(signer: EcdsaSigner): Promise<Uint8Array> {
  const pk = await signer.publicKey();
  assertBytes(pk, 33, 'publicKey');
  try {
    secp256k1.Point.fromBytes(pk).assertValidity();
  } catch {
    throw new ChainSignerError('publicKey', 'not a point on secp256k1');
  }
  return pk;
}

/** A recoverable, low-S ECDSA signature that verifies under `publicKey`. */
export interface CheckedEcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  /** 0 or 1: the parity of R's y coordinate (R.x < n always holds in practice). */
  readonly recoveryId: 0 | 1;
  /** 64 bytes r ‖ s. */
  readonly compact: Uint8Array;
}

/**
 * Signs `digest` with an ECDSA signer, normalizes S to the lower half, verifies the result under
 * `publicKey` and recomputes the recovery id from it.
 */
export async function signEcdsaChecked(
  signer: EcdsaSigner,
  publicKey: Uint8Array,
  digest: Uint8Array,
  opts?: SignOptions,
): Promise<CheckedEcdsaSignature> {
  assertBytes(digest, 32, 'digest');
  const raw = await signer.signDigest(digest, opts);
  if (typeof raw?.r !== 'bigint' || typeof raw.s !== 'bigint')
    throw new ChainSignerError('signature', 'expected {r, s} as bigints');
  if (raw.r <= 0n || raw.r >= N || raw.s <= 0n || raw.s >= N)
    throw new ChainSignerError('signature', 'r or s is out of range');
  const s = raw.s > N >> 1n ? N - raw.s : raw.s;
  const sig = new secp256k1.Signature(raw.r, s);
  const compact = sig.toBytes('compact');
  if (!secp256k1.verify(compact, digest, publicKey, { prehash: false, lowS: true }))
    throw new ChainSignerError('signature', 'does not verify under the signer public key');
  const expected = secp256k1.Point.fromBytes(publicKey);
  for (const rec of [0, 1] as const) {
    try {
      if (sig.addRecoveryBit(rec).recoverPublicKey(digest).equals(expected))
        return { r: raw.r, s, recoveryId: rec, compact };
    } catch {
      // this parity does not give a point; try the other
    }
  }
  throw new ChainSignerError('signature', 'no recovery id recovers the signer public key');
}

export const bytesToHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const hexToBytes = (h: string): Uint8Array =>
  Uint8Array.from(Buffer.from(h.startsWith('0x') ? h.slice(2) : h, 'hex'));
