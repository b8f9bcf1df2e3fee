import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../src/physical.ts';
import { SqliteBackend } from '../src/sqlite.ts';
import { SecretStore } from '../src/store.ts';
import { KeyFileSeal } from '../src/seals/keyfile.ts';
import { OneTimeStore } from '../src/onetime.ts';
import { FileCounter, fileCounter } from '../src/counter.ts';
import type { CounterSource, MonotonicCounter } from '../src/counter.ts';
import {
  AlreadyConsumedError,
  CounterError,
  NotFoundError,
  RecordIdError,
  RollbackError,
  SealedError,
} from '../src/errors.ts';

const m = (x: number) => new Uint8Array([x, x, x]);

function tmp(): { dir: string; seal: KeyFileSeal; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-ots-'));
  KeyFileSeal.generate(join(dir, 'seal.key'));
  return {
    dir,
    seal: new KeyFileSeal(join(dir, 'seal.key')),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('one-time store', () => {
  test('consume returns the material once; a second consume is AlreadyConsumedError', async () => {
    const t = tmp();
    try {
      const store = await SecretStore.create(new MemoryBackend(), t.seal);
      const ots = OneTimeStore.open(store, fileCounter(join(t.dir, 'counter')));
      ots.addMany('presignature', 'key-1', [
        ['p1', m(1)],
        ['p2', m(2)],
      ]);
      ots.add('nonce', 'key-1', 'p1', m(9)); // same id, other kind: independent
      assert.deepEqual(ots.available('presignature', 'key-1'), ['p1', 'p2']);
      assert.deepEqual(ots.consume('presignature', 'key-1', 'p1'), m(1));
      assert.equal(ots.isConsumed('presignature', 'key-1', 'p1'), true);
      assert.equal(ots.isConsumed('nonce', 'key-1', 'p1'), false);
      assert.throws(
        () => ots.consume('presignature', 'key-1', 'p1'),
        (e: unknown) =>
          e instanceof AlreadyConsumedError &&
          e.kind === 'presignature' &&
          e.owner === 'key-1' &&
          e.id === 'p1',
      );
      assert.throws(
        () => ots.consume('presignature', 'key-1', 'nope'),
        (e: unknown) => e instanceof NotFoundError && e.key === 'r/presignature/key-1/nope',
      );
      // A consumed id cannot be added again; a stored one cannot be overwritten.
      assert.throws(() => ots.add('presignature', 'key-1', 'p1', m(1)), AlreadyConsumedError);
      assert.throws(
        () => ots.add('presignature', 'key-1', 'p2', m(7)),
        (e: unknown) => e instanceof RecordIdError && e.field === 'id',
      );
      assert.throws(
        () => ots.consume('share' as 'nonce', 'key-1', 'p2'),
        (e: unknown) => e instanceof RecordIdError && e.field === 'type',
      );
      assert.deepEqual(ots.available('presignature', 'key-1'), ['p2']);
      assert.deepEqual(ots.consume('nonce', 'key-1', 'p1'), m(9));
      assert.equal(ots.consumedCount, 2n);
      store.seal();
      assert.throws(() => ots.consume('presignature', 'key-1', 'p2'), SealedError);
      ots.close();
    } finally {
      t.done();
    }
  });

  test('the consumption is committed before the external counter advances, and both before the material is returned', async () => {
    const t = tmp();
    try {
      const store = await SecretStore.create(new MemoryBackend(), t.seal);
      const inner = fileCounter(join(t.dir, 'counter'));
      const events: string[] = [];
      const spy: CounterSource = {
        create: (id) => wrap(inner.create(id)),
        open: (id) => wrap(inner.open(id)),
      };
      function wrap(c: MonotonicCounter): MonotonicCounter {
        return {
          read: () => c.read(),
          close: () => c.close(),
          advance: (v) => {
            // Outside any transaction (a nested one would throw) and already consumed in the DB.
            events.push(
              `advance ${v} consumed-in-db=${store.get('nonce-consumed', 'k', 'n1') !== undefined}`,
            );
            c.advance(v);
          },
        };
      }
      const ots = OneTimeStore.open(store, spy);
      ots.add('nonce', 'k', 'n1', m(1));
      const out = ots.consume('nonce', 'k', 'n1');
      events.push('returned');
      assert.deepEqual(out, m(1));
      assert.deepEqual(events, ['advance 1 consumed-in-db=true', 'returned']);
      ots.close();
    } finally {
      t.done();
    }
  });

  test('restoring an older SQLite database: open is refused, consumed material is never served again', async () => {
    const t = tmp();
    try {
      const db = join(t.dir, 'secrets.db');
      const counterPath = join(t.dir, 'counter');
      let store = await SecretStore.create(new SqliteBackend(db), t.seal);
      let ots = OneTimeStore.open(store, fileCounter(counterPath));
      ots.add('presignature', 'key-1', 'p1', m(1));
      ots.add('presignature', 'key-1', 'p2', m(2));
      ots.close();
      store.close();
      assert.equal(existsSync(`${db}-wal`), false);
      copyFileSync(db, join(t.dir, 'backup.db'));

      store = await SecretStore.open(new SqliteBackend(db), t.seal);
      ots = OneTimeStore.open(store, fileCounter(counterPath));
      assert.deepEqual(ots.consume('presignature', 'key-1', 'p1'), m(1));
      ots.close();
      store.close();

      copyFileSync(join(t.dir, 'backup.db'), db); // the restore
      store = await SecretStore.open(new SqliteBackend(db), t.seal);
      // Key shares etc. stay readable; the one-time store refuses to open.
      assert.throws(
        () => OneTimeStore.open(store, fileCounter(counterPath)),
        (e: unknown) =>
          e instanceof RollbackError && e.databaseCounter === 0n && e.externalCounter === 1n,
      );
      // The operator purges one-time material; p1 (and p2) are gone for good.
      assert.equal(OneTimeStore.purgeAfterRollback(store, fileCounter(counterPath)), 2);
      ots = OneTimeStore.open(store, fileCounter(counterPath));
      assert.throws(() => ots.consume('presignature', 'key-1', 'p1'), NotFoundError);
      assert.deepEqual(ots.available('presignature', 'key-1'), []);
      ots.add('presignature', 'key-1', 'p3', m(3));
      assert.deepEqual(ots.consume('presignature', 'key-1', 'p3'), m(3));
      assert.equal(ots.consumedCount, 2n);
      ots.close();
      store.close();
    } finally {
      t.done();
    }
  });

  test('a database swapped under a running store is caught at the next consume', async () => {
    const t = tmp();
    try {
      const backend = new MemoryBackend();
      const store = await SecretStore.create(backend, t.seal);
      const ots = OneTimeStore.open(store, fileCounter(join(t.dir, 'counter')));
      ots.add('nonce', 'k', 'n1', m(1));
      const snapshot = new Map(backend.list('').map((k) => [k, backend.get(k)!]));
      ots.consume('nonce', 'k', 'n1');
      backend.transaction((tx) => {
        for (const k of tx.list('')) tx.delete(k);
        for (const [k, v] of snapshot) tx.put(k, v);
      });
      assert.throws(
        () => ots.consume('nonce', 'k', 'n1'),
        (e: unknown) =>
          e instanceof RollbackError && e.databaseCounter === 0n && e.externalCounter === 1n,
      );
      ots.close();
    } finally {
      t.done();
    }
  });

  test('a crash between the database commit and the counter advance: nothing released, reopen accepts it', async () => {
    const t = tmp();
    try {
      const backend = new MemoryBackend();
      const store = await SecretStore.create(backend, t.seal);
      const counterPath = join(t.dir, 'counter');
      const real = fileCounter(counterPath);
      let fail = true;
      const flaky: CounterSource = {
        create: (id) => {
          const c = real.create(id);
          return {
            read: () => c.read(),
            close: () => c.close(),
            advance: (v) => {
              if (fail) throw new Error('EIO');
              c.advance(v);
            },
          };
        },
        open: real.open,
      };
      const ots = OneTimeStore.open(store, flaky);
      ots.add('nonce', 'k', 'n1', m(1));
      ots.add('nonce', 'k', 'n2', m(2));
      assert.throws(
        () => ots.consume('nonce', 'k', 'n1'),
        (e: unknown) => e instanceof CounterError && e.reason === 'write-failed',
      );
      fail = false;
      // Stopped until reopened.
      assert.throws(
        () => ots.consume('nonce', 'k', 'n2'),
        (e: unknown) => e instanceof CounterError && e.reason === 'write-failed',
      );
      ots.close();
      const again = OneTimeStore.open(store, real); // D = 1, E = 0: accepted, E raised to 1
      assert.equal(again.consumedCount, 1n);
      assert.throws(() => again.consume('nonce', 'k', 'n1'), AlreadyConsumedError);
      assert.deepEqual(again.consume('nonce', 'k', 'n2'), m(2));
      again.close();
    } finally {
      t.done();
    }
  });
});

describe('file counter', () => {
  const id = Buffer.alloc(16, 7);

  test('persists, ignores and cuts a torn last record, refuses regressions', () => {
    const t = tmp();
    try {
      const p = join(t.dir, 'c');
      const c = FileCounter.create(p, id);
      c.advance(1n);
      c.advance(5n);
      assert.throws(
        () => c.advance(5n),
        (e: unknown) => e instanceof CounterError && e.reason === 'not-monotonic',
      );
      c.close();
      appendFileSync(p, Buffer.from([0, 0, 0])); // torn append
      const d = FileCounter.open(p, id);
      assert.equal(d.read(), 5n);
      assert.equal(readFileSync(p).length, 32 + 16);
      d.advance(6n);
      d.close();
      assert.equal(FileCounter.open(p, id).read(), 6n);
    } finally {
      t.done();
    }
  });

  test('missing, existing, foreign, corrupt and non-monotonic files are CounterErrors', () => {
    const t = tmp();
    try {
      const p = join(t.dir, 'c');
      const reason = (r: string) => (e: unknown) =>
        e instanceof CounterError && e.reason === r && e.path === p;
      assert.throws(() => FileCounter.open(p, id), reason('missing'));
      FileCounter.create(p, id).close();
      assert.throws(() => FileCounter.create(p, id), reason('exists'));
      assert.throws(() => FileCounter.open(p, Buffer.alloc(16, 8)), reason('wrong-store'));
      const c = FileCounter.open(p, id);
      c.advance(3n);
      c.close();
      const bytes = readFileSync(p);
      const rec = Buffer.alloc(8);
      rec.writeBigUInt64BE(2n);
      writeFileSync(p, Buffer.concat([bytes, rec]));
      assert.throws(() => FileCounter.open(p, id), reason('not-monotonic'));
      truncateSync(p, 10);
      assert.throws(() => FileCounter.open(p, id), reason('bad-header'));
    } finally {
      t.done();
    }
  });
});
