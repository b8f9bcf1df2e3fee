import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSigned } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';
import * as mul from '../src/mul/index.ts';
import { pow2 } from '../src/common/index.ts';
import {
  L2048,
  L3072,
  assertFails,
  assertOk,
  ctxFor,
  keys,
  nonUnit,
  rng,
  roundTrip,
} from './helpers-b.ts';

function statement(level: SecurityLevel, x: bigint) {
  const k = keys(level);
  const r = rng('mul');
  const N = k.N1;
  const Y = N.encrypt(randomSigned(r, pow2(level.ell)), r).C;
  const { C: X, rho: rhoX } = N.encrypt(x, r);
  const rho = N.randomRho(r);
  const C = N.add(N.mul(Y, x), N.encryptWith(0n, rho));
  const pub: mul.Public = { N, X, Y, C };
  return { k, pub, priv: { x, rho, rhoX } as mul.Private };
}

function honest(level: SecurityLevel) {
  const s = statement(level, randomSigned(rng('witness'), pow2(level.ell)));
  const ctx = ctxFor(level);
  return { ...s, ctx, proof: mul.prove(ctx, s.pub, s.priv, rng('prove')) };
}

describe('Π^mul (Fig. 29)', () => {
  const h = honest(L2048);

  test('an honest proof verifies, also after encode → decode', () => {
    assertOk(mul.verify(h.ctx, h.pub, h.proof));
    assertOk(mul.verify(h.ctx, h.pub, roundTrip(mul.proofSchema, h.proof)));
  });

  test('the 3072 level, and an x as large as a plaintext', () => {
    const h3 = honest(L3072);
    assertOk(mul.verify(h3.ctx, h3.pub, roundTrip(mul.proofSchema, h3.proof)));
    const s = statement(L2048, h.k.N1.N - 1n);
    assertOk(mul.verify(h.ctx, s.pub, mul.prove(h.ctx, s.pub, s.priv, rng())));
  });

  test('each field tampered is rejected with its reason', () => {
    const N = h.k.N1;
    const p = h.proof;
    const zMax = 2n * pow2(L2048.ell + L2048.epsilon) * N.N;
    const cases: [keyof mul.Proof, unknown, string][] = [
      ['A', N.add(p.A, 1n + N.N), 'equation-1'],
      ['B', N.add(p.B, 1n + N.N), 'equation-1'],
      ['z', p.z + 1n, 'equation-1'],
      ['u', (p.u * 2n) % N.N, 'equation-1'],
      ['v', (p.v * 2n) % N.N, 'equation-2'],
      ['A', N.N2, 'ciphertext-A'],
      ['B', nonUnit(N.N, h.k.sk1), 'ciphertext-B'],
      ['u', 0n, 'u-unit'],
      ['v', nonUnit(N.N, h.k.sk1), 'v-unit'],
      ['z', zMax + 1n, 'z-range'],
    ];
    for (const [field, value, check] of cases)
      assertFails(mul.verify(h.ctx, h.pub, { ...p, [field]: value }), check);
  });

  test('a statement whose X does not encrypt x fails equation 2', () => {
    const N = h.k.N1;
    const bad = { ...h.pub, X: N.add(h.pub.X, 1n + N.N) };
    assertFails(mul.verify(h.ctx, bad, mul.prove(h.ctx, bad, h.priv, rng('x'))), 'equation-2');
  });

  test('replay under another session or prover is rejected', () => {
    const other = new TextEncoder().encode('session-2');
    assertFails(mul.verify(ctxFor(L2048, { sessionId: other }), h.pub, h.proof), 'equation-1');
    assertFails(mul.verify(ctxFor(L2048, { prover: 2 }), h.pub, h.proof), 'equation-1');
  });

  test('public ciphertexts out of range or not coprime are rejected', () => {
    const N = h.k.N1;
    assertFails(mul.verify(h.ctx, { ...h.pub, X: 0n }, h.proof), 'ciphertext-X');
    assertFails(mul.verify(h.ctx, { ...h.pub, Y: nonUnit(N.N, h.k.sk1) }, h.proof), 'ciphertext-Y');
    assertFails(mul.verify(h.ctx, { ...h.pub, C: N.N2 + 1n }, h.proof), 'ciphertext-C');
  });

  test('the prover refuses an x that is not a plaintext of N', () => {
    const s = statement(L2048, h.k.N1.N);
    assert.throws(() => mul.prove(h.ctx, s.pub, s.priv, rng()), RangeError);
  });
});
