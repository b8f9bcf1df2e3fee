/**
 * Security levels of CGGMP21 (eprint 2021/060, §C "concrete security" and the parameter table
 * of the proofs): one object threaded through key generation, validation and every proof.
 * Iteration counts are constants of the level, never read from a message (issue 3, item 3).
 *
 *  - LEVEL_3072 (default): the values of the cggmp21 Rust crate's `SecurityLevel128`
 *    (LFDT-Lockness/cggmp21, cggmp21/src/security_level.rs): Paillier N of 3072 bits from
 *    1536-bit safe primes, ℓ = 256, ℓ′ = 848, ε = 230, m = 128, challenges of 128 bits (the
 *    crate's `q = 2^128`). The crate calls 384 its "security bits" because N has 8·384 bits;
 *    the level targets 128-bit security, which is our κ.
 *  - LEVEL_2048: the parameters of taurusgroup/multi-party-sig (also used by Fireblocks'
 *    mpc-lib): N of 2048 bits from 1024-bit primes, ℓ = 256, ℓ′ = 1280, ε = 512, challenges
 *    reduced modulo the curve order (256 bits). Taurus runs Π^mod with 12 iterations and Π^prm
 *    with 80; we use 80 for both. A 2048-bit modulus gives about 112-bit computational security
 *    (NIST SP 800-57).
 */
import { PaillierParamError } from './errors.ts';

export interface SecurityLevel {
  /** '3072' (default, 128-bit) or '2048'. */
  readonly name: string;
  /** Security parameter κ in bits (hash and randomness lengths). */
  readonly kappa: number;
  /** Bit length of N (and of N̂); the primes have half of it. */
  readonly paillierBits: number;
  /** ℓ: bit bound of the secrets in range proofs (x, k, γ ∈ ±2^ℓ). */
  readonly ell: number;
  /** ℓ′: bit bound of the affine-operation values (y ∈ ±2^ℓ′). */
  readonly ellPrime: number;
  /** ε: slack bits of the range proofs. */
  readonly epsilon: number;
  /** Iterations of Π^mod and Π^prm. */
  readonly m: number;
  /** Group order of secp256k1. */
  readonly q: bigint;
  /** Bit length of the Fiat-Shamir challenge e of the range proofs (e ∈ ±2^challengeBits). */
  readonly challengeBits: number;
}

/** Order of the secp256k1 group (SEC 2, §2.4.1). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export const LEVEL_3072: SecurityLevel = Object.freeze({
  name: '3072',
  kappa: 128,
  paillierBits: 3072,
  ell: 256,
  ellPrime: 848,
  epsilon: 230,
  m: 128,
  q: SECP256K1_N,
  challengeBits: 128,
});

export const LEVEL_2048: SecurityLevel = Object.freeze({
  name: '2048',
  kappa: 128,
  paillierBits: 2048,
  ell: 256,
  ellPrime: 1280,
  epsilon: 512,
  m: 80,
  q: SECP256K1_N,
  challengeBits: 256,
});

export const DEFAULT_LEVEL: SecurityLevel = LEVEL_3072;

/** The level of a name ('3072' or '2048'); PaillierParamError on anything else. */
export function levelByName(name: string): SecurityLevel {
  if (name === LEVEL_3072.name) return LEVEL_3072;
  if (name === LEVEL_2048.name) return LEVEL_2048;
  throw new PaillierParamError('level', 'unknown-level', "'3072' or '2048'");
}
