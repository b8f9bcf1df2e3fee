/**
 * kill -9 during share writes: the SQLite store must come back with every acknowledged write,
 * every record decrypting, and no half-written share (each transaction's three records are all
 * there or all absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../src/sqlite.ts';
import { SecretStore } from '../src/store.ts';
import { KeyFileSeal } from '../src/seals/keyfile.ts';
import { OneTimeStore } from '../src/onetime.ts';
import { fileCounter } from '../src/counter.ts';
import { AlreadyConsumedError } from '../src/errors.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const WRITER = join(import.meta.dirname, 'fixtures', 'crash-writer.ts');
const CONSUMER = join(import.meta.dirname, 'fixtures', 'crash-consumer.ts');

/** Runs the writer until it has acknowledged `rounds` commits, then SIGKILLs it. Returns the last acknowledged round. */
function runAndKill(db: string, keyfile: string, first: number, rounds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, db, keyfile, String(first)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = -1;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) last = Number(l);
      if (last >= first + rounds - 1 && child.exitCode === null && !child.killed)
        child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

test('kill -9 during share writes leaves every acknowledged share intact and none half-written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-crash-'));
  try {
    const db = join(dir, 'secrets.db');
    const keyfile = join(dir, 'seal.key');
    KeyFileSeal.generate(keyfile);
    (await SecretStore.create(new SqliteBackend(db), new KeyFileSeal(keyfile))).close();

    let next = 0;
    for (const rounds of [5, 9, 13]) {
      const acked = await runAndKill(db, keyfile, next, rounds);
      assert.ok(acked >= next + rounds - 1);

      const store = await SecretStore.open(new SqliteBackend(db), new KeyFileSeal(keyfile));
      const shares = store.list('key-share', 'wallet').map((r) => r.id);
      const metas = store
        .list('share-meta', 'wallet')
        .map((r) => r.id)
        .filter((id) => id !== 'latest');
      // Atomicity: a share and its meta record exist together or not at all.
      assert.deepEqual(shares, metas);
      // Durability: every acknowledged commit is there; at most the one in flight beyond it.
      const count = shares.length;
      assert.ok(count === acked + 1 || count === acked + 2, `acked ${acked}, found ${count}`);
      // Every record decrypts and verifies: nothing half-written.
      for (const id of shares) {
        const share = Buffer.from(store.get('key-share', 'wallet', id)!);
        const body = share.subarray(0, share.length - 32);
        const hash = createHash('sha256').update(body).digest();
        assert.equal(body.length, 96 * 1024);
        assert.deepEqual(share.subarray(share.length - 32), hash);
        assert.deepEqual(Buffer.from(store.get('share-meta', 'wallet', id)!), hash);
      }
      assert.equal(
        Buffer.from(store.get('share-meta', 'wallet', 'latest')!).toString(),
        shares.at(-1),
      );
      store.close();
      next = count;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 during consumption: every released presignature stays consumed, the store reopens without a rollback alarm', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-crash-'));
  try {
    const db = join(dir, 'secrets.db');
    const keyfile = join(dir, 'seal.key');
    const counter = join(dir, 'consumed.ctr');
    KeyFileSeal.generate(keyfile);
    const setup = await SecretStore.create(new SqliteBackend(db), new KeyFileSeal(keyfile));
    const ids = Array.from({ length: 400 }, (_, i) => `p${String(i).padStart(4, '0')}`);
    OneTimeStore.open(setup, fileCounter(counter)).addMany(
      'presignature',
      'key',
      ids.map((id) => [id, new Uint8Array(256).fill(7)] as const),
    );
    setup.close();

    for (const after of [3, 11]) {
      const released = await new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', CONSUMER, db, keyfile, counter], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: string[] = [];
        let buf = '';
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          out.push(...lines);
          if (out.length >= after && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', (code, signal) =>
          signal === 'SIGKILL'
            ? resolve(out)
            : reject(new Error(`consumer exited with ${code}: ${stderr}`)),
        );
      });
      assert.ok(released.length >= after && !released.includes('done'));

      const store = await SecretStore.open(new SqliteBackend(db), new KeyFileSeal(keyfile));
      const ots = OneTimeStore.open(store, fileCounter(counter)); // no RollbackError
      for (const id of released) {
        assert.equal(ots.isConsumed('presignature', 'key', id), true, id);
        assert.throws(() => ots.consume('presignature', 'key', id), AlreadyConsumedError);
      }
      // The counter equals the number of tombstones: each consumption counted exactly once.
      const consumed = ids.filter((id) => ots.isConsumed('presignature', 'key', id)).length;
      assert.equal(ots.consumedCount, BigInt(consumed));
      assert.equal(ots.available('presignature', 'key').length, ids.length - consumed);
      ots.close();
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
