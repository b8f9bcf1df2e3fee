/**
 * Test setup for the Paillier Σ-protocol suites (aff-g, aff-p, dec, mul, mul-star): keys from the
 * committed safe-prime fixtures of @quorate/paillier (never generated here), contexts, a
 * deterministic RNG and the wire round trip.
 */
import assert from 'node:assert/strict';
import {
  LEVEL_2048,
  LEVEL_3072,
  PaillierSecretKey,
  fixtures,
  generateRingPedersen,
} from '@quorate/paillier';
import type { PaillierPublicKey, RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type { Rng, Schema } from '@quorate/runtime';
import { deterministicRng } from '@quorate/runtime/harness';
import type { ProofContext, VerifyResult } from '../src/common/index.ts';

export interface Keys {
  readonly level: SecurityLevel;
  /** The verifier's Paillier key (and its secret, for building test statements). */
  readonly sk0: PaillierSecretKey;
  readonly N0: PaillierPublicKey;
  /** The prover's Paillier key. */
  readonly sk1: PaillierSecretKey;
  readonly N1: PaillierPublicKey;
  /** The verifier's ring-Pedersen parameters. */
  readonly aux: RingPedersenParams;
}

const cache = new Map<string, Keys>();

/** Keys for a level, from fixture pairs 0 (verifier), 1 (prover) and 2 (ring-Pedersen). */
export function keys(level: SecurityLevel): Keys {
  const hit = cache.get(level.name);
  if (hit) return hit;
  const pairs = level.name === LEVEL_3072.name ? fixtures.primes3072 : fixtures.primes2048;
  const pair = (i: number) => {
    const p = pairs[i];
    assert.ok(p, `fixture pair ${i} of level ${level.name}`);
    return p;
  };
  const [p0, q0] = pair(0);
  const [p1, q1] = pair(1);
  const [p2, q2] = pair(2);
  const sk0 = PaillierSecretKey.fromPrimes(p0, q0, level);
  const sk1 = PaillierSecretKey.fromPrimes(p1, q1, level);
  const aux = generateRingPedersen(p2, q2, deterministicRng(`aux-${level.name}`)).params;
  const k: Keys = { level, sk0, N0: sk0.publicKey, sk1, N1: sk1.publicKey, aux };
  cache.set(level.name, k);
  return k;
}

export const L2048 = LEVEL_2048;
export const L3072 = LEVEL_3072;

export function ctxFor(level: SecurityLevel, over: Partial<ProofContext> = {}): ProofContext {
  return { sessionId: new TextEncoder().encode('session-1'), prover: 1, level, ...over };
}

export function rng(seed = 'zk-b'): Rng {
  return deterministicRng(seed);
}

/** encode → canonical JSON bytes → strict decode, as a proof travels on the wire. */
export function roundTrip<T>(schema: Schema<T>, value: T): T {
  const bytes = codec.encodeCanonical(schema, value);
  return codec.decodeCanonical(schema, bytes, 1 << 20);
}

export function assertOk(r: VerifyResult): void {
  assert.deepEqual(r, { ok: true });
}

export function assertFails(r: VerifyResult, check: string): void {
  assert.deepEqual(r, { ok: false, check });
}

/** A value ≥ 2 that shares a factor with N (so it is in range but not a unit). */
export function nonUnit(N: bigint, sk: { p: bigint }): bigint {
  return sk.p * 2n < N ? sk.p * 2n : sk.p;
}
