/**
 * The algebra the range proofs of CGGMP21 (eprint 2021/060, §4 and Appendix C) verify: Paillier
 * encryption with an explicit nonce, ring-Pedersen commitments s^x·t^y mod N̂, membership checks
 * and the challenge e ∈ ±Q of the level (Q = 2^challengeBits, see @quorate/paillier levels).
 */
import { bitLength, gcd, mod, modPow } from '@quorate/bigint';
import type { PaillierSecretKey, RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import type { Transcript } from '@quorate/runtime';
import { checkModulus } from './modulus.ts';
import { pow2 } from './ranges.ts';

/** enc_N(m; ρ) = (1+N)^m · ρ^N mod N², with (1+N)^m = 1 + (m mod N)·N. */
export function paillierEnc(N: bigint, m: bigint, rho: bigint): bigint {
  const N2 = N * N;
  return mod((1n + mod(m, N) * N) * modPow(rho, N, N2), N2);
}

/**
 * The prover's own Paillier secret key, when it is at hand: lets a prover compute its own
 * encryptions by CRT (same values, about 2–3× faster). Ignored unless it belongs to N.
 */
export function ownKeyFor(
  N: bigint,
  sk: PaillierSecretKey | undefined,
): PaillierSecretKey | undefined {
  return sk !== undefined && sk.publicKey.N === N ? sk : undefined;
}

/** enc_N(m; ρ), through the secret key's CRT when it is the key of N. */
export function paillierEncOwn(
  N: bigint,
  m: bigint,
  rho: bigint,
  sk: PaillierSecretKey | undefined,
): bigint {
  const own = ownKeyFor(N, sk);
  return own ? own.encryptWith(m, rho) : paillierEnc(N, m, rho);
}

/** s^x · t^y mod N̂ (x, y may be negative: s, t are units). */
export function ringPedersen(aux: RingPedersenParams, x: bigint, y: bigint): bigint {
  return mod(modPow(aux.s, x, aux.N) * modPow(aux.t, y, aux.N), aux.N);
}

/** c ∈ Z*_{N²}: 0 < c < N² and gcd(c, N) = 1. */
export function isCiphertext(c: bigint, N: bigint): boolean {
  return c > 0n && c < N * N && gcd(c, N) === 1n;
}

/** The cheap checks of a modulus that every proof repeats: odd, nonzero, exact bit length. */
export function checkModulusShape(N: bigint, bits: number, label: string): string | null {
  if (N <= 0n || N % 2n === 0n) return `${label}-even`;
  if (bitLength(N) !== bits) return `${label}-bits`;
  return null;
}

/**
 * Full checks of ring-Pedersen parameters (N̂, s, t) received from another party: N̂ as in
 * checkModulus (label 'Nhat'), s, t ∉ {0, 1}, s ≠ t, both in Z*_N̂. Returns the check code or null.
 */
export function checkRingPedersen(aux: RingPedersenParams, level: SecurityLevel): string | null {
  const n = checkModulus(aux.N, level.paillierBits, 'Nhat');
  if (n !== null) return n;
  for (const [name, v] of [
    ['s', aux.s],
    ['t', aux.t],
  ] as const) {
    if (v === 0n || v === 1n) return `${name}-trivial`;
    if (v < 0n || v >= aux.N || gcd(v, aux.N) !== 1n) return `${name}-unit`;
  }
  if (aux.s === aux.t) return 's-equals-t';
  return null;
}

/** The challenge bound Q of the level: e ∈ ±Q. */
export function challengeBound(level: SecurityLevel): bigint {
  return pow2(level.challengeBits);
}

/** Squeezes the range-proof challenge e ∈ ±Q from a transcript that absorbed everything. */
export function challengeE(t: Transcript, level: SecurityLevel): bigint {
  return t.challengeSigned('e', challengeBound(level));
}

/** Absorbs ring-Pedersen parameters under a label prefix. */
export function absorbAux(t: Transcript, aux: RingPedersenParams): void {
  t.appendBigInt('Nhat', aux.N).appendBigInt('s', aux.s).appendBigInt('t', aux.t);
}
