/**
 * Ring-Pedersen parameters (N̂, s, t) of CGGMP21 (eprint 2021/060, §3.3 / Def. 1.3 and the
 * key-refresh of Fig. 7): N̂ = p·q from safe primes, t = r² mod N̂ a random quadratic residue,
 * s = t^λ with secret λ ∈ Z_φ(N̂). Π^prm proves s ∈ ⟨t⟩; validation here does the cheap checks
 * every receiver must do before that (issue 3, item 5).
 */
import { CrtContext, gcd, modPow } from '@quorate/bigint';
import { randomBelow, type Rng } from '@quorate/runtime';
import { PaillierParamError } from './errors.ts';
import type { SecurityLevel } from './levels.ts';
import { validateModulus } from './validate.ts';

/** N̂, s, t. */
export interface RingPedersenParams {
  readonly N: bigint;
  readonly s: bigint;
  readonly t: bigint;
}

/** The trapdoor: the factorization of N̂ and λ with s = t^λ mod N̂. */
export interface RingPedersenSecret {
  readonly p: bigint;
  readonly q: bigint;
  readonly lambda: bigint;
  readonly phi: bigint;
}

/** Fresh parameters over N̂ = p·q (p, q our own distinct safe primes). */
export function generateRingPedersen(
  p: bigint,
  q: bigint,
  rng: Rng,
): { params: RingPedersenParams; secret: RingPedersenSecret } {
  const crt = new CrtContext(p, q);
  const N = crt.modulus;
  const phi = (p - 1n) * (q - 1n);
  for (;;) {
    const r = randomBelow(rng, N);
    if (r < 2n || gcd(r, N) !== 1n) continue;
    const t = (r * r) % N;
    const lambda = randomBelow(rng, phi);
    const s = crt.pow(t, lambda);
    // Redraw the (negligibly likely) values every receiver would refuse.
    if (t === 1n || s <= 1n || s === t) continue;
    return { params: { N, s, t }, secret: { p, q, lambda, phi } };
  }
}

/**
 * Checks untrusted parameters: N̂ as a modulus of the level (odd, exact bit length, no small
 * factor, not a perfect power, not prime), and s, t ∈ (1, N̂), s ≠ t, both coprime to N̂.
 * PaillierParamError naming the field (`${path}.N` / `.s` / `.t`, or bare names without path).
 */
export function validateRingPedersen(
  params: RingPedersenParams,
  level: SecurityLevel,
  path = '',
): void {
  const f = (name: string): string => (path ? `${path}.${name}` : name);
  validateModulus(params.N, level.paillierBits, f('N'));
  for (const name of ['s', 't'] as const) {
    const x = params[name];
    if (typeof x !== 'bigint') throw new PaillierParamError(f(name), 'not-integer', 'an integer');
    if (x === 0n || x === 1n)
      throw new PaillierParamError(f(name), 'trivial', 'a value other than 0 and 1');
    if (x < 0n || x >= params.N)
      throw new PaillierParamError(f(name), 'out-of-range', 'a value in (1, N)');
    if (gcd(x, params.N) !== 1n)
      throw new PaillierParamError(f(name), 'not-coprime', 'a value coprime to N');
  }
  if (params.s === params.t)
    throw new PaillierParamError(f('s'), 'equal', 'a value different from t');
}

/** s^x · t^y mod N̂ (x, y may be negative: s and t are units once validated). */
export function pedersenCommit(params: RingPedersenParams, x: bigint, y: bigint): bigint {
  return (modPow(params.s, x, params.N) * modPow(params.t, y, params.N)) % params.N;
}
