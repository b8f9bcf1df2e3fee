import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL_2048 } from '@quorate/paillier';
import * as sch from '../src/sch/index.ts';
import { CURVE_ORDER, G, Point } from '../src/common/index.ts';
import { assertCheck, assertOk, ctxOf, rngOf, roundTrip } from './helpers-a.ts';

const level = LEVEL_2048;
const ctx = ctxOf(level);
const x = 0x1234567890abcdefn;
const pub: sch.Public = { X: G.multiply(x) };
const proof = sch.prove(ctx, pub, { x }, rngOf('sch'));

describe('Π^sch (Fig. 22)', () => {
  test('honest proof verifies, also after encode → decode', () => {
    assertOk(sch.verify(ctx, pub, proof));
    assertOk(sch.verify(ctx, pub, roundTrip(sch.proofSchema, proof)));
  });

  test('commit first, prove later gives the same kind of proof', () => {
    const { commitment, secret } = sch.commit(rngOf('c'));
    const p = sch.proveWithCommitment(ctx, pub, { x }, commitment, secret);
    assert.ok(p.A.equals(commitment.A));
    assertOk(sch.verify(ctx, pub, p));
  });

  test('replay under another session id or prover id is rejected', () => {
    assertCheck(sch.verify(ctxOf(level, 'session-2'), pub, proof), 'equation-1');
    assertCheck(sch.verify(ctxOf(level, 'session-1', 7), pub, proof), 'equation-1');
    assertCheck(sch.verify({ ...ctx, extra: new Uint8Array([1]) }, pub, proof), 'equation-1');
  });

  test('tampered fields', () => {
    assertCheck(sch.verify(ctx, pub, { ...proof, A: proof.A.add(G) }), 'equation-1');
    assertCheck(sch.verify(ctx, pub, { ...proof, A: Point.ZERO }), 'A-identity');
    assertCheck(sch.verify(ctx, pub, { ...proof, z: (proof.z + 1n) % CURVE_ORDER }), 'equation-1');
    assertCheck(sch.verify(ctx, pub, { ...proof, z: proof.z + CURVE_ORDER }), 'z-range');
    assertCheck(sch.verify(ctx, pub, { ...proof, z: -1n }), 'z-range');
    assertCheck(sch.verify(ctx, { X: pub.X.add(G) }, proof), 'equation-1');
    assertCheck(sch.verify(ctx, { X: Point.ZERO }, proof), 'X-identity');
  });

  test('decoder refuses the identity and off-curve points', () => {
    const json = sch.proofSchema.encode(proof) as Record<string, string>;
    assert.throws(() => sch.proofSchema.parse({ ...json, A: '02' + '00'.repeat(32) }, ''), /A/);
    assert.throws(() => sch.proofSchema.parse({ ...json, A: '05' + json.A?.slice(2) }, ''), /A/);
  });
});
