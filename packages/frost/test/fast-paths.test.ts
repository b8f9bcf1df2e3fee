// The speed-ups give the same answers as the plain arithmetic: key tables (Suite.mulKey), the
// GLV multi-scalar path for secp256k1, and the coordinator reusing a signer's context.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { deterministicRng } from '@quorate/runtime/harness';
import { dealerSplit } from '../src/dealer.ts';
import type { KeyShare } from '../src/keyshare.ts';
import { InMemoryNonceStore, preprocess } from '../src/nonces.ts';
import { aggregateWithContext, signShareWithContext } from '../src/sign.ts';
import type { CommitmentPair, SigningContext } from '../src/core.ts';
import { getSuite, KEY_TABLE_AFTER, negatePoint, SUITE_IDS } from '../src/suite.ts';
import type { SuiteId } from '../src/suite.ts';
import { externalKey, signingKey } from '../src/taproot.ts';
import type { SigningKey } from '../src/taproot.ts';
import { te } from './helpers.ts';

const rng = deterministicRng('fast-paths');

describe('Suite.mulKey (window table after repeated use)', () => {
  for (const id of SUITE_IDS)
    test(`${id}: equals multiplyUnsafe before and after the table exists`, () => {
      const suite = getSuite(id);
      const P = suite.mulBase(0xc0ffeen + BigInt(id.length));
      // A second object for the same point: the table must serve equal keys, not one object.
      const Q = suite.decodePoint(suite.encodePoint(P), 'P');
      for (let i = 0; i < KEY_TABLE_AFTER + 4; i++) {
        const k = suite.order - 1n - BigInt(i) * 0x1234567890abcdefn;
        const want = P.multiplyUnsafe(k);
        assert.ok(suite.mulKey(i % 2 ? P : Q, k).equals(want), `use ${i + 1}`);
      }
      assert.ok(suite.mulKey(P, 0n).is0());
    });
  test('the base point as a key: results stay right, for it and for base multiplications', () => {
    const suite = getSuite('ed25519');
    const G = suite.base;
    for (let i = 0; i < KEY_TABLE_AFTER + 1; i++)
      assert.ok(suite.mulKey(G, 5n).equals(G.multiplyUnsafe(5n)));
    // The table goes on a private copy (suite.ts), so noble's base point keeps its own.
    assert.ok(suite.mulBase(7n).equals(G.add(G).add(G).add(G).add(G).add(G).add(G)));
  });
});

describe('base point table and batch encoding', () => {
  for (const id of SUITE_IDS)
    test(`${id}: mulBase and mulBasePublic equal noble's base multiplication`, () => {
      const suite = getSuite(id);
      for (const k of [1n, 2n, 0xdeadbeefn, suite.order - 1n, suite.order - 0x1234567n]) {
        const want = suite.base.multiply(k);
        assert.ok(suite.mulBase(k).equals(want), `mulBase ${k}`);
        assert.ok(suite.mulBasePublic(k).equals(want), `mulBasePublic ${k}`);
      }
      assert.ok(suite.mulBase(0n).is0() && suite.mulBasePublic(0n).is0());
    });
  for (const id of SUITE_IDS)
    test(`${id}: encodePoints gives each point's own encoding, identity and repeats included`, () => {
      const suite = getSuite(id);
      const compressed = id === 'ed25519' ? [] : [true];
      // Fresh sums, so the points are projective (Z ≠ 1) and carry no remembered encoding.
      const ps = [3n, 5n, 7n].map((k) => suite.base.multiply(k).add(suite.base));
      const batch = suite.encodePoints([ps[0]!, ps[1]!, ps[0]!, ps[2]!]);
      assert.deepEqual(
        batch,
        [ps[0]!, ps[1]!, ps[0]!, ps[2]!].map((p) => p.toBytes(...compressed)),
      );
      const withZero = [suite.base.multiply(11n).add(suite.base), suite.base.multiply(13n)];
      if (id !== 'ed25519')
        // SEC1 has no 33-byte identity: encoding it is refused, as encodePoint refuses it.
        assert.throws(() => suite.encodePoints([...withZero, suite.zero]));
      else
        assert.deepEqual(
          suite.encodePoints([...withZero, suite.zero]),
          [...withZero, suite.zero].map((p) => p.toBytes()),
        );
    });
});

