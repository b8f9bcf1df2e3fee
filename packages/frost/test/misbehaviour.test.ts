import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '@quorate/runtime';
import { dropWhere, flipHex, simulate, tamperField } from '@quorate/runtime/harness';
import { deterministicRng } from '@quorate/runtime/harness';
import { frostDkg } from '../src/dkg.ts';
import { frostRefresh } from '../src/refresh.ts';
import { NonceError, SigningPackageError } from '../src/errors.ts';
import type { KeyShare } from '../src/keyshare.ts';
import { InMemoryNonceStore, preprocess } from '../src/nonces.ts';
import { aggregate, CheaterError, signShare } from '../src/sign.ts';
import type { SigningPackage } from '../src/sign.ts';
import { getSuite } from '../src/suite.ts';
import type { CommitmentPair } from '../src/core.ts';
import { signingKey } from '../src/taproot.ts';
import { hex, runDkg, runSign, te } from './helpers.ts';

const shares = runDkg('ed25519', 2, 3, 'misbehaviour');
const suite = getSuite('ed25519');
const msg = te('transfer');
const otherPoint = hex(suite.encodePoint(suite.mulBase(5n)));

function assertAbort(e: ProtocolError | undefined, culprits: number[], reason?: RegExp) {
  assert.ok(e instanceof ProtocolError);
  assert.equal(e.kind, 'aborted');
  assert.deepEqual(e.culprits, culprits);
  if (reason) assert.match(e.blame[0]?.reason ?? '', reason);
}

describe('signing protocol', () => {
  test('a corrupted signature share names its sender; no signature is released', () => {
    const r = runSign(shares, [1, 2, 3], msg, {
      interceptors: [tamperField({ from: 2, round: 2 }, 'z', flipHex)],
    });
    assert.equal(r.outputs.size, 1, 'only the cheater itself completes');
    assert.ok(r.outputs.has(2));
    assertAbort(r.errors.get(1), [2]);
    assertAbort(r.errors.get(3), [2]);
  });

  test('a commitment swapped in transit to one signer is refused (echo names the equivocation)', () => {
    const r = runSign(shares, [1, 2, 3], msg, {
      interceptors: [
        tamperField({ from: 1, to: 3, round: 1, phase: 'main' }, 'D', () => otherPoint),
      ],
    });
    assert.equal(r.outputs.size, 0);
    assertAbort(r.errors.get(2), [1], /equivocation/);
    assertAbort(r.errors.get(3), [1], /equivocation/);
  });

  test('a dropped commitment stops the run: time-out naming the missing signer', () => {
    const r = runSign(shares, [1, 2, 3], msg, { interceptors: [dropWhere({ from: 2, round: 1 })] });
    assert.equal(r.outputs.size, 0);
    for (const p of [1, 3]) {
      const e = r.errors.get(p);
      assert.equal(e?.kind, 'io');
      assert.deepEqual(e?.missing, [2]);
    }
  });

  test('an invalid point as commitment is blamed on the sender, naming the field', () => {
    const identity = '01' + '00'.repeat(31);
    const r = runSign(shares, [1, 2], msg, {
      interceptors: [tamperField({ from: 2, round: 1, phase: 'main' }, 'E', () => identity)],
    });
    assertAbort(r.errors.get(1), [2], /payload\.E.*identity/);
  });

  test('a preprocessed nonce is used once: a second run with it is refused', () => {
    const store = new InMemoryNonceStore();
    const rng = deterministicRng('nonce-reuse');
    const key1 = signingKey(shares.get(1) as KeyShare);
    const { id } = preprocess(suite, key1.secretShare, store, rng)[0] as { id: string };
    const cfg = (p: number) => (p === 1 ? { nonce: { store, id } } : {});
    const first = runSign(shares, [1, 2], msg, { config: cfg });
    assert.equal(first.errors.size, 0);
    assert.throws(
      () => runSign(shares, [1, 2], te('another message'), { config: cfg, seed: 'again' }),
      (e: unknown) => e instanceof NonceError && e.fault === 'consumed' && e.nonceId === id,
    );
  });
});

