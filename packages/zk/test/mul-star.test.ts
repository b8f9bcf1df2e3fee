import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSigned } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';
import * as mulStar from '../src/mul-star/index.ts';
import { G, mulSecret, pow2 } from '../src/common/index.ts';
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
  const r = rng('mul-star');
  const C = k.N0.encrypt(randomSigned(r, pow2(level.ell)), r).C;
  const rho = k.N0.randomRho(r);
  const D = k.N0.add(k.N0.mul(C, x), k.N0.encryptWith(0n, rho));
  const pub: mulStar.Public = { N0: k.N0, C, D, X: mulSecret(G, x), aux: k.aux };
  return { k, pub, priv: { x, rho } as mulStar.Private };
}

function honest(level: SecurityLevel) {
  const s = statement(level, randomSigned(rng('witness'), pow2(level.ell)));
  const ctx = ctxFor(level);
  return { ...s, ctx, proof: mulStar.prove(ctx, s.pub, s.priv, rng('prove')) };
}

describe('Π^mul* (Fig. 31)', () => {
  const h = honest(L2048);

  test('an honest proof verifies, also after encode → decode', () => {
    assertOk(mulStar.verify(h.ctx, h.pub, h.proof));
    assertOk(mulStar.verify(h.ctx, h.pub, roundTrip(mulStar.proofSchema, h.proof)));
  });

  test('the 3072 level: honest proof verifies after the round trip', () => {
    const h3 = honest(L3072);
    assertOk(mulStar.verify(h3.ctx, h3.pub, roundTrip(mulStar.proofSchema, h3.proof)));
  });

  test('each field tampered is rejected with its reason', () => {
    const { N0, aux } = h.k;
    const p = h.proof;
    const cases: [keyof mulStar.Proof, unknown, string][] = [
      ['A', N0.add(p.A, 1n + N0.N), 'equation-1'],
      ['Bx', p.Bx.add(G), 'equation-1'],
      ['E', (p.E * aux.s) % aux.N, 'equation-1'],
      ['S', (p.S * aux.s) % aux.N, 'equation-1'],
      ['z1', p.z1 + 1n, 'equation-1'],
      ['z2', p.z2 + 1n, 'equation-3'],
      ['w', (p.w * 2n) % N0.N, 'equation-1'],
      ['A', 0n, 'ciphertext-A'],
      ['A', nonUnit(N0.N, h.k.sk0), 'ciphertext-A'],
      ['Bx', p.Bx.subtract(p.Bx), 'Bx-identity'],
      ['E', aux.N, 'E-unit'],
      ['S', 0n, 'S-unit'],
      ['w', nonUnit(N0.N, h.k.sk0), 'w-unit'],
      ['z1', pow2(L2048.ell + L2048.epsilon) + 1n, 'z1-range'],
    ];
    for (const [field, value, check] of cases)
      assertFails(mulStar.verify(h.ctx, h.pub, { ...p, [field]: value }), check);
  });

  test('a statement whose X is not x·G fails equation 2', () => {
    const bad = { ...h.pub, X: h.pub.X.add(G) };
    assertFails(
      mulStar.verify(h.ctx, bad, mulStar.prove(h.ctx, bad, h.priv, rng('x'))),
      'equation-2',
    );
  });

  test('replay under another session or prover is rejected', () => {
    const other = new TextEncoder().encode('session-2');
    assertFails(mulStar.verify(ctxFor(L2048, { sessionId: other }), h.pub, h.proof), 'equation-1');
    assertFails(mulStar.verify(ctxFor(L2048, { prover: 7 }), h.pub, h.proof), 'equation-1');
  });

  test('public ciphertexts out of range or not coprime are rejected', () => {
    const { N0 } = h.k;
    assertFails(mulStar.verify(h.ctx, { ...h.pub, C: N0.N2 }, h.proof), 'ciphertext-C');
    assertFails(
      mulStar.verify(h.ctx, { ...h.pub, C: nonUnit(N0.N, h.k.sk0) }, h.proof),
      'ciphertext-C',
    );
    assertFails(mulStar.verify(h.ctx, { ...h.pub, D: 0n }, h.proof), 'ciphertext-D');
  });

  test('out-of-range x: the prover refuses, the verifier rejects a forced proof', () => {
    const ctx = ctxFor(L2048);
    const big = statement(L2048, -pow2(L2048.ell) - 1n);
    assert.throws(() => mulStar.prove(ctx, big.pub, big.priv, rng()), RangeError);
    const huge = statement(L2048, pow2(L2048.ell + L2048.epsilon + 2));
    const forced = mulStar.proveUnchecked(ctx, huge.pub, huge.priv, rng());
    assertFails(mulStar.verify(ctx, huge.pub, forced), 'z1-range');
  });
});
