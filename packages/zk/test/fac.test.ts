import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL_2048 } from '@quorate/paillier';
import { mod } from '@quorate/bigint';
import * as fac from '../src/fac/index.ts';
import { isqrt, pow2 } from '../src/common/index.ts';
import {
  assertCheck,
  assertOk,
  bitForgeModulus,
  ctxOf,
  keysA,
  productOfBits,
  rngOf,
  roundTrip,
} from './helpers-a.ts';

const level = LEVEL_2048;
const { sk, aux } = keysA(level);
const N0 = sk.publicKey.N;
const ctx = ctxOf(level);
const pub: fac.Public = { N0, aux };
const proof = fac.prove(ctx, pub, { p: sk.p, q: sk.q }, rngOf('fac'));
const zBound = pow2(level.ell + level.epsilon) * isqrt(N0);

describe('Π^fac (Fig. 28)', () => {
  test('honest proof verifies, also after encode → decode', () => {
    assertOk(fac.verify(ctx, pub, proof));
    assertOk(fac.verify(ctx, pub, roundTrip(fac.proofSchemaFor(level), proof)));
    assert.deepEqual(roundTrip(fac.proofSchema, proof), proof);
  });

  test('replay under another session id or prover id is rejected', () => {
    assertCheck(fac.verify(ctxOf(level, 'session-2'), pub, proof), 'equation-1');
    assertCheck(fac.verify(ctxOf(level, 'session-1', 2), pub, proof), 'equation-1');
  });

  const cases: [string, (p: fac.Proof) => fac.Proof, string][] = [
    ['P not a unit', (p) => ({ ...p, P: 0n }), 'unit-P'],
    ['Q not a unit', (p) => ({ ...p, Q: aux.N }), 'unit-Q'],
    ['A not a unit', (p) => ({ ...p, A: 0n }), 'unit-A'],
    ['B not a unit', (p) => ({ ...p, B: 0n }), 'unit-B'],
    ['T not a unit', (p) => ({ ...p, T: 0n }), 'unit-T'],
    ['P changed', (p) => ({ ...p, P: mod(p.P * 2n, aux.N) }), 'equation-1'],
    ['Q changed', (p) => ({ ...p, Q: mod(p.Q * 2n, aux.N) }), 'equation-1'],
    ['A changed', (p) => ({ ...p, A: mod(p.A * 2n, aux.N) }), 'equation-1'],
    ['B changed', (p) => ({ ...p, B: mod(p.B * 2n, aux.N) }), 'equation-1'],
    ['T changed', (p) => ({ ...p, T: mod(p.T * 2n, aux.N) }), 'equation-1'],
    [
      'sigma out of range',
      (p) => ({ ...p, sigma: pow2(level.ell) * N0 * aux.N + 1n }),
      'sigma-range',
    ],
    ['sigma changed', (p) => ({ ...p, sigma: p.sigma + 1n }), 'equation-1'],
    ['z1 out of range', (p) => ({ ...p, z1: zBound + 1n }), 'z1-range'],
    ['z2 out of range', (p) => ({ ...p, z2: -zBound - 1n }), 'z2-range'],
    [
      'w1 out of range',
      (p) => ({ ...p, w1: pow2(level.ell + level.epsilon + 1) * aux.N + 1n }),
      'w1-range',
    ],
    [
      'w2 out of range',
      (p) => ({ ...p, w2: pow2(level.ell + level.epsilon + 1) * aux.N + 1n }),
      'w2-range',
    ],
    [
      'v out of range',
      (p) => ({ ...p, v: pow2(level.ell + level.epsilon + 2) * N0 * aux.N + 1n }),
      'v-range',
    ],
    ['z1 changed', (p) => ({ ...p, z1: p.z1 + 1n }), 'equation-1'],
    ['w1 changed', (p) => ({ ...p, w1: p.w1 + 1n }), 'equation-1'],
    ['z2 changed', (p) => ({ ...p, z2: p.z2 + 1n }), 'equation-2'],
    ['w2 changed', (p) => ({ ...p, w2: p.w2 + 1n }), 'equation-2'],
    ['v changed', (p) => ({ ...p, v: p.v + 1n }), 'equation-3'],
  ];
  for (const [name, tamper, check] of cases) {
    test(`tampered: ${name} → ${check}`, () =>
      assertCheck(fac.verify(ctx, pub, tamper(proof)), check));
  }

  test('modulus checks on N0', () => {
    assertCheck(fac.verify(ctx, { ...pub, N0: 0n }, proof), 'N0-even');
    assertCheck(fac.verify(ctx, { ...pub, N0: 1n }, proof), 'N0-bits');
    assertCheck(fac.verify(ctx, { ...pub, N0: (N0 >> 1n) | 1n }, proof), 'N0-bits');
    assertCheck(fac.verify(ctx, { ...pub, N0: sk.p * sk.p }, proof), 'N0-perfect-power');
  });

  test('wrong factors (p·q ≠ N0) cannot be proven: equation-3', () => {
    assert.throws(() => fac.prove(ctx, pub, { p: sk.p, q: sk.q + 2n }, rngOf('w')), RangeError);
  });

  test('unbalanced factors: p of 400 bits in a 2048-bit N → z2-range', () => {
    const { N, p, q } = productOfBits(2048, 400);
    const unb = { N0: N, aux };
    assertCheck(fac.verify(ctx, unb, fac.prove(ctx, unb, { p, q }, rngOf('unb'))), 'z2-range');
  });

  test('BitForge modulus (many 17-bit primes × big prime) → factor range check fails', () => {
    const { N, S, P } = bitForgeModulus(2048, 28, 17);
    const bf = { N0: N, aux };
    // The attacker claims the small part and the big prime as p and q.
    assertCheck(fac.verify(ctx, bf, fac.prove(ctx, bf, { p: S, q: P }, rngOf('bf'))), 'z2-range');
    assertCheck(fac.verify(ctx, bf, fac.prove(ctx, bf, { p: P, q: S }, rngOf('bf2'))), 'z1-range');
  });
});
