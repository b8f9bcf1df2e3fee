import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSigned } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';
import * as affp from '../src/aff-p/index.ts';
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

function statement(level: SecurityLevel, x: bigint, y: bigint) {
  const k = keys(level);
  const r = rng('affp');
  const C = k.N0.encrypt(randomSigned(r, pow2(level.ell)), r).C;
  const rho = k.N0.randomRho(r);
  const D = k.N0.add(k.N0.mul(C, x), k.N0.encryptWith(y, rho));
  const { C: X, rho: rhoX } = k.N1.encrypt(x, r);
  const { C: Y, rho: rhoY } = k.N1.encrypt(y, r);
  const pub: affp.Public = { N0: k.N0, N1: k.N1, C, D, X, Y, aux: k.aux };
  return { k, pub, priv: { x, y, rho, rhoX, rhoY } as affp.Private };
}

function honest(level: SecurityLevel) {
  const r = rng('witness');
  const s = statement(
    level,
    randomSigned(r, pow2(level.ell)),
    randomSigned(r, pow2(level.ellPrime)),
  );
  const ctx = ctxFor(level);
  return { ...s, ctx, proof: affp.prove(ctx, s.pub, s.priv, rng('prove')) };
}

describe('Π^aff-p (Paillier-commitment variant of Fig. 15)', () => {
  const h = honest(L2048);

  test('an honest proof verifies, also after encode → decode', () => {
    assertOk(affp.verify(h.ctx, h.pub, h.proof));
    assertOk(affp.verify(h.ctx, h.pub, roundTrip(affp.proofSchema, h.proof)));
  });

  test('the 3072 level: honest proof verifies after the round trip', () => {
    const h3 = honest(L3072);
    assertOk(affp.verify(h3.ctx, h3.pub, roundTrip(affp.proofSchema, h3.proof)));
  });

  test('each field tampered is rejected with its reason', () => {
    const { N0, N1, aux } = h.k;
    const p = h.proof;
    const cases: [keyof affp.Proof, unknown, string][] = [
      ['A', N0.add(p.A, 1n + N0.N), 'equation-1'],
      ['Bx', N1.add(p.Bx, 1n + N1.N), 'equation-1'],
      ['By', N1.add(p.By, 1n + N1.N), 'equation-1'],
      ['E', (p.E * aux.s) % aux.N, 'equation-1'],
      ['S', (p.S * aux.s) % aux.N, 'equation-1'],
      ['F', (p.F * aux.s) % aux.N, 'equation-1'],
      ['T', (p.T * aux.s) % aux.N, 'equation-1'],
      ['z1', p.z1 + 1n, 'equation-1'],
      ['z2', p.z2 - 1n, 'equation-1'],
      ['z3', p.z3 + 1n, 'equation-4'],
      ['z4', p.z4 + 1n, 'equation-5'],
      ['w', (p.w * 2n) % N0.N, 'equation-1'],
      ['wX', (p.wX * 2n) % N1.N, 'equation-2'],
      ['wY', (p.wY * 2n) % N1.N, 'equation-3'],
      ['A', nonUnit(N0.N, h.k.sk0), 'ciphertext-A'],
      ['Bx', 0n, 'ciphertext-Bx'],
      ['By', N1.N2, 'ciphertext-By'],
      ['E', 0n, 'E-unit'],
      ['S', aux.N, 'S-unit'],
      ['F', -1n, 'F-unit'],
      ['T', aux.N + 1n, 'T-unit'],
      ['w', 0n, 'w-unit'],
      ['wX', nonUnit(N1.N, h.k.sk1), 'wX-unit'],
      ['wY', N1.N, 'wY-unit'],
      ['z1', -pow2(L2048.ell + L2048.epsilon) - 1n, 'z1-range'],
      ['z2', pow2(L2048.ellPrime + L2048.epsilon) + 1n, 'z2-range'],
    ];
    for (const [field, value, check] of cases)
      assertFails(affp.verify(h.ctx, h.pub, { ...p, [field]: value }), check);
  });

  test('a statement whose X or Y encrypts the wrong value fails its own equation', () => {
    const N1 = h.k.N1;
    const badX = { ...h.pub, X: N1.add(h.pub.X, 1n + N1.N) };
    assertFails(affp.verify(h.ctx, badX, affp.prove(h.ctx, badX, h.priv, rng('x'))), 'equation-2');
    const badY = { ...h.pub, Y: N1.add(h.pub.Y, 1n + N1.N) };
    assertFails(affp.verify(h.ctx, badY, affp.prove(h.ctx, badY, h.priv, rng('y'))), 'equation-3');
  });

  test('replay under another session or prover is rejected', () => {
    const other = new TextEncoder().encode('session-2');
    assertFails(affp.verify(ctxFor(L2048, { sessionId: other }), h.pub, h.proof), 'equation-1');
    assertFails(affp.verify(ctxFor(L2048, { prover: 3 }), h.pub, h.proof), 'equation-1');
  });

  test('public ciphertexts out of range or not coprime are rejected', () => {
    const { N0, N1 } = h.k;
    assertFails(affp.verify(h.ctx, { ...h.pub, C: 0n }, h.proof), 'ciphertext-C');
    assertFails(
      affp.verify(h.ctx, { ...h.pub, D: nonUnit(N0.N, h.k.sk0) }, h.proof),
      'ciphertext-D',
    );
    assertFails(affp.verify(h.ctx, { ...h.pub, X: N1.N2 }, h.proof), 'ciphertext-X');
    assertFails(
      affp.verify(h.ctx, { ...h.pub, Y: nonUnit(N1.N, h.k.sk1) }, h.proof),
      'ciphertext-Y',
    );
  });

  test('out-of-range witnesses: the prover refuses, the verifier rejects a forced proof', () => {
    const L = L2048;
    const ctx = ctxFor(L);
    const bx = statement(L, pow2(L.ell) + 1n, 1n);
    assert.throws(() => affp.prove(ctx, bx.pub, bx.priv, rng()), RangeError);
    const by = statement(L, 1n, pow2(L.ellPrime) + 1n);
    assert.throws(() => affp.prove(ctx, by.pub, by.priv, rng()), RangeError);
    const hx = statement(L, -pow2(L.ell + L.epsilon + 2), 1n);
    assertFails(
      affp.verify(ctx, hx.pub, affp.proveUnchecked(ctx, hx.pub, hx.priv, rng())),
      'z1-range',
    );
    const hy = statement(L, 1n, pow2(L.ellPrime + L.epsilon + 2));
    assertFails(
      affp.verify(ctx, hy.pub, affp.proveUnchecked(ctx, hy.pub, hy.priv, rng())),
      'z2-range',
    );
  });
});
