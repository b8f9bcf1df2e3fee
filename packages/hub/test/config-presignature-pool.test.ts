// hub.json `presignaturePool` (config.ts): the refill policy of the ECDSA presignature pools and
// its period, validated at start; left out, the built-in defaults apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_PRESIGNATURE_POOL, loadHubConfig } from '../src/config.ts';

function load(extra: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'hub-config-'));
  try {
    // Only their presence is checked when the configuration is loaded.
    for (const f of ['ca-cert.pem', 'ca-key.pem', 'pairing-key.pem', 'master.key'])
      writeFileSync(join(dir, f), '');
    writeFileSync(
      join(dir, 'hub.json'),
      JSON.stringify({
        workspaceId: 'w',
        ownerId: 'o',
        database: { kind: 'sqlite', path: 'hub.sqlite' },
        ...extra,
      }),
    );
    return loadHubConfig({ dataDir: dir, env: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('absent: no setting, the hub keeps its built-in refill policy', () => {
  assert.equal(load({}).presignaturePool, undefined);
});

test('partial: the given fields, defaults for the rest, the period in milliseconds', () => {
  assert.deepEqual(
    load({ presignaturePool: { targetSize: 0, refillIntervalSeconds: 2 } }).presignaturePool,
    {
      ...DEFAULT_PRESIGNATURE_POOL,
      targetSize: 0,
      refillIntervalMs: 2000,
    },
  );
});

test('invalid values are refused with the field named', () => {
  const cases: [unknown, string][] = [
    [[], 'presignaturePool must be an object'],
    [{ targetSize: -1 }, 'presignaturePool.targetSize must be a whole number ≥ 0'],
    [{ maxPooledCliques: 1.5 }, 'presignaturePool.maxPooledCliques must be a whole number ≥ 0'],
    [{ maxBatch: 0 }, 'presignaturePool.maxBatch must be a whole number ≥ 1'],
    [
      { refillIntervalSeconds: '1' },
      'presignaturePool.refillIntervalSeconds must be a whole number ≥ 1',
    ],
  ];
  for (const [v, message] of cases)
    assert.throws(
      () => load({ presignaturePool: v }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(message),
      message,
    );
});
