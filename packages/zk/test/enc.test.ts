import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL_2048 } from '@quorate/paillier';
import * as enc from '../src/enc/index.ts';
import { pow2 } from '../src/common/index.ts';
import { assertCheck, assertOk, ctxOf, keysA, rngOf, roundTrip } from './helpers-a.ts';

const level = LEVEL_2048;
const { sk, aux } = keysA(level);
const N0 = sk.publicKey.N;
const ctx = ctxOf(level);
const k = 123456789n - pow2(200);
const rho = 987654321n;
const pub: enc.Public = { N0, K: sk.publicKey.encryptWith(k, rho), aux };
const proof = enc.prove(ctx, pub, { k, rho }, rngOf('enc'));

describe('Π^enc (Fig. 14)', () => {
  test('honest proof verifies, also after encode → decode', () => {
    assertOk(enc.verify(ctx, pub, proof));
    assertOk(enc.verify(ctx, pub, roundTrip(enc.proofSchemaFor(level), proof)));
    assertOk(enc.verify(ctx, pub, roundTrip(enc.proofSchema, proof)));
  });

  test('replay under another session id or prover id is rejected', () => {
    assertCheck(enc.verify(ctxOf(level, 'session-2'), pub, proof), 'equation-1');
    assertCheck(enc.verify(ctxOf(level, 'session-1', 2), pub, proof), 'equation-1');
  });

  const cases: [string, (p: enc.Proof) => enc.Proof, string][] = [
    ['S not a unit', (p) => ({ ...p, S: 0n }), 'unit-S'],
    ['S changed', (p) => ({ ...p, S: (p.S * 2n) % aux.N }), 'equation-1'],
    ['A out of range', (p) => ({ ...p, A: N0 * N0 }), 'ciphertext-A'],
    ['A not coprime', (p) => ({ ...p, A: N0 }), 'ciphertext-A'],
    ['A changed', (p) => ({ ...p, A: (p.A * 2n) % (N0 * N0) }), 'equation-1'],
    ['C not a unit', (p) => ({ ...p, C: aux.N }), 'unit-C'],
    ['C changed', (p) => ({ ...p, C: (p.C * 2n) % aux.N }), 'equation-1'],
    ['z1 out of range', (p) => ({ ...p, z1: pow2(level.ell + level.epsilon) + 1n }), 'z1-range'],
    ['z1 changed', (p) => ({ ...p, z1: p.z1 + 1n }), 'equation-1'],
    ['z2 not a unit', (p) => ({ ...p, z2: 0n }), 'z2-range'],
    ['z2 changed', (p) => ({ ...p, z2: (p.z2 * 2n) % N0 }), 'equation-1'],
    [
      'z3 out of range',
      (p) => ({ ...p, z3: pow2(level.ell + level.epsilon + 1) * aux.N + 1n }),
      'z3-range',
    ],
    ['z3 changed', (p) => ({ ...p, z3: p.z3 + 1n }), 'equation-2'],
  ];
  for (const [name, tamper, check] of cases) {
    test(`tampered: ${name} → ${check}`, () =>
      assertCheck(enc.verify(ctx, pub, tamper(proof)), check));
  }

  test('public input checks: K not a ciphertext, N0 even or of the wrong length', () => {
    assertCheck(enc.verify(ctx, { ...pub, K: 0n }, proof), 'ciphertext-K');
    assertCheck(enc.verify(ctx, { ...pub, K: N0 * 5n }, proof), 'ciphertext-K');
    assertCheck(enc.verify(ctx, { ...pub, K: N0 * N0 + 1n }, proof), 'ciphertext-K');
    assertCheck(enc.verify(ctx, { ...pub, N0: N0 + 1n }, proof), 'N0-even');
    assertCheck(enc.verify(ctx, { ...pub, N0: 1n }, proof), 'N0-bits');
    assertCheck(enc.verify(ctx, { ...pub, N0: 0n }, proof), 'N0-even');
    assertCheck(
      enc.verify(ctx, { ...pub, K: sk.publicKey.encryptWith(k + 1n, rho) }, proof),
      'equation-1',
    );
  });

  test('out-of-range witness k ≥ 2^(ℓ+ε): prover refuses, forged proof fails z1-range', () => {
    const big = pow2(level.ell + level.epsilon);
    const badPub = { ...pub, K: sk.publicKey.encryptWith(big, rho) };
    assert.throws(() => enc.prove(ctx, badPub, { k: big, rho }, rngOf('x')), RangeError);
    assert.throws(
      () => enc.prove(ctx, badPub, { k: pow2(level.ell) + 1n, rho }, rngOf('x')),
      RangeError,
    );
    const forged = enc.proveUnchecked(ctx, badPub, { k: big, rho }, rngOf('forged'));
    assertCheck(enc.verify(ctx, badPub, forged), 'z1-range');
  });

  test('decoder refuses oversized and non-canonical fields', () => {
    const json = enc.proofSchemaFor(level).encode(proof) as Record<string, string>;
    assert.throws(() => enc.proofSchemaFor(level).parse({ ...json, S: '0' + json.S }, ''), /S/);
    assert.throws(() => enc.proofSchemaFor(level).parse({ ...json, extra: '1' }, ''), /extra/);
  });
});
