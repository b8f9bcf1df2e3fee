/**
 * Randomness is injected into every protocol: the CSPRNG by default, a deterministic generator
 * only in tests (it is exported from `@quorate/runtime/harness`, never from the main entry).
 */
import { randomBytes } from 'node:crypto';
import { bytesToBigInt } from './transcript.ts';

export interface Rng {
  bytes(n: number): Uint8Array;
}

/** The operating system CSPRNG (node:crypto randomBytes). */
export const cryptoRng: Rng = Object.freeze({
  bytes: (n: number) => new Uint8Array(randomBytes(n)),
});

/** Uniform integer in [0, n) by rejection sampling (no modulo bias). */
export function randomBelow(rng: Rng, n: bigint): bigint {
  if (n <= 0n) throw new RangeError('randomBelow: bound must be positive');
  const bits = n.toString(2).length;
  const len = Math.ceil(bits / 8);
  const excess = BigInt(len * 8 - bits);
  for (;;) {
    const x = bytesToBigInt(rng.bytes(len)) >> excess;
    if (x < n) return x;
  }
}

/** Uniform integer in [-bound, bound]. */
export function randomSigned(rng: Rng, bound: bigint): bigint {
  return randomBelow(rng, 2n * bound + 1n) - bound;
}
