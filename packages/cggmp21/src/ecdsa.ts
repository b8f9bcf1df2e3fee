/**
 * Final ECDSA signature assembly for CGGMP21 (Fig. 8, "Signing"): combine partial signatures
 * σ_i into σ = Σ σ_i, normalize to low S (BIP62 / EIP-2), compute the recovery id for Ethereum,
 * and verify against the public key before anything is released.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { modQ, q } from './curve.ts';
import type { Point } from './curve.ts';

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  /** 0 or 1 (2/3 only when R.x ≥ q, which has negligible probability). */
  readonly recoveryId: number;
}

const HALF_Q = q >> 1n;

/** r = R.x mod q, and the recovery id bits of R before normalization. */
export function rFromR(R: Point): { r: bigint; recoveryBits: number } {
  const { x, y } = R.toAffine();
  return { r: modQ(x), recoveryBits: (y & 1n ? 1 : 0) | (x >= q ? 2 : 0) };
}

/** (r, s) with s normalized to the lower half; flipping s flips the parity bit of the id. */
export function normalize(r: bigint, s: bigint, recoveryBits: number): EcdsaSignature {
  if (s > HALF_Q) return { r, s: q - s, recoveryId: recoveryBits ^ 1 };
  return { r, s, recoveryId: recoveryBits };
}

export function verifyEcdsa(
  sig: { r: bigint; s: bigint },
  digest: Uint8Array,
  publicKey: Point,
): boolean {
  if (sig.r <= 0n || sig.r >= q || sig.s <= 0n || sig.s >= q) return false;
  const compact = new secp256k1.Signature(sig.r, sig.s).toBytes('compact');
  return secp256k1.verify(compact, digest, publicKey.toBytes(true), {
    prehash: false,
    lowS: false,
  });
}

export function toDer(sig: { r: bigint; s: bigint }): Uint8Array {
  return new secp256k1.Signature(sig.r, sig.s).toBytes('der');
}

/** The message digest as a scalar: the leftmost 256 bits of the digest, reduced mod q (SEC 1 §4.1.3). */
export function digestToScalar(digest: Uint8Array): bigint {
  if (digest.length !== 32) throw new RangeError('digest: expected 32 bytes');
  return modQ(BigInt('0x' + Buffer.from(digest).toString('hex')));
}
