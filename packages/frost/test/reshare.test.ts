// FROST resharing (reshare.ts): 2-of-3 → 3-of-5 → 2-of-3 (replacing members) for every suite,
// signing after each step under the same key (checked with noble); a crash mid-reshare leaves
// the old shares signing; bad dealers are named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { dropWhere, flipHex, simulate, tamperField } from '@quorate/runtime/harness';
import type { Interceptor } from '@quorate/runtime/harness';
import { frostOldKeyPublic, frostReshare, frostReshareCommitDecision } from '../src/reshare.ts';
import type { FrostReshareOutput } from '../src/reshare.ts';
import type { KeyShare } from '../src/keyshare.ts';
import { getSuite } from '../src/suite.ts';
import type { SuiteId } from '../src/suite.ts';
import { runDkg, runSign, te } from './helpers.ts';

function reshareRun(
  from: ReadonlyMap<number, KeyShare>,
  dealers: number[],
  newParties: number[],
  newThreshold: number,
  interceptors: Interceptor[] = [],
) {
  const first = [...from.values()][0] as KeyShare;
  const oldKey = frostOldKeyPublic(first);
  const parties = [...new Set([...dealers, ...newParties])].sort((a, b) => a - b);
  return simulate(frostReshare(first.suite), {
    parties,
    config: (p) => ({
      oldKey,
      ...(dealers.includes(p) ? { oldShare: from.get(p) as KeyShare } : {}),
      dealers,
      newParties,
      newThreshold,
    }),
    seed: `reshare-${first.suite}-${newParties}`,
    interceptors,
  });
}

const sharesOf = (outputs: ReadonlyMap<number, FrostReshareOutput>) =>
  new Map(
    [...outputs.values()]
      .filter((o) => o.share !== null)
      .map((o) => [(o.share as KeyShare).self, o.share as KeyShare]),
  );

function signsUnder(shares: ReadonlyMap<number, KeyShare>, signers: number[]): boolean {
  const msg = te(`reshare ${signers}`);
  const r = runSign(shares, signers, msg);
  const out = r.outputs.get(signers[0] as number);
  if (!out) return false;
  const share = shares.get(signers[0] as number) as KeyShare;
  const pk = getSuite(share.suite).encodePoint(share.publicKey);
  if (share.suite === 'ed25519') return ed25519.verify(out.signature, msg, pk);
  if (share.suite === 'secp256k1-tr') return schnorr.verify(out.signature, msg, pk.subarray(1));
  return getSuite(share.suite).verify(out.signature, msg, share.publicKey);
}

for (const suite of ['ed25519', 'secp256k1', 'secp256k1-tr'] as SuiteId[]) {
  describe(`reshare ${suite}`, () => {
    const old = runDkg(suite, 2, 3);
    const Y = (old.get(1) as KeyShare).publicKey;

    test('2-of-3 → 3-of-5 → 2-of-3 with new members; same key; signs after each step', () => {
      const up = reshareRun(old, [1, 3], [1, 2, 3, 4, 5], 3);
      assert.equal(up.errors.size, 0, [...up.errors.values()].map((e) => e.message).join());
      const s35 = sharesOf(up.outputs);
      assert.equal(s35.size, 5);
      for (const s of s35.values()) {
        assert.ok(s.publicKey.equals(Y));
        assert.equal(s.threshold, 3);
        assert.equal(s.epoch, 1);
      }
      assert.ok(signsUnder(s35, [1, 4, 5]));
      // Back to 2-of-3, replacing 1 and 2 by 6 and 7 (remove and add co-signers at once).
      const down = reshareRun(s35, [2, 3, 4], [3, 6, 7], 2);
      assert.equal(down.errors.size, 0, [...down.errors.values()].map((e) => e.message).join());
      assert.equal((down.outputs.get(2) as FrostReshareOutput).share, null);
      const s23 = sharesOf(down.outputs);
      assert.deepEqual([...s23.keys()].sort(), [3, 6, 7]);
      assert.ok(signsUnder(s23, [6, 7]));
      assert.ok(signsUnder(s23, [3, 7]));
    });

    test('a new member crashing mid-reshare: no output, old shares still sign', () => {
      const r = reshareRun(old, [1, 2], [1, 2, 3, 4], 3, [dropWhere({ from: 4, round: 2 })]);
      assert.equal(r.outputs.size, 0);
      for (const [p, e] of r.errors) if (p !== 4) assert.deepEqual(e.missing, [4]);
      assert.ok(signsUnder(old, [2, 3]));
    });

    test('a bad sub-share names its dealer; a moved constant term is refused', () => {
      const bad = reshareRun(old, [1, 3], [1, 2, 3, 4, 5], 3, [
        tamperField({ from: 1, to: 5, round: 2 }, 'sigma', flipHex),
      ]);
      assert.deepEqual(bad.errors.get(5)?.culprits, [1]);
      assert.equal(bad.errors.get(5)?.kind, 'aborted');
      const G = Buffer.from(getSuite(suite).encodePoint(getSuite(suite).base)).toString('hex');
      const moved = reshareRun(old, [1, 3], [1, 2, 3, 4, 5], 3, [
        tamperField({ from: 3, round: 1, phase: 'main' }, 'C', (C) => [
          G,
          ...(C as string[]).slice(1),
        ]),
      ]);
      assert.equal(moved.outputs.size, 0);
      assert.deepEqual(moved.errors.get(4)?.culprits, [3]);
      assert.match(moved.errors.get(4)?.blame[0]?.reason ?? '', /constant commitment/);
    });
  });
}

test('commit rule: wait for every new party, abort on a different digest', () => {
  const out = { confirmation: new Uint8Array(32).fill(7), newParties: [1, 2, 3] };
  assert.deepEqual(frostReshareCommitDecision(out, new Map([[1, out.confirmation]])), {
    decision: 'wait',
    missing: [2, 3],
  });
  const all = new Map([1, 2, 3].map((p) => [p, out.confirmation]));
  assert.deepEqual(frostReshareCommitDecision(out, all), { decision: 'commit' });
  assert.equal(
    frostReshareCommitDecision(out, new Map(all).set(2, new Uint8Array(32))).decision,
    'abort',
  );
});
