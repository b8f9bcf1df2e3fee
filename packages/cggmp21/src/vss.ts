/**
 * Feldman verifiable secret sharing over secp256k1 and Lagrange interpolation, as used by the
 * threshold key generation (cggmp21 spec §"Threshold Key Generation", after CGGMP21 Fig. 5) and
 * by presigning's conversion of t-of-n shares into additive shares of the signer set.
 *
 * A party's identifier in the polynomial is its party id (a small positive integer), so the
 * share of party j is f(j) and the public key is F(0).
 */
import type { Rng } from '@quorate/runtime';
import { G, invQ, modQ, mulG, Point, randomScalar } from './curve.ts';
import type { Point as PointT } from './curve.ts';

/** A polynomial of degree t−1 with coefficients a_0..a_{t−1} (a_0 is the secret). */
export function randomPolynomial(rng: Rng, t: number, secret?: bigint): bigint[] {
  const coeffs = Array.from({ length: t }, () => randomScalar(rng));
  if (secret !== undefined) coeffs[0] = modQ(secret);
  return coeffs;
}

export function evalPolynomial(coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = modQ(acc * x + (coeffs[k] as bigint));
  return acc;
}

/** Feldman commitments S_k = a_k·G. */
export function commitPolynomial(coeffs: readonly bigint[]): PointT[] {
  return coeffs.map((a) => mulG(a));
}

/** F(x) = Σ_k x^k·S_k. */
export function evalCommitment(S: readonly PointT[], x: bigint): PointT {
  const xq = modQ(x);
  if (xq === 0n) return S[0] ?? Point.ZERO;
  let acc = Point.ZERO;
  for (let k = S.length - 1; k >= 0; k--)
    acc = (acc.is0() ? acc : acc.multiply(xq)).add(S[k] as PointT);
  return acc;
}

/** Checks σ·G = F(j): the share σ for party j is consistent with the commitments. */
export function verifyShare(S: readonly PointT[], j: number, sigma: bigint): boolean {
  return mulG(sigma).equals(evalCommitment(S, BigInt(j)));
}

/** λ_i for interpolation at 0 over the signer set `ids` (distinct, non-zero). */
export function lagrangeAtZero(ids: readonly number[], i: number): bigint {
  if (!ids.includes(i)) throw new RangeError(`party ${i} is not in the signer set`);
  let num = 1n;
  let den = 1n;
  for (const m of ids) {
    if (m === i) continue;
    num = modQ(num * BigInt(m));
    den = modQ(den * BigInt(m - i));
  }
  return modQ(num * invQ(den));
}

/** λ_m(x) over `ids`: the Lagrange basis polynomial of m, evaluated at x. */
export function lagrangeAt(ids: readonly number[], m: number, x: bigint): bigint {
  if (x === 0n) return lagrangeAtZero(ids, m);
  let num = 1n;
  let den = 1n;
  for (const o of ids) {
    if (o === m) continue;
    num = modQ(num * (x - BigInt(o)));
    den = modQ(den * BigInt(m - o));
  }
  return modQ(num * invQ(den));
}

export { G };
