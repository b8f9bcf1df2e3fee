// The presignature codec (presignature-store.ts): a stored presignature signs like the original;
// decoding is strict and every invariant the signing step relies on is re-checked, naming the field.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { simulate } from '@quorate/runtime/harness';
import { presign } from '../src/presign.ts';
import type { PresignOutput } from '../src/presign.ts';
import { Presignature } from '../src/presignature.ts';
import {
  deserializePresignOutput,
  InvalidPresignatureError,
  serializePresignOutput,
} from '../src/presignature-store.ts';
import { sign } from '../src/sign.ts';
import { loadShares } from './fixtures.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('presignature codec', () => {
  let outs: Map<number, PresignOutput>;

  before(() => {
    const shares = new Map(loadShares(2, 3).map((s) => [s.core.i, s]));
    const run = simulate(presign, {
      parties: [1, 3],
      config: (p) => ({ share: shares.get(p)! }),
      seed: 'presignature-store',
    });
    assert.equal(run.errors.size, 0);
    outs = run.outputs as Map<number, PresignOutput>;
  });

  const bytesOf = (i: number) => serializePresignOutput(outs.get(i)!);
  const edited = (i: number, edit: (j: Record<string, unknown>) => void) => {
    const j = JSON.parse(dec.decode(bytesOf(i))) as Record<string, unknown>;
    edit(j);
    return enc.encode(JSON.stringify(j));
  };
  const rejects = (bytes: Uint8Array, field: string) =>
    assert.throws(
      () => deserializePresignOutput(bytes),
      (e: unknown) => e instanceof InvalidPresignatureError && e.field === field,
    );

  test('a round-tripped presignature signs and the signature verifies', () => {
    const restored = new Map([1, 3].map((i) => [i, deserializePresignOutput(bytesOf(i))]));
    assert.deepEqual(serializePresignOutput(restored.get(1)!), bytesOf(1));
    const digest = new Uint8Array(32).fill(7);
    const run = simulate(sign, {
      parties: [1, 3],
      config: (p) => ({ presignature: new Presignature(restored.get(p)!), digest }),
      seed: 'sign',
    });
    assert.equal(run.errors.size, 0);
    const sig = run.outputs.get(1)!;
    const Y = outs.get(1)!.publicKey.toBytes(true);
    const compact = new secp256k1.Signature(sig.r, sig.s).toBytes('compact');
    assert.equal(secp256k1.verify(compact, digest, Y, { prehash: false }), true);
  });

  test('an unknown field, a wrong format or a missing field is refused', () => {
    rejects(
      edited(1, (j) => (j['extra'] = 1)),
      'extra',
    );
    rejects(
      edited(1, (j) => (j['format'] = 'quorate/cggmp21/key-share')),
      'format',
    );
    rejects(
      edited(1, (j) => delete j['delta']),
      'delta',
    );
  });

  test('secrets that do not match the own commitments are refused', () => {
    const other = JSON.parse(dec.decode(bytesOf(3))) as Record<string, unknown>;
    rejects(
      edited(1, (j) => (j['k'] = other['k'])),
      'k',
    );
    rejects(
      edited(1, (j) => (j['chi'] = other['chi'])),
      'chi',
    );
  });

  test('inconsistent public values are refused', () => {
    rejects(
      edited(1, (j) => (j['R'] = j['Gamma'])),
      'R',
    );
    rejects(
      edited(1, (j) => (j['i'] = 2)),
      'i',
    );
    rejects(
      edited(1, (j) => (j['S'] = (j['S'] as unknown[]).slice(0, 1))),
      'S',
    );
  });
});
