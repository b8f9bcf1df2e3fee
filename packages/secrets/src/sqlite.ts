/**
 * SQLite physical backend (better-sqlite3): one `kv` table in a single database file ("secrets.db").
 * Durability: WAL journal with synchronous=FULL, so a committed transaction has been fsynced to
 * the WAL before `transaction()` returns, and a crash (kill -9, power loss) leaves either the
 * whole transaction or none of it. The database is opened with an exclusive lock: one co-signer
 * process per store (the one-time store's counter check relies on it). The file is created 0600;
 * SQLite gives the -wal file the same mode.
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, constants as fsc } from 'node:fs';
import { StoreLockedError } from './errors.ts';
import type { PhysicalBackend, PhysicalTxn } from './physical.ts';
import { checkKey, checkPrefix, checkValue, prefixEnd } from './physical.ts';

export interface SqliteBackendOptions {
  /** How long to wait for another process's lock before StoreLockedError (ms). Default 2000. */
  readonly lockTimeoutMs?: number;
}

export class SqliteBackend implements PhysicalBackend {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly stmts: {
    get: Database.Statement<[string], { v: Buffer }>;
    list: Database.Statement<[string, string], { k: string }>;
    put: Database.Statement<[string, Buffer]>;
    del: Database.Statement<[string]>;
  };
  private inTxn = false;

  constructor(
    readonly path: string,
    opts: SqliteBackendOptions = {},
  ) {
    // Create the file ourselves so that it is never group/world readable, even briefly.
    closeSync(openSync(path, fsc.O_RDWR | fsc.O_CREAT, 0o600));
    this.db = new Database(path, { timeout: opts.lockTimeoutMs ?? 2000 });
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID',
      );
      // Take the exclusive lock now rather than at the first write.
      this.db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (e) {
      this.db.close();
      if (isBusy(e)) throw new StoreLockedError(path);
      throw e;
    }
    this.stmts = {
      get: this.db.prepare('SELECT v FROM kv WHERE k = ?'),
      list: this.db.prepare('SELECT k FROM kv WHERE k >= ? AND k < ? ORDER BY k'),
      put: this.db.prepare(
        'INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v',
      ),
      del: this.db.prepare('DELETE FROM kv WHERE k = ?'),
    };
  }

  get(key: string): Uint8Array | undefined {
    checkKey(key);
    const row = this.stmts.get.get(key);
    return row === undefined ? undefined : new Uint8Array(row.v);
  }

  list(prefix: string): string[] {
    checkPrefix(prefix);
    return this.stmts.list.all(prefix, prefixEnd(prefix)).map((r) => r.k);
  }

  put(key: string, value: Uint8Array): void {
    this.transaction((tx) => tx.put(key, value));
  }

  delete(key: string): boolean {
    return this.transaction((tx) => tx.delete(key));
  }

  transaction<T>(fn: (tx: PhysicalTxn) => T): T {
    if (this.inTxn) throw new Error('transactions do not nest');
    const tx: PhysicalTxn = {
      get: (key) => this.get(key),
      list: (prefix) => this.list(prefix),
      put: (key, value) => {
        checkKey(key);
        checkValue(value);
        this.stmts.put.run(key, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      },
      delete: (key) => {
        checkKey(key);
        return this.stmts.del.run(key).changes > 0;
      },
    };
    this.inTxn = true;
    try {
      return this.db
        .transaction(() => {
          const out = fn(tx);
          if (out instanceof Promise) throw new Error('transaction functions must be synchronous');
          return out;
        })
        .immediate();
    } finally {
      this.inTxn = false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function isBusy(e: unknown): boolean {
  return (
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED')
  );
}
