/**
 * Checks on an RSA-type modulus received from another party (Paillier N, ring-Pedersen N̂), beyond
 * what CGGMP21 (eprint 2021/060, Fig. 16, 17, 28) requires: odd, exact bit length, neither prime
 * nor a perfect power (hence not a prime power). 0, 1 and even numbers are refused first.
 */
import { bitLength, gcd, isProbablePrime } from '@quorate/bigint';

/** Integer k-th root ⌊n^(1/k)⌋ for n ≥ 1, k ≥ 2 (Newton's method). */
export function iroot(n: bigint, k: number): bigint {
  if (n < 1n || k < 2) throw new RangeError('iroot: bad arguments');
  const K = BigInt(k);
  const bits = bitLength(n);
  // Start above the root: 2^ceil(bits/k) > n^(1/k).
  let x = 1n << BigInt(Math.ceil(bits / k));
  for (;;) {
    const y = ((K - 1n) * x + n / x ** (K - 1n)) / K;
    if (y >= x) return x;
    x = y;
  }
}

function smallPrimesUpTo(n: number): number[] {
  const sieve = new Uint8Array(n + 1);
  const out: number[] = [];
  for (let i = 2; i <= n; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j <= n; j += i) sieve[j] = 1;
  }
  return out;
}

/** Product of the odd primes below 2^12: trial division of a modulus is one gcd. */
const SMALL_PRIMORIAL: bigint = smallPrimesUpTo(4096)
  .slice(1)
  .reduce((a, p) => a * BigInt(p), 1n);

/** n = r^k for some r ≥ 2 and k ≥ 2 (it suffices to try prime k). */
export function isPerfectPower(n: bigint): boolean {
  if (n < 4n) return false;
  for (const k of smallPrimesUpTo(bitLength(n))) {
    const r = iroot(n, k);
    if (r >= 2n && r ** BigInt(k) === n) return true;
  }
  return false;
}

/**
 * Validates a modulus of exactly `bits` bits. Returns null when acceptable, otherwise the check
 * code `${label}-even` (also for 0), `${label}-bits` (also for 1), `${label}-small-factor` (a
 * prime below 2^12 divides it), `${label}-prime` or `${label}-perfect-power`.
 */
export function checkModulus(N: bigint, bits: number, label: string): string | null {
  if (N <= 0n || N % 2n === 0n) return `${label}-even`;
  if (bitLength(N) !== bits) return `${label}-bits`;
  // Cheap first line against BitForge-style moduli; Π^mod and Π^fac catch larger factors.
  if (gcd(N, SMALL_PRIMORIAL) !== 1n) return `${label}-small-factor`;
  if (isProbablePrime(N)) return `${label}-prime`;
  if (isPerfectPower(N)) return `${label}-perfect-power`;
  return null;
}
