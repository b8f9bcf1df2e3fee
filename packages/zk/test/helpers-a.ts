/**
 * Test setup for the suites of Π^mod, Π^prm, Π^fac, Π^sch, Π^enc and Π^log*: keys from the
 * committed safe-prime fixtures of @quorate/paillier (never generated here), contexts, a
 * deterministic RNG, the canonical wire round trip and bad moduli built from ordinary primes.
 */
import assert from 'node:assert/strict';
import { generatePrimeSync } from 'node:crypto';
import { LEVEL_3072, PaillierSecretKey, fixtures, generateRingPedersen } from '@quorate/paillier';
import type { RingPedersenParams, RingPedersenSecret, SecurityLevel } from '@quorate/paillier';
import { bitLength } from '@quorate/bigint';
import { codec } from '@quorate/runtime';
import type { Rng, Schema } from '@quorate/runtime';
import { deterministicRng } from '@quorate/runtime/harness';
import type { ProofContext, VerifyResult } from '../src/common/index.ts';

export interface KeysA {
  readonly level: SecurityLevel;
  /** The prover's Paillier key. */
  readonly sk: PaillierSecretKey;
  /** The verifier's ring-Pedersen parameters and their trapdoor. */
  readonly aux: RingPedersenParams;
  readonly auxSecret: RingPedersenSecret;
}

const cache = new Map<string, KeysA>();

/** Fixture pair 3 is the prover's Paillier key, pair 4 the verifier's ring-Pedersen modulus. */
export function keysA(level: SecurityLevel): KeysA {
  const hit = cache.get(level.name);
  if (hit) return hit;
  const pairs = level.name === LEVEL_3072.name ? fixtures.primes3072 : fixtures.primes2048;
  const pick = (i: number) => {
    const pr = pairs[i % pairs.length];
    assert.ok(pr);
    return pr;
  };
  const [p, q] = pick(3);
  const [p2, q2] = pick(4);
  const sk = PaillierSecretKey.fromPrimes(p, q, level);
  const { params, secret } = generateRingPedersen(
    p2,
    q2,
    deterministicRng(`zk-a-aux-${level.name}`),
  );
  const k = { level, sk, aux: params, auxSecret: secret };
  cache.set(level.name, k);
  return k;
}

export function ctxOf(level: SecurityLevel, sessionId = 'session-1', prover = 1): ProofContext {
  return { sessionId: new TextEncoder().encode(sessionId), prover, level };
}

export function rngOf(seed: string): Rng {
  return deterministicRng(seed);
}

/** encode → canonical bytes → decode, through the strict codec. */
export function roundTrip<T>(schema: Schema<T>, value: T): T {
  const bytes = codec.encodeCanonical(schema, value);
  return codec.decodeCanonical(schema, bytes, 1 << 22);
}

export function assertCheck(r: VerifyResult, check: string): void {
  assert.deepEqual(r, { ok: false, check });
}

export function assertOk(r: VerifyResult): void {
  assert.deepEqual(r, { ok: true });
}

export function prime(bits: number): bigint {
  return generatePrimeSync(bits, { bigint: true });
}

/** A prime of `bits` bits with p ≡ r (mod 4). */
export function primeMod4(bits: number, r: 1n | 3n): bigint {
  for (;;) {
    const p = prime(bits);
    if (p % 4n === r) return p;
  }
}

/**
 * A BitForge-style modulus (CVE-2023-33241) of exactly `bits` bits: many distinct primes of
 * `smallBits` bits (above the 2^12 trial division, so the proofs themselves must catch them)
 * times one big prime. Returns N, the small part S and the big prime P (N = S·P).
 */
export function bitForgeModulus(
  bits: number,
  count: number,
  smallBits: number,
): { N: bigint; S: bigint; P: bigint; factors: bigint[] } {
  for (;;) {
    const factors = new Set<bigint>();
    while (factors.size < count) factors.add(prime(smallBits));
    const S = [...factors].reduce((a, b) => a * b, 1n);
    const P = prime(bits - bitLength(S));
    const N = S * P;
    if (bitLength(N) === bits) return { N, S, P, factors: [...factors, P] };
  }
}

/** N = p·q of exactly `bits` bits with p of `pBits` bits (unbalanced when pBits ≪ bits/2). */
export function productOfBits(
  bits: number,
  pBits: number,
  pMod4?: 1n | 3n,
): { N: bigint; p: bigint; q: bigint } {
  for (;;) {
    const p = pMod4 === undefined ? prime(pBits) : primeMod4(pBits, pMod4);
    const q = pMod4 === undefined ? prime(bits - pBits) : primeMod4(bits - pBits, 3n);
    const N = p * q;
    if (bitLength(N) === bits) return { N, p, q };
  }
}
