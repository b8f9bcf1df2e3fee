/** Reused prepared statements under Kysely (storage/database.ts reusingStatements). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { reusingStatements } from '../../src/storage/database.ts';

function fresh() {
  const sqlite = new Database(':memory:');
  sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  sqlite.exec("INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  return sqlite;
}

test('the same SQL gets the same statement, with its own parameters each time', () => {
  const db = reusingStatements(fresh());
  const q = 'SELECT v FROM t WHERE id = ?';
  const s1 = db.prepare(q);
  assert.deepEqual(s1.all([1]), [{ v: 'a' }]);
  const s2 = db.prepare(q);
  assert.equal(s2, s1);
  assert.deepEqual(s2.all([3]), [{ v: 'c' }]);
  db.close();
});

test('a statement still being iterated is not handed out again', () => {
  const db = reusingStatements(fresh());
  const q = 'SELECT id FROM t ORDER BY id';
  const s1 = db.prepare(q);
  const it = s1.iterate([]);
  assert.deepEqual(it.next().value, { id: 1 });
  const s2 = db.prepare(q);
  assert.notEqual(s2, s1);
  assert.deepEqual(s2.all([]), [{ id: 1 }, { id: 2 }, { id: 3 }]);
  assert.deepEqual(it.next().value, { id: 2 });
  it.return?.();
  // Done iterating: the kept one is handed out again.
  assert.equal(db.prepare(q), s1);
  db.close();
});

test('at most `max` SQL texts are kept, the least recently used dropped first', () => {
  const db = reusingStatements(fresh(), 2);
  const [a, b, c] = ['SELECT 1 AS x', 'SELECT 2 AS x', 'SELECT 3 AS x'];
  const sa = db.prepare(a!);
  const sb = db.prepare(b!);
  assert.equal(db.prepare(a!), sa); // a is now the most recent
  db.prepare(c!); // drops b
  assert.equal(db.prepare(a!), sa);
  assert.notEqual(db.prepare(b!), sb);
  db.close();
});

test('through Kysely: kept statements see a schema change (a migration adding a column)', async () => {
  const k = new Kysely<{ t: { id: number; v: string; w?: string } }>({
    dialect: new SqliteDialect({ database: reusingStatements(fresh()) }),
  });
  const all = () => k.selectFrom('t').selectAll().where('id', '=', 2).execute();
  assert.deepEqual(await all(), [{ id: 2, v: 'b' }]);
  await sql`ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'z'`.execute(k);
  assert.deepEqual(await all(), [{ id: 2, v: 'b', w: 'z' }]);
  await k.transaction().execute(async (tx) => {
    await tx.updateTable('t').set({ v: 'B' }).where('id', '=', 2).execute();
  });
  assert.deepEqual(await all(), [{ id: 2, v: 'B', w: 'z' }]);
  await k.destroy();
});
