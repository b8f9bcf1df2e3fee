import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deterministicRng } from '@quorate/runtime/harness';
import { modPow } from '@quorate/bigint';
import {
  LEVEL_2048,
  LEVEL_3072,
  PaillierParamError,
  fixtures,
  generateRingPedersen,
  pedersenCommit,
  validateRingPedersen,
} from '../src/index.ts';

const rng = deterministicRng('paillier/ring-pedersen');

function paramError(field: string, reason: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof PaillierParamError, `expected PaillierParamError, got ${String(e)}`);
    assert.equal(e.field, field);
    assert.equal(e.reason, reason);
    return true;
  };
}

describe('ring-Pedersen', () => {
  const [p, q] = fixtures.primes2048[1] as [bigint, bigint];
  const { params, secret } = generateRingPedersen(p, q, rng);

  test('generation: s = t^λ, t a square, valid parameters', () => {
    assert.equal(params.N, p * q);
    assert.equal(modPow(params.t, secret.lambda, params.N), params.s);
    assert.equal(secret.phi, (p - 1n) * (q - 1n));
    validateRingPedersen(params, LEVEL_2048);
  });

  test('3072-bit level too', () => {
    const [p3, q3] = fixtures.primes3072[1] as [bigint, bigint];
    const g = generateRingPedersen(p3, q3, rng);
    validateRingPedersen(g.params, LEVEL_3072);
    assert.throws(() => validateRingPedersen(g.params, LEVEL_2048), paramError('N', 'bit-length'));
  });

  test('commitment s^x t^y, with negative exponents', () => {
    const N = params.N;
    assert.equal(
      pedersenCommit(params, 3n, 5n),
      (modPow(params.s, 3n, N) * modPow(params.t, 5n, N)) % N,
    );
    const c = pedersenCommit(params, -7n, 11n);
    assert.equal((c * modPow(params.s, 7n, N)) % N, modPow(params.t, 11n, N));
  });

  test('rejects s, t ∈ {0, 1}, out of range, equal, not coprime, and a bad N̂', () => {
    const v = (over: Partial<typeof params>, path?: string) => () =>
      validateRingPedersen({ ...params, ...over }, LEVEL_2048, path);
    assert.throws(v({ s: 0n }), paramError('s', 'trivial'));
    assert.throws(v({ s: 1n }), paramError('s', 'trivial'));
    assert.throws(v({ t: 0n }), paramError('t', 'trivial'));
    assert.throws(v({ t: 1n }), paramError('t', 'trivial'));
    assert.throws(v({ s: -3n }), paramError('s', 'out-of-range'));
    assert.throws(v({ t: params.N }), paramError('t', 'out-of-range'));
    assert.throws(v({ t: params.N + 2n }), paramError('t', 'out-of-range'));
    assert.throws(v({ s: params.t }), paramError('s', 'equal'));
    assert.throws(v({ s: p * 2n }), paramError('s', 'not-coprime'));
    assert.throws(v({ t: q }), paramError('t', 'not-coprime'));
    assert.throws(v({ N: params.N + 1n }), paramError('N', 'even'));
    assert.throws(v({ N: 1n }), paramError('N', 'too-small'));
    assert.throws(v({ t: 1n }, 'payload.prm'), paramError('payload.prm.t', 'trivial'));
  });
});
