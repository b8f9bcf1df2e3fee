/**
 * Paillier encryption (Paillier 1999; CGGMP21 §2.2 / eprint 2021/060) with g = 1 + N:
 * Enc(m; ρ) = (1 + N)^m · ρ^N mod N², using (1 + N)^m = 1 + m·N (mod N²).
 * Decryption and the secret-key operations use CRT modulo p² and q².
 */
import {
  CrtContext,
  bitLength,
  gcd,
  generateSafePrime,
  mod,
  modInverse,
  modPow,
  type SafePrimePool,
} from '@quorate/bigint';
import { randomBelow, type Rng } from '@quorate/runtime';
import { PaillierParamError } from './errors.ts';
import type { SecurityLevel } from './levels.ts';
import { validateModulus, validateUnit } from './validate.ts';

export class PaillierPublicKey {
  readonly N: bigint;
  readonly N2: bigint;
  readonly level: SecurityLevel;

  /** Use fromN (untrusted N) or PaillierSecretKey (own key). */
  protected constructor(N: bigint, level: SecurityLevel) {
    this.N = N;
    this.N2 = N * N;
    this.level = level;
  }

  /**
   * A public key from an untrusted N: odd, exactly level.paillierBits bits, no small factor,
   * not a perfect power, not prime. PaillierParamError naming `field` (default 'N') otherwise.
   */
  static fromN(N: bigint, level: SecurityLevel, field = 'N'): PaillierPublicKey {
    validateModulus(N, level.paillierBits, field);
    return new PaillierPublicKey(N, level);
  }

  /** For PaillierSecretKey, whose N is known to be a product of two primes. */
  static trusted(N: bigint, level: SecurityLevel): PaillierPublicKey {
    return new PaillierPublicKey(N, level);
  }

  /** Encrypts m (any integer, taken mod N) under a fresh nonce; returns the nonce too. */
  encrypt(m: bigint, rng: Rng): { C: bigint; rho: bigint } {
    const rho = this.randomRho(rng);
    return { C: this.encryptWith(m, rho), rho };
  }

  /** (1 + N)^m · ρ^N mod N², with (1 + N)^m = 1 + (m mod N)·N. */
  encryptWith(m: bigint, rho: bigint): bigint {
    const gm = 1n + mod(m, this.N) * this.N;
    return (gm * modPow(rho, this.N, this.N2)) % this.N2;
  }

  /** Homomorphic addition: Enc(a)·Enc(b) = Enc(a + b). */
  add(c1: bigint, c2: bigint): bigint {
    return (c1 * c2) % this.N2;
  }

  /** Homomorphic scalar multiplication: Enc(a)^k = Enc(k·a); k may be negative. */
  mul(c: bigint, k: bigint): bigint {
    return modPow(c, k, this.N2);
  }

  /** 0 < c < N² and gcd(c, N) = 1. */
  isValidCiphertext(c: bigint): boolean {
    return typeof c === 'bigint' && c > 0n && c < this.N2 && gcd(c, this.N) === 1n;
  }

  /** Throws PaillierParamError naming `field` unless c is a valid ciphertext. */
  validateCiphertext(c: bigint, field = 'C'): void {
    validateUnit(c, this.N2, this.N, field);
  }

  /** A uniform element of Z*_N. */
  randomRho(rng: Rng): bigint {
    for (;;) {
      const r = randomBelow(rng, this.N);
      if (r !== 0n && gcd(r, this.N) === 1n) return r;
    }
  }
}

export class PaillierSecretKey {
  readonly p: bigint;
  readonly q: bigint;
  readonly publicKey: PaillierPublicKey;
  /** CRT modulo p² · q² = N². */
  private readonly crt2: CrtContext;
  /** CRT modulo p · q = N. */
  private readonly crt1: CrtContext;
  /** h_p = L_p((1+N)^(p−1) mod p²)^-1 mod p, and h_q likewise (decryption constants). */
  private readonly hp: bigint;
  private readonly hq: bigint;
  /** N^-1 mod φ(N): the N-th root exponent used to recover nonces. */
  private readonly nInvPhi: bigint;

  private constructor(p: bigint, q: bigint, level: SecurityLevel) {
    this.p = p;
    this.q = q;
    const N = p * q;
    this.publicKey = PaillierPublicKey.trusted(N, level);
    this.crt2 = new CrtContext(p, q, 2);
    this.crt1 = new CrtContext(p, q, 1);
    // (1+N)^(p−1) ≡ 1 + (p−1)N (mod p²), so L_p of it is (p−1)·N/p = (p−1)·q (mod p).
    this.hp = modInverse((p - 1n) * q, p);
    this.hq = modInverse((q - 1n) * p, q);
    this.nInvPhi = modInverse(N, (p - 1n) * (q - 1n));
  }