describe('negatePoint (encoding carried over for secp256k1)', () => {
  for (const id of SUITE_IDS)
    test(`${id}: the encoding of −P is that of a fresh negation, both Y parities`, () => {
      const suite = getSuite(id);
      const parities = new Set<number>();
      for (let i = 1n; i <= 8n; i++) {
        const P = suite.mulBase(i * 0x9e3779b97f4a7c15n);
        const enc = suite.encodePoint(P); // remembered, so the negation derives its own
        parities.add(enc[0] as number);
        const N = negatePoint(P);
        const fresh = suite.decodePoint(N.toBytes(), 'fresh'); // same point, no remembered bytes
        assert.deepEqual(suite.encodePoint(N), N.toBytes(...(id === 'ed25519' ? [] : [true])));
        assert.ok(N.equals(fresh) && N.add(P).is0());
      }
      if (id !== 'ed25519') assert.deepEqual([...parities].sort(), [2, 3]);
    });
});

describe('Suite.msm', () => {
  for (const id of SUITE_IDS)
    test(`${id}: 1 to 5 terms (and zero scalars) equal the plain sum`, () => {
      const suite = getSuite(id);
      for (let n = 1; n <= 5; n++) {
        const ps = Array.from({ length: n }, (_, i) => suite.mulBase(BigInt(7 + 31 * i)));
        const ks = ps.map((_, i) => (i === 1 ? 0n : suite.order - BigInt(1000 + i)));
        let want = suite.zero;
        ps.forEach((p, i) => (want = want.add(p.multiplyUnsafe(ks[i] as bigint))));
        assert.ok(suite.msm(ps, ks).equals(want), `${n} terms`);
      }
    });
});

/** One signing with the coordinator being signer `signers[0]`, reusing its context. */
function signOnce(shares: Map<number, KeyShare>, signers: number[], msg: Uint8Array, bad?: number) {
  const keys = signers.map((p) => signingKey(shares.get(p) as KeyShare));
  const stores = new Map<number, { store: InMemoryNonceStore; id: string }>();
  const commitments = new Map<number, CommitmentPair>();
  for (const k of keys) {
    const store = new InMemoryNonceStore();
    const [n] = preprocess(k.suite, k.secretShare, store, rng);
    if (!n) throw new Error('no nonce');
    stores.set(k.self, { store, id: n.id });
    commitments.set(k.self, n.commitment);
  }
  const zs = new Map<number, bigint>();
  let context: SigningContext | undefined;
  for (const k of keys) {
    const s = stores.get(k.self) as { store: InMemoryNonceStore; id: string };
    const r = signShareWithContext(k, s.store, s.id, { message: msg, commitments });
    zs.set(k.self, k.self === bad ? (r.share + 1n) % k.suite.order : r.share);
    context ??= r.context;
  }
  const key = keys[0] as SigningKey;
  const ctx = context as SigningContext;
  return { key, ctx, result: aggregateWithContext(key, ctx, commitments, zs) };
}

describe('coordinator reusing a signer’s context, key table in place', () => {
  for (const id of ['ed25519', 'secp256k1-tr'] as SuiteId[])
    test(`${id}: ${KEY_TABLE_AFTER + 2} signings verify independently; a bad share is still named`, () => {
      const shares = dealerSplit({ suite: id, threshold: 2, parties: [1, 2, 3], rng });
      const msg = te('fast paths');
      for (let i = 0; i < KEY_TABLE_AFTER + 2; i++) {
        const { key, result } = signOnce(shares, i % 2 ? [1, 3] : [2, 3], msg);
        assert.ok('signature' in result, `signing ${i + 1}`);
        const pk = externalKey(key.suite, key.publicKey);
        const ok =
          id === 'ed25519'
            ? ed25519.verify(result.signature, msg, pk, { zip215: false })
            : schnorr.verify(result.signature, msg, pk);
        assert.ok(ok, `signing ${i + 1} verifies`);
      }
      const { result } = signOnce(shares, [1, 2, 3], msg, 3);
      assert.deepEqual(result, { culprits: [3] });
    });
});

describe('cheater detection (per-share checks run only when the aggregate fails)', () => {
  for (const id of SUITE_IDS)
    test(`${id}: a bad share is named${id === 'secp256k1-tr' ? ' whether R has odd or even Y' : ''}`, () => {
      const shares = dealerSplit({ suite: id, threshold: 2, parties: [1, 2, 3], rng });
      const msg = te('cheater');
      // Taproot negates nonces and commitment shares when R has odd Y: cover both cases. The
      // parity depends on the nonces; draw signings until each has been seen (bounded).
      const seen = new Set<boolean>();
      for (let i = 0; i < 64 && seen.size < (id === 'secp256k1-tr' ? 2 : 1); i++) {
        const bad = 1 + (i % 3);
        const { ctx, result } = signOnce(shares, [1, 2, 3], msg, bad);
        assert.deepEqual(result, { culprits: [bad] });
        seen.add(ctx.negateR);
      }
      assert.equal(seen.size, id === 'secp256k1-tr' ? 2 : 1);
    });
});