describe('coordinator API', () => {
  const k1 = signingKey(shares.get(1) as KeyShare);
  const k2 = signingKey(shares.get(2) as KeyShare);
  const k3 = signingKey(shares.get(3) as KeyShare);
  const rng = deterministicRng('coordinator');
  const setup = () => {
    const stores = new Map([1, 2, 3].map((p) => [p, new InMemoryNonceStore()]));
    const ids = new Map<number, string>();
    const commitments = new Map<number, CommitmentPair>();
    for (const k of [k1, k2, k3]) {
      const [n] = preprocess(
        suite,
        k.secretShare,
        stores.get(k.self) as InMemoryNonceStore,
        rng,
      ) as [{ id: string; commitment: CommitmentPair }];
      ids.set(k.self, n.id);
      commitments.set(k.self, n.commitment);
    }
    return { stores, ids, commitments };
  };
  const sign = (
    s: ReturnType<typeof setup>,
    k: typeof k1,
    pkg: SigningPackage,
    signers?: number[],
  ) =>
    signShare(
      k,
      s.stores.get(k.self) as InMemoryNonceStore,
      s.ids.get(k.self) as string,
      pkg,
      signers ? { signers } : {},
    );

  test('honest round: aggregate verifies every share; a bad share names the cheater', () => {
    const s = setup();
    const pkg = { message: msg, commitments: s.commitments };
    const zs = new Map([k1, k2, k3].map((k) => [k.self, sign(s, k, pkg)]));
    const sig = aggregate(k1, pkg, zs);
    assert.ok(suite.verify(sig, msg, k1.publicKey));
    zs.set(3, (zs.get(3) as bigint) + 1n);
    assert.throws(
      () => aggregate(k1, pkg, zs),
      (e: unknown) => e instanceof CheaterError && e.culprits.length === 1 && e.culprits[0] === 3,
    );
  });

  test('the signer refuses a package with its own commitment swapped, and keeps the nonce', () => {
    const s = setup();
    const swapped = new Map(s.commitments);
    swapped.set(1, {
      hiding: suite.mulBase(5n),
      binding: (s.commitments.get(1) as CommitmentPair).binding,
    });
    assert.throws(
      () => sign(s, k1, { message: msg, commitments: swapped }),
      (e: unknown) => e instanceof SigningPackageError && e.field === 'commitments[1]',
    );
    // The honest package still signs: the refusal did not burn the nonce.
    sign(s, k1, { message: msg, commitments: s.commitments });
    assert.throws(
      () => sign(s, k1, { message: msg, commitments: s.commitments }),
      (e: unknown) => e instanceof NonceError && e.fault === 'consumed',
    );
  });

  test('dropped commitments are refused: own, an agreed signer’s, below threshold', () => {
    const s = setup();
    const without = (p: number) => new Map([...s.commitments].filter(([q]) => q !== p));
    assert.throws(
      () => sign(s, k1, { message: msg, commitments: without(1) }),
      (e: unknown) => e instanceof SigningPackageError && e.field === 'commitments[1]',
    );
    assert.throws(
      () => sign(s, k1, { message: msg, commitments: without(3) }, [1, 2, 3]),
      (e: unknown) => e instanceof SigningPackageError && e.field === 'commitments[3]',
    );
    const only1 = new Map([[1, s.commitments.get(1) as CommitmentPair]]);
    assert.throws(
      () => sign(s, k1, { message: msg, commitments: only1 }),
      (e: unknown) => e instanceof SigningPackageError && e.field === 'commitments',
    );
    const stranger = new Map(s.commitments);
    stranger.set(9, s.commitments.get(2) as CommitmentPair);
    assert.throws(
      () => sign(s, k1, { message: msg, commitments: stranger }),
      (e: unknown) => e instanceof SigningPackageError && e.field === 'commitments[9]',
    );
  });

  test('nonce store: unknown id and duplicate id', () => {
    const store = new InMemoryNonceStore();
    assert.throws(
      () => store.consume('nope'),
      (e: unknown) => e instanceof NonceError && e.fault === 'unknown',
    );
    const { id } = preprocess(suite, 1n, store, rng)[0] as { id: string };
    const rec = store.consume(id);
    assert.throws(
      () => store.put(rec),
      (e: unknown) => e instanceof NonceError && e.fault === 'duplicate-id',
    );
  });
});

describe('DKG', () => {
  const run = (
    interceptors: Parameters<typeof tamperField>[] extends never
      ? never
      : ReturnType<typeof tamperField>[],
  ) =>
    simulate(frostDkg('ed25519'), {
      parties: [1, 2, 3],
      threshold: 2,
      seed: 'dkg-bad',
      interceptors,
      config: () => undefined,
    });

  test('a bad proof of knowledge names the sender', () => {
    const r = run([tamperField({ from: 2, round: 1, phase: 'main' }, 'pok', flipHex)]);
    assert.equal(r.outputs.size, 0);
    assertAbort(r.errors.get(1), [2]);
    assertAbort(r.errors.get(3), [2]);
  });

  test('a rogue key (commitment replaced, proof kept) is refused', () => {
    const r = run([
      tamperField({ from: 3, round: 1, phase: 'main' }, 'C', (C) => [
        otherPoint,
        (C as string[])[1] as string,
      ]),
    ]);
    assertAbort(r.errors.get(1), [3], /proof of knowledge/);
  });

  test('a small-order commitment is refused, naming the field', () => {
    const order2 = 'ec' + 'ff'.repeat(30) + '7f';
    const r = run([
      tamperField({ from: 3, round: 1, phase: 'main' }, 'C', (C) => [
        (C as string[])[0] as string,
        order2,
      ]),
    ]);
    assertAbort(r.errors.get(2), [3], /payload\.C\[1\].*small order/);
  });

  test('a wrong secret share names its sender (and only the receiver who got it can tell)', () => {
    const r = run([tamperField({ from: 1, to: 2, round: 2 }, 'share', flipHex)]);
    assertAbort(r.errors.get(2), [1]);
    assert.ok(r.outputs.has(3));
  });
});

describe('refresh', () => {
  test('a refresh share that does not match its commitments names the sender', () => {
    const r = simulate(frostRefresh('ed25519'), {
      parties: [1, 2, 3],
      seed: 'refresh-bad',
      interceptors: [tamperField({ from: 3, to: 1, round: 2 }, 'delta', flipHex)],
      config: (p) => ({ share: shares.get(p) as KeyShare }),
    });
    assertAbort(r.errors.get(1), [3], /refresh share/);
    assert.equal(r.outputs.has(1), false);
  });
});
