import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL_2048 } from '@quorate/paillier';
import { mod } from '@quorate/bigint';
import * as prm from '../src/prm/index.ts';
import { assertCheck, assertOk, ctxOf, keysA, rngOf, roundTrip } from './helpers-a.ts';

const level = LEVEL_2048;
const { aux, auxSecret } = keysA(level);
const ctx = ctxOf(level);
const priv = { lambda: auxSecret.lambda, phi: auxSecret.phi };
const proof = prm.prove(ctx, aux, priv, rngOf('prm'));
const N = aux.N;

describe('Π^prm (Fig. 17)', () => {
  test('honest proof verifies, also after encode → decode', () => {
    assertOk(prm.verify(ctx, aux, roundTrip(prm.proofSchemaFor(level), proof)));
    assert.deepEqual(roundTrip(prm.proofSchema, proof), proof);
  });

  test('replay under another session id or prover id is rejected', () => {
    assertCheck(prm.verify(ctxOf(level, 'session-2'), aux, proof), 'equation-1');
    assertCheck(prm.verify(ctxOf(level, 'session-1', 3), aux, proof), 'equation-1');
  });

  test('iteration count comes from the level', () => {
    assertCheck(prm.verify(ctx, aux, { A: proof.A.slice(1), z: proof.z.slice(1) }), 'iterations');
    assertCheck(prm.verify(ctx, aux, { A: proof.A, z: proof.z.slice(1) }), 'iterations');
  });

  test('tampered fields', () => {
    const A0 = proof.A[0] as bigint;
    const z0 = proof.z[0] as bigint;
    assertCheck(prm.verify(ctx, aux, { ...proof, A: [0n, ...proof.A.slice(1)] }), 'unit-A');
    assertCheck(prm.verify(ctx, aux, { ...proof, A: [N, ...proof.A.slice(1)] }), 'unit-A');
    assertCheck(
      prm.verify(ctx, aux, { ...proof, A: [mod(A0 * 2n, N), ...proof.A.slice(1)] }),
      'equation-1',
    );
    assertCheck(prm.verify(ctx, aux, { ...proof, z: [N, ...proof.z.slice(1)] }), 'z-range');
    assertCheck(prm.verify(ctx, aux, { ...proof, z: [-1n, ...proof.z.slice(1)] }), 'z-range');
    assertCheck(
      prm.verify(ctx, aux, { ...proof, z: [z0 + 1n, ...proof.z.slice(1)] }),
      'equation-1',
    );
  });

  test('a wrong λ (s ∉ ⟨t⟩ as claimed) is caught', () => {
    const bad = prm.prove(ctx, aux, { ...priv, lambda: priv.lambda + 1n }, rngOf('bad'));
    assertCheck(prm.verify(ctx, aux, bad), 'equation-1');
  });

  test('parameter checks: N̂, s, t ∉ {0,1}, s ≠ t, units', () => {
    assertCheck(prm.verify(ctx, { ...aux, N: 0n }, proof), 'Nhat-even');
    assertCheck(prm.verify(ctx, { ...aux, N: 1n }, proof), 'Nhat-bits');
    assertCheck(prm.verify(ctx, { ...aux, N: N + 1n }, proof), 'Nhat-even');
    assertCheck(
      prm.verify(ctx, { ...aux, N: auxSecret.p * auxSecret.p }, proof),
      'Nhat-perfect-power',
    );
    assertCheck(prm.verify(ctx, { ...aux, s: 0n }, proof), 's-trivial');
    assertCheck(prm.verify(ctx, { ...aux, s: 1n }, proof), 's-trivial');
    assertCheck(prm.verify(ctx, { ...aux, t: 1n }, proof), 't-trivial');
    assertCheck(prm.verify(ctx, { ...aux, t: 0n }, proof), 't-trivial');
    assertCheck(prm.verify(ctx, { ...aux, s: auxSecret.p }, proof), 's-unit');
    assertCheck(prm.verify(ctx, { ...aux, t: N + 2n }, proof), 't-unit');
    assertCheck(prm.verify(ctx, { ...aux, s: aux.t }, proof), 's-equals-t');
  });
});
