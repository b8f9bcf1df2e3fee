// Resharing (reshare.ts): 2-of-3 → 3-of-5 → 2-of-3 with the same public key, signing after each
// step; a new member that crashes mid-reshare leaves the old shares valid; bad dealers are named.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { dropWhere, flipHex, simulate, tamperField } from '@quorate/runtime/harness';
import type { Interceptor } from '@quorate/runtime/harness';
import { oldKeyPublic, reshare, reshareCommitDecision } from '../src/reshare.ts';
import type { ReshareOutput } from '../src/reshare.ts';
import { presign } from '../src/presign.ts';
import { Presignature } from '../src/presignature.ts';
import { sign } from '../src/sign.ts';
import { validateKeyShare } from '../src/key-share.ts';
import type { KeyShare } from '../src/key-share.ts';
import { loadShares } from './fixtures.ts';

const old23 = loadShares(2, 3);
const aux35 = new Map(loadShares(3, 5).map((s) => [s.core.i, s.aux]));
const aux23 = new Map(old23.map((s) => [s.core.i, s.aux]));
const Y = old23[0]!.core.publicKey;
const byId = (shares: readonly KeyShare[]) => new Map(shares.map((s) => [s.core.i, s]));

function runReshare(
  from: ReadonlyMap<number, KeyShare>,
  dealers: number[],
  newParties: number[],
  newThreshold: number,
  interceptors: Interceptor[] = [],
  seed = 'reshare',
) {
  const oldKey = oldKeyPublic([...from.values()][0]!);
  const parties = [...new Set([...dealers, ...newParties])].sort((a, b) => a - b);
  return simulate(reshare, {
    parties,
    config: (p) => ({
      oldKey,
      ...(dealers.includes(p) ? { oldShare: from.get(p)! } : {}),
      dealers,
      newParties,
      newThreshold,
    }),
    seed,
    interceptors,
  });
}

/** Attaches the committee's aux-info (aux-info is per party set and reusable across keys). */
function withAux(outputs: ReadonlyMap<number, ReshareOutput>, aux: Map<number, KeyShare['aux']>) {
  return new Map(
    [...outputs.values()]
      .filter((o) => o.share !== null)
      .map((o) => [
        o.share!.core.i,
        validateKeyShare({ core: o.share!.core, aux: aux.get(o.share!.core.i)! }),
      ]),
  );
}

function signWith(shares: Map<number, KeyShare>, signers: number[]) {
  const pre = simulate(presign, {
    parties: signers,
    config: (p) => ({ share: shares.get(p)! }),
    seed: `pre-${signers}`,
  });
  if (pre.errors.size) return { error: [...pre.errors.values()][0]! };
  const digest = sha256(new TextEncoder().encode(`reshare ${signers}`));
  const presigs = new Map([...pre.outputs].map(([p, o]) => [p, new Presignature(o)]));
  const r = simulate(sign, {
    parties: signers,
    config: (p) => ({ presignature: presigs.get(p)!, digest }),
    seed: 'sign',
  });
  const sig = r.outputs.get(signers[0]!);
  if (!sig) return { error: [...r.errors.values()][0]! };
  const compact = new secp256k1.Signature(sig.r, sig.s).toBytes('compact');
  return { ok: secp256k1.verify(compact, digest, Y.toBytes(true), { prehash: false }) };
}

