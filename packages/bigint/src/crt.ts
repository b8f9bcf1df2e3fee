/**
 * Exponentiation modulo (p·q)^k when the primes p ≠ q are known (our own Paillier key, our own
 * ring-Pedersen modulus): two half-size exponentiations, with the exponent reduced by Euler's
 * theorem where the base is a unit, recombined by Garner's formula.
 */
import { mod, modInverse } from './arith.ts';
import { modPow } from './backend.ts';

/** Precomputation for one modulus (p·q)^k with known distinct primes p, q. */
export class CrtContext {
  readonly p: bigint;
  readonly q: bigint;
  /** The modulus (p·q)^k. */
  readonly modulus: bigint;
  private readonly pk: bigint;
  private readonly qk: bigint;
  /** φ(p^k) = p^(k−1)(p−1) and φ(q^k). */
  private readonly phiP: bigint;
  private readonly phiQ: bigint;
  /** (q^k)^-1 mod p^k, for Garner's recombination. */
  private readonly qkInv: bigint;

  constructor(p: bigint, q: bigint, k = 1) {
    if (p <= 1n || q <= 1n || p === q) throw new RangeError('CrtContext: need distinct primes');
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError('CrtContext: k must be a positive integer');
    const K = BigInt(k);
    this.p = p;
    this.q = q;
    this.pk = p ** K;
    this.qk = q ** K;
    this.modulus = this.pk * this.qk;
    this.phiP = p ** (K - 1n) * (p - 1n);
    this.phiQ = q ** (K - 1n) * (q - 1n);
    this.qkInv = modInverse(this.qk, this.pk);
  }

  /** base^exp mod (p·q)^k; a negative exp uses the inverse of base (RangeError if none). */
  pow(base: bigint, exp: bigint): bigint {
    if (exp < 0n) {
      base = modInverse(base, this.modulus);
      exp = -exp;
    }
    const xp = this.powPrimePower(base, exp, this.p, this.pk, this.phiP);
    const xq = this.powPrimePower(base, exp, this.q, this.qk, this.phiQ);
    return this.combine(xp, xq);
  }

  /** The x mod (p·q)^k with x ≡ xp (mod p^k) and x ≡ xq (mod q^k). */
  combine(xp: bigint, xq: bigint): bigint {
    return xq + this.qk * mod((xp - xq) * this.qkInv, this.pk);
  }

  private powPrimePower(base: bigint, exp: bigint, prime: bigint, pk: bigint, phi: bigint): bigint {
    const b = mod(base, pk);
    // Euler's theorem lets us shrink the exponent only for units; a multiple of the prime
    // keeps the full exponent (still correct, just not shortened).
    const e = b % prime === 0n ? exp : exp % phi;
    return modPow(b, e, pk);
  }
}

/** base^exp mod p·q for distinct primes p, q, by CRT (secret exponents allowed; see README.md). */
export function modPowCrt(base: bigint, exp: bigint, p: bigint, q: bigint): bigint {
  return new CrtContext(p, q).pow(base, exp);
}
