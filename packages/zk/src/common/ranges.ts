/**
 * Integer ranges of CGGMP21 (eprint 2021/060, §2 notation): ±B is the interval [−B, B], sampled
 * uniformly by the prover and checked by the verifier ("every response lies in its stated range",
 * the lesson of Alpha-Rays).
 */
import { randomBelow, randomSigned } from '@quorate/runtime';
import type { Rng } from '@quorate/runtime';
import { gcd } from '@quorate/bigint';

export function pow2(bits: number): bigint {
  if (!Number.isSafeInteger(bits) || bits < 0) throw new RangeError('pow2: bad exponent');
  return 1n << BigInt(bits);
}

/** x ∈ ±bound, i.e. −bound ≤ x ≤ bound. */
export function inSigned(x: bigint, bound: bigint): boolean {
  return x >= -bound && x <= bound;
}

/** Uniform in ±bound. */
export function sampleSigned(rng: Rng, bound: bigint): bigint {
  return randomSigned(rng, bound);
}

/** Uniform in ±2^bits. */
export function sampleSignedBits(rng: Rng, bits: number): bigint {
  return randomSigned(rng, pow2(bits));
}

/** Uniform in Z*_N (rejection sampling; N is a modulus with large factors, so this ends fast). */
export function sampleUnit(rng: Rng, N: bigint): bigint {
  for (;;) {
    const x = randomBelow(rng, N);
    if (x !== 0n && gcd(x, N) === 1n) return x;
  }
}

/** x ∈ Z*_N: 0 < x < N and gcd(x, N) = 1. */
export function isUnit(x: bigint, N: bigint): boolean {
  return x > 0n && x < N && gcd(x, N) === 1n;
}

/** ⌊√n⌋ for n ≥ 0 (Newton's method on integers). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt: negative');
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Signed residue of x mod m in (−m/2, m/2]. */
export function signedMod(x: bigint, m: bigint): bigint {
  let r = x % m;
  if (r < 0n) r += m;
  return r > m / 2n ? r - m : r;
}
