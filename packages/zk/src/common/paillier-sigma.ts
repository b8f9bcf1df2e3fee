/**
 * Building blocks shared by the Paillier Σ-protocols of CGGMP21 (eprint 2021/060, §6 and
 * Appendix C) Π^aff-g, Π^aff-p, Π^dec, Π^mul and Π^mul*: the ±2^bits range test, the
 * ring-Pedersen check s^z1·t^z2 = E·S^e mod N̂, and codec
 * sizes that accept every supported level.
 */
import { modPow } from '@quorate/bigint';
import { LEVEL_2048, LEVEL_3072 } from '@quorate/paillier';
import type { RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import type { Point } from './curve.ts';
import { inSigned, pow2 } from './ranges.ts';

/** x ∈ ±2^bits, i.e. |x| ≤ 2^bits. */
export function inPm2(x: bigint, bits: number): boolean {
  return inSigned(x, pow2(bits));
}

/**
 * s^z1 · t^z2 ≡ E · S^e (mod N̂). E and S must already be known units (S^e with e < 0 inverts S).
 */
export function ringPedersenHolds(
  aux: RingPedersenParams,
  z1: bigint,
  z2: bigint,
  E: bigint,
  S: bigint,
  e: bigint,
): boolean {
  const N = aux.N;
  const lhs = (modPow(aux.s, z1, N) * modPow(aux.t, z2, N)) % N;
  const rhs = (E * modPow(S, e, N)) % N;
  return lhs === rhs;
}

/**
 * Bits of a ring-Pedersen response γ + e·m with γ ∈ ±2^(ℓ+ε)·N̂, m ∈ ±2^ℓ·N̂, |e| ≤ 2^challengeBits
 * (a codec bound only; the paper states no range for these responses).
 */
export function rpResponseBits(level: SecurityLevel): number {
  return level.paillierBits + level.ell + Math.max(level.epsilon, level.challengeBits) + 2;
}

/** A point's bytes for the transcript: compressed SEC1, or the single byte 0 for the identity. */
export function transcriptPoint(P: Point): Uint8Array {
  return P.is0() ? Uint8Array.of(0) : P.toBytes(true);
}

/**
 * A pseudo-level whose every size is the largest over the supported levels: codecs sized by it
 * accept proofs of any level (verify then checks the exact ranges of the context's level).
 */
export const maxLevel: SecurityLevel = (() => {
  const max = (f: (l: SecurityLevel) => number) => Math.max(f(LEVEL_2048), f(LEVEL_3072));
  return {
    name: 'max',
    kappa: max((l) => l.kappa),
    paillierBits: max((l) => l.paillierBits),
    ell: max((l) => l.ell),
    ellPrime: max((l) => l.ellPrime),
    epsilon: max((l) => l.epsilon),
    m: max((l) => l.m),
    q: LEVEL_3072.q > LEVEL_2048.q ? LEVEL_3072.q : LEVEL_2048.q,
    challengeBits: max((l) => l.challengeBits),
  };
})();