  /**
   * A key from our own primes (trusted input: their primality is not re-tested). Checks that
   * they are distinct, Blum (≡ 3 mod 4, as Π^mod needs) and give N of exactly the level's size.
   */
  static fromPrimes(p: bigint, q: bigint, level: SecurityLevel): PaillierSecretKey {
    const half = level.paillierBits / 2;
    for (const [x, field] of [
      [p, 'p'],
      [q, 'q'],
    ] as const) {
      if (bitLength(x) !== half) {
        throw new PaillierParamError(field, 'bit-length', `a prime of exactly ${half} bits`);
      }
      if ((x & 3n) !== 3n) throw new PaillierParamError(field, 'not-blum', 'a prime ≡ 3 (mod 4)');
    }
    if (p === q) throw new PaillierParamError('q', 'equal', 'a prime different from p');
    if (bitLength(p * q) !== level.paillierBits) {
      throw new PaillierParamError(
        'N',
        'bit-length',
        `N = p·q of exactly ${level.paillierBits} bits`,
      );
    }
    return new PaillierSecretKey(p, q, level);
  }

  /**
   * A fresh key from two safe primes (from the pool when given). Pairs whose product is one bit
   * short are re-paired, so N always has exactly level.paillierBits bits.
   */
  static async generate(level: SecurityLevel, pool?: SafePrimePool): Promise<PaillierSecretKey> {
    const half = level.paillierBits / 2;
    if (pool && pool.bits !== half) {
      throw new RangeError(
        `PaillierSecretKey.generate: pool makes ${pool.bits}-bit primes, need ${half}`,
      );
    }
    const next = (): Promise<bigint> => (pool ? pool.take() : generateSafePrime(half));
    let p = await next();
    for (;;) {
      const q = await next();
      if (q !== p && bitLength(p * q) === level.paillierBits)
        return PaillierSecretKey.fromPrimes(p, q, level);
      // Keep the larger prime: it gives the next pairing the better chance.
      if (q > p) p = q;
    }
  }

  /** φ(N) = (p − 1)(q − 1). */
  get phi(): bigint {
    return (this.p - 1n) * (this.q - 1n);
  }

  /** The plaintext of c, in [0, N); by CRT modulo p² and q². */
  decrypt(c: bigint): bigint {
    const { p, q } = this;
    const p2 = p * p;
    const q2 = q * q;
    const mp = ((((modPow(mod(c, p2), p - 1n, p2) - 1n) / p) % p) * this.hp) % p;
    const mq = ((((modPow(mod(c, q2), q - 1n, q2) - 1n) / q) % q) * this.hq) % q;
    return this.crt1.combine(mp, mq);
  }

  /** The plaintext of c as a signed value in (−N/2, N/2]. */
  decryptSigned(c: bigint): bigint {
    const m = this.decrypt(c);
    const N = this.publicKey.N;
    return m > N >> 1n ? m - N : m;
  }

  /** The nonce ρ ∈ Z*_N of c = (1+N)^m · ρ^N: ρ = (c mod N)^(N^-1 mod φ(N)) mod N. */
  recoverRho(c: bigint): bigint {
    return this.crt1.pow(mod(c, this.publicKey.N), this.nInvPhi);
  }

  /** encryptWith using the factorization: ρ^N mod N² by CRT (about 3× faster). */
  encryptWith(m: bigint, rho: bigint): bigint {
    const { N, N2 } = this.publicKey;
    const gm = 1n + mod(m, N) * N;
    return (gm * this.crt2.pow(rho, N)) % N2;
  }

  /** encrypt using the factorization. */
  encrypt(m: bigint, rng: Rng): { C: bigint; rho: bigint } {
    const rho = this.publicKey.randomRho(rng);
    return { C: this.encryptWith(m, rho), rho };
  }

  /** base^exp mod N² by CRT (for our own ciphertexts, e.g. in Π^aff-g / Π^mul). */
  powModN2(base: bigint, exp: bigint): bigint {
    return this.crt2.pow(base, exp);
  }

  /** base^exp mod N by CRT. */
  powModN(base: bigint, exp: bigint): bigint {
    return this.crt1.pow(base, exp);
  }
}
