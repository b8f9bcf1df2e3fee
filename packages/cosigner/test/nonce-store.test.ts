/**
 * DurableNonceStore (nonce-store.ts): the frost NonceStore contract (NonceError kinds), the
 * durability of consumption (database tombstone and external counter before the nonce is
 * returned, so before a signature share exists; a restored database serves no consumed nonce),
 * and that the remembered commitments neither mask the store's state nor decode points again.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dealerSplit,
  frostSign,
  getSuite,
  InMemoryNonceStore,
  NonceError,
  preprocess,
  signShare,
  signingKey,
} from '@quorate/frost';
import type { CommitmentPair, KeyShare, NonceFault, NonceStore, Suite } from '@quorate/frost';
import { deterministicRng, simulate } from '@quorate/runtime/harness';
import {
  CounterError,
  fileCounter,
  IntegrityError,
  KeyFileSeal,
  MemoryBackend,
  OneTimeStore,
  RollbackError,
  SecretStore,
  SqliteBackend,
} from '@quorate/secrets';
import type { CounterSource, MonotonicCounter } from '@quorate/secrets';
import { DurableNonceStore, MAX_REMEMBERED_COMMITMENTS } from '../src/nonce-store.ts';

const suite = getSuite('ed25519');
const OWNER = 'key-ed';
const rng = deterministicRng('cosigner/nonce-store.test');
const shares = dealerSplit({ suite: 'ed25519', threshold: 2, parties: [1, 2, 3], rng });
const share = (p: number) => shares.get(p) as KeyShare;

/** The suite with its point decoding and base multiplications counted. */
function counting(s: Suite): { suite: Suite; decodes: () => number; mulBases: () => number } {
  let decodes = 0;
  let mulBases = 0;
  return {
    suite: {
      ...s,
      decodePoint: (b, f) => (decodes++, s.decodePoint(b, f)),
      mulBase: (k) => (mulBases++, s.mulBase(k)),
    },
    decodes: () => decodes,
    mulBases: () => mulBases,
  };
}

interface Env {
  dir: string;
  seal: KeyFileSeal;
  backend: MemoryBackend;
  store: SecretStore;
  oneTime: OneTimeStore;
  nonces: (s?: Suite) => DurableNonceStore;
  done: () => void;
}

