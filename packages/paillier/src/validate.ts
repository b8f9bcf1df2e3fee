/**
 * Checks on untrusted moduli and group elements (issue 3, item 5): a Paillier N or a
 * ring-Pedersen N̂ received from another party must be odd, of the exact bit length of the level,
 * free of small factors, not a perfect power and not a prime. These cheap checks come on top
 * of Π^mod and Π^fac, which the protocol runs as well (BitForge, CVE-2023-33241).
 */
import { bitLength, gcd, modPow } from '@quorate/bigint';
import { PaillierParamError } from './errors.ts';

/** Primes below 2^12, for trial division (an honest N has only two ~1024+-bit factors). */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const limit = 4096;
  const sieve = new Uint8Array(limit);
  const out: bigint[] = [];
  for (let i = 2; i < limit; i++) {
    if (sieve[i]) continue;
    out.push(BigInt(i));
    for (let j = i * i; j < limit; j += i) sieve[j] = 1;
  }
  return out;
})();

/** Product of the odd small primes, so trial division is one gcd. */
const SMALL_PRIMORIAL = SMALL_PRIMES.slice(1).reduce((a, p) => a * p, 1n);

/** Largest r with r^k ≤ n (n ≥ 0, k ≥ 1), by Newton's method from above. */
export function integerRoot(n: bigint, k: number): bigint {
  if (n < 2n || k === 1) return n;
  const K = BigInt(k);
  // 2^ceil(bits/k) ≥ the root: a starting point from above, so Newton decreases monotonically.
  let x = 1n << BigInt(Math.ceil(bitLength(n) / k));
  for (;;) {
    const y = ((K - 1n) * x + n / x ** (K - 1n)) / K;
    if (y >= x) return x;
    x = y;
  }
}

function isPerfectPower(n: bigint, minRootBits: number): boolean {
  const bits = bitLength(n);
  // Only prime exponents matter (r^(ab) = (r^a)^b); roots below 2^minRootBits were excluded
  // by trial division already.
  for (const p of SMALL_PRIMES) {
    const k = Number(p);
    if (bits / k < minRootBits) break;
    const r = integerRoot(n, k);
    if (r ** p === n) return true;
  }
  return false;
}

/**
 * Validates an RSA-type modulus of exactly `bits` bits (a Paillier N or a ring-Pedersen N̂).
 * Throws PaillierParamError naming `field`.
 */
export function validateModulus(N: bigint, bits: number, field: string): void {
  if (typeof N !== 'bigint') throw new PaillierParamError(field, 'not-integer', 'an integer');
  if (N <= 1n) throw new PaillierParamError(field, 'too-small', 'a modulus greater than 1');
  if ((N & 1n) === 0n) throw new PaillierParamError(field, 'even', 'an odd modulus');
  if (bitLength(N) !== bits) {
    throw new PaillierParamError(field, 'bit-length', `a modulus of exactly ${bits} bits`);
  }
  if (gcd(N, SMALL_PRIMORIAL) !== 1n) {
    throw new PaillierParamError(field, 'small-factor', 'a modulus without small prime factors');
  }
  if (isPerfectPower(N, 12)) {
    throw new PaillierParamError(field, 'perfect-power', 'a modulus that is not a perfect power');
  }
  // Fermat base 2: every prime passes, so failing proves N composite. A composite that passes
  // (a pseudoprime) is refused too, which never happens for an honest p·q of this size.
  if (modPow(2n, N - 1n, N) === 1n) {
    throw new PaillierParamError(field, 'prime', 'a composite modulus');
  }
}

/** A unit of Z_M in range: 0 < x < M and gcd(x, N) = 1 (M = N² for ciphertexts, N for others). */
export function validateUnit(x: bigint, M: bigint, N: bigint, field: string): void {
  if (typeof x !== 'bigint') throw new PaillierParamError(field, 'not-integer', 'an integer');
  if (x <= 0n || x >= M)
    throw new PaillierParamError(field, 'out-of-range', 'a value in (0, modulus)');
  if (gcd(x, N) !== 1n)
    throw new PaillierParamError(field, 'not-coprime', 'a value coprime to the modulus');
}
