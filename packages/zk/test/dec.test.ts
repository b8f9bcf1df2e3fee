import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mod } from '@quorate/bigint';
import { randomSigned } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';
import * as dec from '../src/dec/index.ts';
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

/** The prover (key N1) opens C = enc(y) modulo q; the verifier owns the ring-Pedersen aux. */
function statement(level: SecurityLevel, y: bigint) {
  const k = keys(level);
  const { C, rho } = k.N1.encrypt(y, rng('dec'));
  const pub: dec.Public = { N0: k.N1, C, x: mod(y, level.q), aux: k.aux };
  return { k, pub, priv: { y, rho } as dec.Private };
}

function honest(level: SecurityLevel) {
  // A plaintext as large as presigning's δ_i: far beyond ±2^ℓ.
  const s = statement(level, randomSigned(rng('witness'), pow2(dec.yBits(level))));
  const ctx = ctxFor(level);
  return { ...s, ctx, proof: dec.prove(ctx, s.pub, s.priv, rng('prove')) };
}

describe('Π^dec (Fig. 30)', () => {
  const h = honest(L2048);

  test('an honest proof verifies, also after encode → decode', () => {
    assertOk(dec.verify(h.ctx, h.pub, h.proof));
    assertOk(dec.verify(h.ctx, h.pub, roundTrip(dec.proofSchema, h.proof)));
  });

  test('the 3072 level, with the nonce recovered from the ciphertext', () => {
    const k = keys(L3072);
    const y = -12345678901234567890n;
    const { C } = k.N1.encrypt(y, rng('c3'));
    assert.ok(k.sk1.recoverRho);
    const rho = k.sk1.recoverRho(C);
    assert.equal(k.sk1.decryptSigned(C), y);
    const pub: dec.Public = { N0: k.N1, C, x: mod(y, L3072.q), aux: k.aux };
    const ctx = ctxFor(L3072);
    const proof = dec.prove(ctx, pub, { y, rho }, rng('p3'));
    assertOk(dec.verify(ctx, pub, roundTrip(dec.proofSchema, proof)));
  });

  test('each field tampered is rejected with its reason', () => {
    const { N1, aux } = h.k;
    const q = L2048.q;
    const p = h.proof;
    const cases: [keyof dec.Proof, unknown, string][] = [
      ['S', (p.S * aux.s) % aux.N, 'equation-1'],
      ['T', (p.T * aux.s) % aux.N, 'equation-1'],
      ['A', N1.add(p.A, 1n + N1.N), 'equation-1'],
      ['gamma', (p.gamma + 1n) % q, 'equation-1'],
      ['z1', p.z1 + 1n, 'equation-1'],
      ['z2', p.z2 + 1n, 'equation-3'],
      ['w', (p.w * 2n) % N1.N, 'equation-1'],
      ['S', 0n, 'S-unit'],
      ['T', aux.N, 'T-unit'],
      ['A', nonUnit(N1.N, h.k.sk1), 'ciphertext-A'],
      ['gamma', q, 'gamma-range'],
      ['gamma', -1n, 'gamma-range'],
      ['w', 0n, 'w-unit'],
      ['z1', pow2(dec.z1Bits(L2048)) + 1n, 'z1-range'],
    ];
    for (const [field, value, check] of cases)
      assertFails(dec.verify(h.ctx, h.pub, { ...p, [field]: value }), check);
  });

  test('a wrong opening x fails equation 2; x outside Z_q is refused', () => {
    const wrong = { ...h.pub, x: mod(h.pub.x + 1n, L2048.q) };
    assertFails(dec.verify(h.ctx, wrong, dec.prove(h.ctx, wrong, h.priv, rng('x'))), 'equation-2');
    assertFails(dec.verify(h.ctx, { ...h.pub, x: L2048.q }, h.proof), 'x-range');
    assertFails(dec.verify(h.ctx, { ...h.pub, x: -1n }, h.proof), 'x-range');
  });

  test('opening y + N0 instead of the signed decryption is caught by the z1 range', () => {
    // Equation 1 holds for y + N0 as well (it is taken mod N0); only the bound on z1 stops it.
    const y = h.priv.y + h.k.N1.N;
    const cheat = { ...h.pub, x: mod(y, L2048.q) };
    const forced = dec.proveUnchecked(h.ctx, cheat, { ...h.priv, y }, rng('cheat'));
    assertFails(dec.verify(h.ctx, cheat, forced), 'z1-range');
  });

  test('replay under another session or prover is rejected', () => {
    const other = new TextEncoder().encode('session-2');
    assertFails(dec.verify(ctxFor(L2048, { sessionId: other }), h.pub, h.proof), 'equation-1');
    assertFails(dec.verify(ctxFor(L2048, { prover: 9 }), h.pub, h.proof), 'equation-1');
  });

  test('a public ciphertext out of range or not coprime is rejected', () => {
    const N1 = h.k.N1;
    assertFails(dec.verify(h.ctx, { ...h.pub, C: 0n }, h.proof), 'ciphertext-C');
    assertFails(dec.verify(h.ctx, { ...h.pub, C: N1.N2 }, h.proof), 'ciphertext-C');
    assertFails(
      dec.verify(h.ctx, { ...h.pub, C: nonUnit(N1.N, h.k.sk1) }, h.proof),
      'ciphertext-C',
    );
  });

  test('the prover refuses a y too large to hide', () => {
    const s = statement(L2048, pow2(dec.yBits(L2048)) + 1n);
    assert.throws(() => dec.prove(h.ctx, s.pub, s.priv, rng()), RangeError);
  });
});
