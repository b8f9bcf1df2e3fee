import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '../src/physical.ts';
import { SqliteBackend } from '../src/sqlite.ts';
import { StoreLockedError } from '../src/errors.ts';
import { physicalConformance } from './conformance/physical.ts';

physicalConformance('memory', () => ({ backend: new MemoryBackend() }));

physicalConformance('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-secrets-'));
  return {
    backend: new SqliteBackend(join(dir, 'secrets.db')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

test('sqlite: data survives close and reopen; the file is mode 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-secrets-'));
  try {
    const path = join(dir, 'secrets.db');
    const a = new SqliteBackend(path);
    a.put('k', new Uint8Array([1, 2]));
    a.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const b = new SqliteBackend(path);
    assert.deepEqual(b.get('k'), new Uint8Array([1, 2]));
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a second opener of the same file gets StoreLockedError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-secrets-'));
  try {
    const path = join(dir, 'secrets.db');
    const a = new SqliteBackend(path);
    assert.throws(
      () => new SqliteBackend(path, { lockTimeoutMs: 50 }),
      (e: unknown) => e instanceof StoreLockedError && e.path === path,
    );
    a.close();
    new SqliteBackend(path).close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