async function env(counter?: (inner: CounterSource, store: () => SecretStore) => CounterSource) {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-nonce-store-'));
  KeyFileSeal.generate(join(dir, 'seal.key'));
  const seal = new KeyFileSeal(join(dir, 'seal.key'));
  const backend = new MemoryBackend();
  const store = await SecretStore.create(backend, seal);
  const inner = fileCounter(join(dir, 'counter'));
  const oneTime = OneTimeStore.open(store, counter ? counter(inner, () => store) : inner);
  const e: Env = {
    dir,
    seal,
    backend,
    store,
    oneTime,
    nonces: (s = suite) => new DurableNonceStore(oneTime, store, s, OWNER),
    done: () => {
      oneTime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return e;
}

function isNonceError(fault: NonceFault, id: string) {
  return (e: unknown) => e instanceof NonceError && e.fault === fault && e.nonceId === id;
}

const encoded = (c: CommitmentPair) => [
  Buffer.from(suite.encodePoint(c.hiding)).toString('hex'),
  Buffer.from(suite.encodePoint(c.binding)).toString('hex'),
];

function preprocessOne(store: NonceStore, p = 1): { id: string; commitment: CommitmentPair } {
  return preprocess(suite, share(p).secretShare, store, rng)[0] as {
    id: string;
    commitment: CommitmentPair;
  };
}

describe('DurableNonceStore', () => {
  test('put, commitmentOf and consume: the stored nonce and commitment, no point decoded', async () => {
    const e = await env();
    try {
      const c = counting(suite);
      const store = e.nonces(c.suite);
      const { id, commitment } = preprocessOne(store);
      const mulBasesAfterPut = c.mulBases(); // the two of commit() itself
      assert.deepEqual(encoded(store.commitmentOf(id)), encoded(commitment));
      assert.deepEqual(encoded(store.commitmentOf(id)), encoded(commitment));
      const r = store.consume(id);
      assert.equal(r.id, id);
      assert.deepEqual(encoded(r.commitment), encoded(commitment));
      // The nonces are the ones the commitment was made from.
      assert.deepEqual(encoded(r.commitment), [
        Buffer.from(suite.encodePoint(suite.mulBase(r.nonces.hiding))).toString('hex'),
        Buffer.from(suite.encodePoint(suite.mulBase(r.nonces.binding))).toString('hex'),
      ]);
      assert.equal(c.decodes(), 0);
      assert.equal(c.mulBases(), mulBasesAfterPut);
    } finally {
      e.done();
    }
  });

  test('a nonce stored by another instance (after a restart): its commitment is rebuilt and checked', async () => {
    const e = await env();
    try {
      const { id, commitment } = preprocessOne(e.nonces());
      const c = counting(suite);
      const fresh = e.nonces(c.suite);
      assert.deepEqual(encoded(fresh.commitmentOf(id)), encoded(commitment));
      assert.deepEqual(encoded(fresh.consume(id).commitment), encoded(commitment));
      assert.equal(c.decodes(), 0);
      assert.equal(c.mulBases(), 4);
    } finally {
      e.done();
    }
  });

  test('a record whose commitment does not match its nonces is an IntegrityError naming it', async () => {
    const e = await env();
    try {
      const store = e.nonces();
      const a = preprocessOne(store);
      const b = preprocessOne(store);
      // Record a with b's commitment (as a wrongly written record would be).
      const w = JSON.parse(Buffer.from(e.store.get('nonce', OWNER, a.id)!).toString()) as object;
      const [H, B] = encoded(b.commitment);
      e.store.put('nonce', OWNER, a.id, Buffer.from(JSON.stringify({ ...w, H, B })));
      for (const s of [store, e.nonces()]) {
        assert.throws(
          () => s.commitmentOf(a.id),
          (x: unknown) =>
            x instanceof IntegrityError &&
            x.key === `r/nonce/${OWNER}/${a.id}` &&
            x.reason === 'bad-format',
        );
      }
    } finally {
      e.done();
    }
  });

  test('remembered commitments follow the record: a replaced record is not answered from memory', async () => {
    const e = await env();
    try {
      const store = e.nonces();
      const a = preprocessOne(store);
      const b = preprocessOne(e.nonces());
      e.store.put('nonce', OWNER, a.id, e.store.get('nonce', OWNER, b.id)!);
      assert.deepEqual(encoded(store.commitmentOf(a.id)), encoded(b.commitment));
      assert.deepEqual(encoded(store.consume(a.id).commitment), encoded(b.commitment));
    } finally {
      e.done();
    }
  });

  test(`at most ${MAX_REMEMBERED_COMMITMENTS} commitments remembered; a forgotten one is rebuilt`, async () => {
    const e = await env();
    try {
      const c = counting(suite);
      const store = e.nonces(c.suite);
      const commitment = { hiding: suite.mulBase(1n), binding: suite.mulBase(2n) };
      const ids = Array.from({ length: MAX_REMEMBERED_COMMITMENTS + 1 }, (_, i) => `n${i}`);
      for (const id of ids) store.put({ id, nonces: { hiding: 1n, binding: 2n }, commitment });
      store.commitmentOf(ids[1]!);
      store.commitmentOf(ids[MAX_REMEMBERED_COMMITMENTS]!);
      assert.equal(c.mulBases(), 0);
      assert.deepEqual(encoded(store.commitmentOf(ids[0]!)), encoded(commitment)); // evicted
      assert.equal(c.mulBases(), 2);
    } finally {
      e.done();
    }
  });

  test("commitmentOf: NonceError('unknown') for an id never stored, 'consumed' after consume", async () => {
    const e = await env();
    try {
      const store = e.nonces();
      assert.throws(
        () => store.commitmentOf('no-such-nonce'),
        isNonceError('unknown', 'no-such-nonce'),
      );
      const { id } = preprocessOne(store);
      const other = e.nonces(); // a second instance, as another job would have
      other.commitmentOf(id);
      store.consume(id);
      assert.throws(() => store.commitmentOf(id), isNonceError('consumed', id));
      // Remembered by `other`, consumed through `store`: the store's state wins.
      assert.throws(() => other.commitmentOf(id), isNonceError('consumed', id));
      assert.throws(() => e.nonces().commitmentOf(id), isNonceError('consumed', id));
    } finally {
      e.done();
    }
  });

  test("consume: NonceError('consumed') the second time, 'unknown' for an id never stored", async () => {
    const e = await env();
    try {
      const store = e.nonces();
      const { id } = preprocessOne(store);
      store.consume(id);
      assert.throws(() => store.consume(id), isNonceError('consumed', id));
      assert.throws(() => e.nonces().consume(id), isNonceError('consumed', id));
      assert.throws(() => store.consume('no-such-nonce'), isNonceError('unknown', 'no-such-nonce'));
      assert.equal(e.oneTime.consumedCount, 1n);
    } finally {
      e.done();
    }
  });

  test("put: NonceError('duplicate-id') for a stored id and for a consumed one", async () => {
    const e = await env();
    try {
      const store = e.nonces();
      const { id, commitment } = preprocessOne(store);
      const record = { id, nonces: { hiding: 1n, binding: 2n }, commitment };
      assert.throws(() => store.put(record), isNonceError('duplicate-id', id));
      store.consume(id);
      assert.throws(() => store.put(record), isNonceError('duplicate-id', id));
      assert.throws(() => e.nonces().put(record), isNonceError('duplicate-id', id));
    } finally {
      e.done();
    }
  });

  test('the nonce is consumed in the database and the external counter before the share is computed', async () => {
    const events: string[] = [];
    const e = await env((inner, store) => {
      const wrap = (c: MonotonicCounter): MonotonicCounter => ({
        read: () => c.read(),
        close: () => c.close(),
        advance: (v) => {
          const live = store().list('nonce', OWNER).length;
          const spent = store().list('nonce-consumed', OWNER).length;
          events.push(`advance ${v}: live ${live}, tombstones ${spent}`);
          c.advance(v);
        },
      });
      return { create: (id) => wrap(inner.create(id)), open: (id) => wrap(inner.open(id)) };
    });
    try {
      const store = e.nonces();
      const mine = preprocessOne(store, 1);
      const theirs = preprocessOne(new InMemoryNonceStore(), 2);
      const pkg = {
        message: new TextEncoder().encode('m'),
        commitments: new Map([
          [1, mine.commitment],
          [2, theirs.commitment],
        ]),
      };
      signShare(signingKey(share(1)), store, mine.id, pkg);
      events.push('share computed');
      assert.deepEqual(events, ['advance 1: live 0, tombstones 1', 'share computed']);
      // A second share with the same nonce is refused before any arithmetic.
      assert.throws(
        () => signShare(signingKey(share(1)), store, mine.id, pkg),
        isNonceError('consumed', mine.id),
      );
    } finally {
      e.done();
    }
  });

  test('a counter that cannot advance: CounterError, nothing returned, the nonce stays spent', async () => {
    const e = await env((inner) => ({
      create: (id) => {
        const c = inner.create(id);
        return {
          read: () => c.read(),
          close: () => c.close(),
          advance: () => {
            throw new Error('EIO');
          },
        };
      },
      open: inner.open,
    }));
    try {
      const store = e.nonces();
      const { id } = preprocessOne(store);
      assert.throws(
        () => store.consume(id),
        (x: unknown) => x instanceof CounterError && x.reason === 'write-failed',
      );
      assert.throws(() => store.commitmentOf(id), isNonceError('consumed', id));
    } finally {
      e.done();
    }
  });

  test('a database swapped under a running store: the remembered commitment does not make the nonce consumable', async () => {
    const e = await env();
    try {
      const store = e.nonces();
      const { id, commitment } = preprocessOne(store);
      const snapshot = new Map(e.backend.list('').map((k) => [k, e.backend.get(k)!]));
      store.consume(id);
      e.backend.transaction((tx) => {
        for (const k of tx.list('')) tx.delete(k);
        for (const [k, v] of snapshot) tx.put(k, v);
      });
      // The old record is back and readable, but consuming it is refused.
      assert.deepEqual(encoded(store.commitmentOf(id)), encoded(commitment));
      assert.throws(
        () => store.consume(id),
        (x: unknown) =>
          x instanceof RollbackError && x.databaseCounter === 0n && x.externalCounter === 1n,
      );
    } finally {
      e.done();
    }
  });

  test('restoring an older SQLite database: refused at open, and after the purge the nonce is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-nonce-store-'));
    try {
      KeyFileSeal.generate(join(dir, 'seal.key'));
      const seal = new KeyFileSeal(join(dir, 'seal.key'));
      const db = join(dir, 'secrets.db');
      const counter = join(dir, 'counter');
      let store = await SecretStore.create(new SqliteBackend(db), seal);
      let oneTime = OneTimeStore.open(store, fileCounter(counter));
      const { id } = preprocessOne(new DurableNonceStore(oneTime, store, suite, OWNER));
      oneTime.close();
      store.close();
      assert.equal(existsSync(`${db}-wal`), false);
      copyFileSync(db, join(dir, 'backup.db'));

      store = await SecretStore.open(new SqliteBackend(db), seal);
      oneTime = OneTimeStore.open(store, fileCounter(counter));
      new DurableNonceStore(oneTime, store, suite, OWNER).consume(id);
      oneTime.close();
      store.close();

      copyFileSync(join(dir, 'backup.db'), db); // the restore
      store = await SecretStore.open(new SqliteBackend(db), seal);
      assert.throws(
        () => OneTimeStore.open(store, fileCounter(counter)),
        (x: unknown) => x instanceof RollbackError && x.externalCounter === 1n,
      );
      assert.equal(OneTimeStore.purgeAfterRollback(store, fileCounter(counter)), 1);
      oneTime = OneTimeStore.open(store, fileCounter(counter));
      const nonces = new DurableNonceStore(oneTime, store, suite, OWNER);
      assert.throws(() => nonces.commitmentOf(id), isNonceError('unknown', id));
      assert.throws(() => nonces.consume(id), isNonceError('unknown', id));
      oneTime.close();
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('FROST Ed25519 2-of-3 signing through the durable store: a valid signature, both nonces spent', async () => {
    const parties = [await env(), await env()];
    try {
      const message = new TextEncoder().encode('quorate');
      const stores = parties.map((e) => e.nonces());
      const ids = stores.map((s, i) => preprocessOne(s, i + 1).id);
      const r = simulate(frostSign('ed25519'), {
        parties: [1, 2],
        config: (p) => ({
          share: share(p),
          message,
          nonce: { store: stores[p - 1]!, id: ids[p - 1]! },
        }),
      });
      assert.equal(r.errors.size, 0);
      const sig = r.outputs.get(1)!.signature;
      assert.deepEqual(r.outputs.get(2)!.signature, sig);
      assert.equal(suite.verify(sig, message, signingKey(share(1)).publicKey), true);
      for (const [i, e] of parties.entries()) {
        assert.equal(e.oneTime.isConsumed('nonce', OWNER, ids[i]!), true);
        assert.equal(e.oneTime.consumedCount, 1n);
      }
    } finally {
      for (const e of parties) e.done();
    }
  });
});