describe('reshare', () => {
  const up = runReshare(byId(old23), [1, 3], [1, 2, 3, 4, 5], 3);
  const shares35 = withAux(up.outputs, aux35);

  test('2-of-3 → 3-of-5: same public key and chain code, every party confirmed one result', () => {
    assert.equal(up.errors.size, 0, [...up.errors.values()].map((e) => e.message).join());
    assert.equal(shares35.size, 5);
    const digests = new Set(
      [...up.outputs.values()].map((o) => Buffer.from(o.confirmation).toString('hex')),
    );
    assert.equal(digests.size, 1);
    for (const s of shares35.values()) {
      assert.ok(s.core.publicKey.equals(Y));
      assert.equal(s.core.t, 3);
      assert.deepEqual(s.core.parties, [1, 2, 3, 4, 5]);
      assert.deepEqual(s.core.chainCode, old23[0]!.core.chainCode);
    }
    // Party 1 stays, with a new share.
    assert.notEqual(shares35.get(1)!.core.x, old23[0]!.core.x);
  });

  test('the 3-of-5 shares sign under the same key', () => {
    assert.deepEqual(signWith(shares35, [2, 4, 5]), { ok: true });
  });

  test('3-of-5 → 2-of-3 (back) and sign again', () => {
    const down = runReshare(shares35, [2, 4, 5], [1, 2, 3], 2, [], 'reshare-back');
    assert.equal(down.errors.size, 0, [...down.errors.values()].map((e) => e.message).join());
    // Parties 4 and 5 leave: they get no share, but confirmed the same result.
    assert.equal(down.outputs.get(4)!.share, null);
    const shares23 = withAux(down.outputs, aux23);
    assert.equal(shares23.size, 3);
    assert.deepEqual(signWith(shares23, [2, 3]), { ok: true });
  });

  test('a new member crashing mid-reshare: nobody commits, the old shares still sign', () => {
    const crashed = runReshare(byId(old23), [1, 3], [1, 2, 3, 4, 5], 3, [
      dropWhere({ from: 5, round: 2 }),
    ]);
    assert.equal(crashed.outputs.size, 0);
    for (const [p, e] of crashed.errors) {
      assert.equal(e.kind, 'io', `party ${p}`);
      if (p !== 5) assert.deepEqual(e.missing, [5]);
    }
    assert.deepEqual(signWith(byId(old23), [1, 2]), { ok: true });
  });

  test('a lost confirmation: the party that finished must wait, never commit alone', () => {
    const lost = runReshare(byId(old23), [1, 3], [1, 2, 3, 4, 5], 3, [
      dropWhere({ from: 5, round: 3 }),
    ]);
    const five = lost.outputs.get(5)!;
    assert.ok(five, 'party 5 heard every confirmation');
    assert.equal(lost.outputs.size, 1);
    const acks = new Map([[5, five.confirmation]]);
    assert.deepEqual(reshareCommitDecision(five, acks), {
      decision: 'wait',
      missing: [1, 2, 3, 4],
    });
  });

  test('a bad sub-share names its dealer', () => {
    const bad = runReshare(byId(old23), [1, 3], [1, 2, 3, 4, 5], 3, [
      tamperField({ from: 3, to: 4, round: 2 }, 'sigma', flipHex),
    ]);
    assert.deepEqual(bad.errors.get(4)?.culprits, [3]);
    assert.equal(bad.errors.get(4)?.kind, 'aborted');
    assert.equal(
      bad.errors.get(4)?.blame[0]?.reason,
      'reshare sub-share does not match the dealer’s commitments',
    );
    assert.equal(bad.outputs.size, 0);
  });

  test('a dealer whose constant term would move the key is named by every party', () => {
    const G = secp256k1.Point.BASE.toHex(true);
    const bad = runReshare(byId(old23), [1, 3], [1, 2, 3, 4, 5], 3, [
      tamperField({ from: 1, round: 1, phase: 'main' }, 'C', (C) => [
        G,
        ...(C as string[]).slice(1),
      ]),
    ]);
    assert.equal(bad.outputs.size, 0);
    for (const p of [2, 3, 4, 5]) {
      assert.deepEqual(bad.errors.get(p)?.culprits, [1], `party ${p}`);
      assert.match(bad.errors.get(p)!.blame[0]!.reason, /constant commitment/);
    }
  });

  test('commit rule: commit only when every new party acknowledged the same result', () => {
    const o = up.outputs.get(1)!;
    const all = new Map([1, 2, 3, 4, 5].map((p) => [p, o.confirmation]));
    assert.deepEqual(reshareCommitDecision(o, all), { decision: 'commit' });
    const other = new Map(all).set(4, new Uint8Array(32));
    assert.deepEqual(reshareCommitDecision(o, other), {
      decision: 'abort',
      reason: 'acknowledged a different reshare result',
      parties: [4],
    });
  });

  test('configuration errors are refused before any message', () => {
    assert.throws(() => runReshare(byId(old23), [1], [1, 2, 3], 2), /at least t_old = 2/);
    assert.throws(() => runReshare(byId(old23), [1, 3], [1, 2, 3], 4), /newThreshold/);
  });
});
