import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSigned } from '@quorate/runtime';
import { DecodeError, codec } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';
import * as affg from '../src/aff-g/index.ts';
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

function statement(level: SecurityLevel, x: bigint, y: bigint, seed = 'affg') {
  const k = keys(level);
  const r = rng(seed);
  const C = k.N0.encrypt(randomSigned(r, pow2(level.ell)), r).C;
  const rho = k.N0.randomRho(r);
  const D = k.N0.add(k.N0.mul(C, x), k.N0.encryptWith(y, rho));
  const { C: Y, rho: rhoY } = k.N1.encrypt(y, r);
  const pub: affg.Public = { N0: k.N0, N1: k.N1, C, D, Y, X: mulSecret(G, x), aux: k.aux };
  const priv: affg.Private = { x, y, rho, rhoY };
  return { k, pub, priv };
}

function honest(level: SecurityLevel) {
  const r = rng('witness');
  const x = randomSigned(r, pow2(level.ell));
  const y = randomSigned(r, pow2(level.ellPrime));
  const s = statement(level, x, y);
  const ctx = ctxFor(level);
  const proof = affg.prove(ctx, s.pub, s.priv, rng('prove'));
  return { ...s, ctx, proof };
}

describe('Π^aff-g (Fig. 15)', () => {
  const h = honest(L2048);

  test('an honest proof verifies, also after encode → decode', () => {
    assertOk(affg.verify(h.ctx, h.pub, h.proof));
    const back = roundTrip(affg.proofSchema, h.proof);
    assertOk(affg.verify(h.ctx, h.pub, back));
    assert.deepEqual(
      codec.encodeCanonical(affg.proofSchema, back),
      codec.encodeCanonical(affg.proofSchema, h.proof),
    );
  });

  test('the 3072 level: honest proof verifies after the round trip', () => {
    const h3 = honest(L3072);
    assertOk(affg.verify(h3.ctx, h3.pub, roundTrip(affg.proofSchema, h3.proof)));
    // A proof is bound to its level: the 2048 context refuses it.
    assert.equal(affg.verify(ctxFor(L2048), h3.pub, h3.proof).ok, false);
  });

  test('each field tampered is rejected with its reason', () => {
    const { N0, N1, aux } = h.k;
    const p = h.proof;
    const cases: [keyof affg.Proof, unknown, string][] = [
      // Commitments changed to other valid values change the challenge: equation 1 fails first.
      ['A', N0.add(p.A, 1n + N0.N), 'equation-1'],
      ['Bx', p.Bx.add(G), 'equation-1'],
      ['By', N1.add(p.By, 1n + N1.N), 'equation-1'],
      ['E', (p.E * aux.s) % aux.N, 'equation-1'],
      ['S', (p.S * aux.s) % aux.N, 'equation-1'],
      ['F', (p.F * aux.s) % aux.N, 'equation-1'],
      ['T', (p.T * aux.s) % aux.N, 'equation-1'],
      // Responses: the first equation that uses each one.
      ['z1', p.z1 + 1n, 'equation-1'],
      ['z2', p.z2 + 1n, 'equation-1'],
      ['z3', p.z3 + 1n, 'equation-4'],
      ['z4', p.z4 + 1n, 'equation-5'],
      ['w', (p.w * 2n) % N0.N, 'equation-1'],
      ['wY', (p.wY * 2n) % N1.N, 'equation-3'],
      // Values outside their domain, each with its own code.
      ['A', 0n, 'ciphertext-A'],
      ['A', N0.N2, 'ciphertext-A'],
      ['A', nonUnit(N0.N, h.k.sk0), 'ciphertext-A'],
      ['By', N1.N2 + 1n, 'ciphertext-By'],
      ['By', nonUnit(N1.N, h.k.sk1), 'ciphertext-By'],
      ['Bx', p.Bx.subtract(p.Bx), 'Bx-identity'],
      ['E', 0n, 'E-unit'],
      ['S', aux.N, 'S-unit'],
      ['F', aux.N + p.F, 'F-unit'],
      ['T', 0n, 'T-unit'],
      ['w', 0n, 'w-unit'],
      ['w', N0.N, 'w-unit'],
      ['wY', nonUnit(N1.N, h.k.sk1), 'wY-unit'],
      ['z1', pow2(L2048.ell + L2048.epsilon) + 1n, 'z1-range'],
      ['z1', -pow2(L2048.ell + L2048.epsilon) - 1n, 'z1-range'],
      ['z2', pow2(L2048.ellPrime + L2048.epsilon) + 1n, 'z2-range'],
    ];
    for (const [field, value, check] of cases) {
      assertFails(affg.verify(h.ctx, h.pub, { ...p, [field]: value }), check);
    }
  });

  test('an inconsistent X or Y fails its own equation', () => {
    // The prover proves a statement whose X is not x·G: only equation 2 can catch it.
    const badX = { ...h.pub, X: h.pub.X.add(G) };
    assertFails(affg.verify(h.ctx, badX, affg.prove(h.ctx, badX, h.priv, rng('x'))), 'equation-2');
    const badY = { ...h.pub, Y: h.k.N1.add(h.pub.Y, 1n + h.k.N1.N) };
    assertFails(affg.verify(h.ctx, badY, affg.prove(h.ctx, badY, h.priv, rng('y'))), 'equation-3');
  });

  test('replay under another session, prover or extra binding is rejected', () => {
    const other = new TextEncoder().encode('session-2');
    assertFails(affg.verify(ctxFor(L2048, { sessionId: other }), h.pub, h.proof), 'equation-1');
    assertFails(affg.verify(ctxFor(L2048, { prover: 2 }), h.pub, h.proof), 'equation-1');
    assertFails(
      affg.verify(ctxFor(L2048, { extra: Uint8Array.of(1) }), h.pub, h.proof),
      'equation-1',
    );
  });

  test('public ciphertexts out of range or not coprime are rejected', () => {
    const { N0, N1 } = h.k;
    assertFails(affg.verify(h.ctx, { ...h.pub, C: 0n }, h.proof), 'ciphertext-C');
    assertFails(affg.verify(h.ctx, { ...h.pub, C: N0.N2 }, h.proof), 'ciphertext-C');
    assertFails(
      affg.verify(h.ctx, { ...h.pub, C: nonUnit(N0.N, h.k.sk0) }, h.proof),
      'ciphertext-C',
    );
    assertFails(affg.verify(h.ctx, { ...h.pub, D: -1n }, h.proof), 'ciphertext-D');
    assertFails(affg.verify(h.ctx, { ...h.pub, D: N0.N }, h.proof), 'ciphertext-D');
    assertFails(affg.verify(h.ctx, { ...h.pub, Y: N1.N2 + 5n }, h.proof), 'ciphertext-Y');
    assertFails(
      affg.verify(h.ctx, { ...h.pub, Y: nonUnit(N1.N, h.k.sk1) }, h.proof),
      'ciphertext-Y',
    );
  });

  test('out-of-range witnesses: the prover refuses, and the verifier rejects a forced proof', () => {
    const L = L2048;
    const ctx = ctxFor(L);
    const bigX = statement(L, pow2(L.ell) + 1n, 5n);
    assert.throws(() => affg.prove(ctx, bigX.pub, bigX.priv, rng()), RangeError);
    const bigY = statement(L, 5n, -pow2(L.ellPrime) - 1n);
    assert.throws(() => affg.prove(ctx, bigY.pub, bigY.priv, rng()), RangeError);
    // A cheating prover skipping the check: |e·x| ≥ 4·2^(ℓ+ε) pushes z1 out of ±2^(ℓ+ε).
    const hugeX = statement(L, pow2(L.ell + L.epsilon + 2), 5n);
    const fx = affg.proveUnchecked(ctx, hugeX.pub, hugeX.priv, rng());
    assertFails(affg.verify(ctx, hugeX.pub, fx), 'z1-range');
    const hugeY = statement(L, 5n, -pow2(L.ellPrime + L.epsilon + 2));
    const fy = affg.proveUnchecked(ctx, hugeY.pub, hugeY.priv, rng());
    assertFails(affg.verify(ctx, hugeY.pub, fy), 'z2-range');
  });

  test('the codec refuses oversize responses and bad points, naming the field', () => {
    const json = affg.proofSchema.encode(h.proof) as Record<string, unknown>;
    const big = (pow2(L2048.ell + L2048.epsilon + 8) + 1n).toString(16);
    assert.throws(
      () => affg.proofSchema.parse({ ...json, z1: big }, ''),
      (e: unknown) => e instanceof DecodeError && e.message.includes('z1'),
    );
    assert.throws(
      () => affg.proofSchema.parse({ ...json, Bx: '05' + '11'.repeat(32) }, ''),
      (e: unknown) => e instanceof DecodeError && e.message.includes('Bx'),
    );
  });
});
