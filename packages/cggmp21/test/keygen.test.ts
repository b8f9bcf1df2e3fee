// CGGMP21 threshold key generation (Fig. 5 + Feldman VSS): honest runs and blame.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { simulate, tamperField, flipHex } from '@quorate/runtime/harness';
import { keygen } from '../src/keygen.ts';
import { lagrangeAtZero } from '../src/vss.ts';
import { mulG, modQ } from '../src/curve.ts';
import { deserializeKeyShare, serializeKeyShare, InvalidKeyShareError } from '../src/key-share.ts';

function runKeygen(
  t: number,
  n: number,
  seed = `kg-${t}-${n}`,
  interceptors = [] as Parameters<typeof simulate>[1]['interceptors'],
) {
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  return simulate(keygen, {
    parties,
    threshold: t,
    config: () => ({ t }),
    seed,
    ...(interceptors ? { interceptors } : {}),
  });
}

describe('keygen', () => {
  for (const [t, n] of [
    [2, 3],
    [3, 3],
    [3, 5],
  ] as const) {
    test(`${t}-of-${n}: every party agrees and any t shares interpolate the secret key`, () => {
      const r = runKeygen(t, n);
      assert.equal(r.errors.size, 0);
      const shares = [...r.outputs.values()];
      const Y = shares[0]!.publicKey;
      for (const s of shares) {
        assert.ok(s.publicKey.equals(Y));
        assert.deepEqual(s.chainCode, shares[0]!.chainCode);
        assert.equal(s.t, t);
      }
      // Reconstruct from the first t and from the last t: both give the key behind Y.
      for (const subset of [shares.slice(0, t), shares.slice(n - t)]) {
        const ids = subset.map((s) => s.i);
        const x = modQ(subset.reduce((acc, s) => acc + lagrangeAtZero(ids, s.i) * s.x, 0n));
        assert.ok(mulG(x).equals(Y));
        assert.deepEqual(
          secp256k1.getPublicKey(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'), true),
          Y.toBytes(true),
        );
      }
    });
  }

  test('a bad Feldman share names its dealer', () => {
    const r = runKeygen(2, 3, 'kg-bad-share', [
      tamperField({ from: 2, to: 3, round: 2 }, 'sigma', flipHex),
    ]);
    assert.deepEqual(r.errors.get(3)?.culprits, [2]);
    assert.equal(
      r.errors.get(3)?.blame[0]?.reason,
      'share σ does not match the Feldman commitments',
    );
    assert.equal(r.outputs.size, 0);
  });

  test('an opening that does not match V names the sender', () => {
    const r = runKeygen(2, 3, 'kg-bad-open', [
      tamperField({ from: 1, to: 2, round: 2 }, 'u', flipHex),
    ]);
    assert.deepEqual(r.errors.get(2)?.culprits, [1]);
    assert.equal(
      r.errors.get(2)?.blame[0]?.reason,
      'opening does not match its round-1 commitment V',
    );
  });

  test('a bad Schnorr proof names the prover', () => {
    const r = runKeygen(2, 3, 'kg-bad-psi', [
      tamperField({ from: 3, to: 1, round: 3 }, 'psi', (p) => ({
        ...(p as Record<string, string>),
        z: flipHex((p as Record<string, string>).z as string) as string,
      })),
    ]);
    assert.deepEqual(r.errors.get(1)?.culprits, [3]);
    assert.match(r.errors.get(1)?.blame[0]?.reason ?? '', /^Π\^sch proof of the key share fails/);
  });

  test('equivocating commitments are caught by the echo round', () => {
    const r = runKeygen(2, 3, 'kg-equiv', [
      tamperField({ from: 1, to: 2, round: 1, phase: 'main' }, 'V', flipHex),
    ]);
    assert.deepEqual(r.errors.get(3)?.culprits, [1]);
    assert.match(r.errors.get(3)?.blame[0]?.reason ?? '', /^equivocation/);
  });

  test('key share serialization round-trips and rejects tampering', () => {
    const r = runKeygen(2, 3, 'kg-ser');
    const share = r.outputs.get(1)!;
    const bytes = serializeKeyShare({ core: share, aux: null });
    const back = deserializeKeyShare(bytes);
    assert.equal(back.core.x, share.x);
    assert.ok(back.core.publicKey.equals(share.publicKey));
    const json = JSON.parse(new TextDecoder().decode(bytes));
    json.core.x = (share.x + 1n).toString(16);
    assert.throws(
      () => deserializeKeyShare(new TextEncoder().encode(JSON.stringify(json))),
      (e: unknown) => e instanceof InvalidKeyShareError && e.field === 'x',
    );
  });
});
