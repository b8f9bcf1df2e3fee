// Key refresh for t-of-n keys (CGGMP21 Fig. 6 with a Feldman zero-sharing).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { fixtures, LEVEL_2048 } from '@quorate/paillier';
import { simulate, tamperField, flipHex } from '@quorate/runtime/harness';
import { refresh } from '../src/refresh.ts';
import { presign } from '../src/presign.ts';
import { Presignature } from '../src/presignature.ts';
import { sign } from '../src/sign.ts';
import type { KeyShare } from '../src/key-share.ts';
import { loadShares } from './fixtures.ts';

const old = loadShares(2, 3);
const byId = (shares: KeyShare[]) => new Map(shares.map((s) => [s.core.i, s]));

function runRefresh(interceptors: Parameters<typeof simulate>[1]['interceptors'] = []) {
  const m = byId(old);
  return simulate(refresh, {
    parties: [1, 2, 3],
    config: (p) => ({ share: m.get(p)!, level: LEVEL_2048, primes: fixtures.primes2048[4 + p]! }),
    seed: 'refresh',
    ...(interceptors ? { interceptors } : {}),
  });
}

function presignAndSign(shares: Map<number, KeyShare>, signers: number[]) {
  const pre = simulate(presign, {
    parties: signers,
    config: (p) => ({ share: shares.get(p)! }),
    seed: `pre-${signers}`,
  });
  if (pre.errors.size) return { error: [...pre.errors.values()][0]! };
  const digest = sha256(new TextEncoder().encode('after refresh'));
  const presigs = new Map([...pre.outputs].map(([p, o]) => [p, new Presignature(o)]));
  const r = simulate(sign, {
    parties: signers,
    config: (p) => ({ presignature: presigs.get(p)!, digest }),
    seed: 'sign',
  });
  return { sig: r.outputs.get(signers[0]!)!, digest };
}

describe('refresh', () => {
  const r = runRefresh();
  const fresh = [...r.outputs.values()];

  test('shares change, the public key does not, aux-info is new', () => {
    assert.equal(r.errors.size, 0, [...r.errors.values()].map((e) => e.message).join());
    for (const s of fresh) {
      const before = old.find((o) => o.core.i === s.core.i)!;
      assert.notEqual(s.core.x, before.core.x);
      assert.ok(s.core.publicKey.equals(before.core.publicKey));
      assert.deepEqual(s.core.chainCode, before.core.chainCode);
      assert.notEqual(s.aux!.p, before.aux!.p);
    }
  });

  test('new shares sign under the same key', () => {
    const { sig, digest } = presignAndSign(byId(fresh), [1, 3]);
    assert.ok(sig, 'a signature');
    const compact = new secp256k1.Signature(sig!.r, sig!.s).toBytes('compact');
    assert.ok(
      secp256k1.verify(compact, digest!, old[0]!.core.publicKey.toBytes(true), { prehash: false }),
    );
  });

  test('mixing an old and a new share cannot presign', () => {
    const mixed = new Map([
      [1, fresh.find((s) => s.core.i === 1)!],
      [2, old.find((s) => s.core.i === 2)!],
    ]);
    const { error } = presignAndSign(mixed, [1, 2]);
    assert.equal(error?.kind, 'aborted');
  });

  test('a refresh share inconsistent with the zero-sharing commitments names its sender', () => {
    const bad = runRefresh([tamperField({ from: 3, to: 1, round: 3 }, 'sigma', flipHex)]);
    assert.deepEqual(bad.errors.get(1)?.culprits, [3]);
    assert.equal(
      bad.errors.get(1)?.blame[0]?.reason,
      'refresh share σ does not match the zero-sharing commitments',
    );
    assert.equal(bad.outputs.has(1), false);
  });
});
