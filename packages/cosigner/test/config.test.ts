/** Configuration: one schema, file + environment, cross-field checks, no default secret. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, sealSecretSource } from '../src/config.ts';

const base = {
  dataDir: '/var/lib/quorate-cosigner',
  counterFile: '/var/lib/quorate-counter/consumed.ctr',
  seal: { kind: 'passphrase' },
  risk: { operations: { sign: {} } },
};

function issuesOf(f: () => unknown): { field: string; problem: string; fix: string }[] {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return [...e.issues];
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  test('a minimal file parses with defaults for non-secrets only', () => {
    const c = parseConfig(base);
    assert.equal(c.connection.heartbeatSeconds, 10);
    assert.equal(c.connection.backoffMinMs, 1000);
    assert.equal(c.connection.backoffMaxMs, 60_000);
    assert.equal(c.callbacks.timeoutMs, 30_000);
    assert.equal(c.audit.mode, 'hmac');
    assert.equal(c.risk.rejectAll, false);
    // The passphrase is never defaulted: only the NAME of its environment variable is.
    assert.deepEqual(sealSecretSource(c), { kind: 'env', name: 'QUORATE_COSIGNER_PASSPHRASE' });
  });

  test('risk, dataDir, counterFile and seal are required', () => {
    const fields = issuesOf(() => parseConfig({}))
      .map((i) => i.field)
      .sort();
    assert.deepEqual(fields, ['counterFile', 'dataDir', 'risk', 'seal']);
  });

  test('a secret written in the file is refused with a fix naming the *Env field', () => {
    const issues = issuesOf(() =>
      parseConfig({ ...base, seal: { kind: 'passphrase', passphrase: 'hunter2' } }),
    );
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.field, 'seal.passphrase');
    assert.equal(issues[0]?.problem, 'unknown field');
    assert.match(issues[0]?.fix ?? '', /\*Env or \*File/);
    // and the value never appears in the message
    assert.doesNotMatch(new ConfigError(issues).message, /hunter2/);
  });

  test('cross-field: the counter file inside dataDir is refused', () => {
    const issues = issuesOf(() =>
      parseConfig({ ...base, counterFile: '/var/lib/quorate-cosigner/counter' }),
    );
    assert.deepEqual(
      issues.map((i) => i.field),
      ['counterFile'],
    );
    assert.match(issues[0]?.problem ?? '', /restoring a backup/);
  });

  test('cross-field: backoffMinMs > backoffMaxMs; two passphrase sources', () => {
    const issues = issuesOf(() =>
      parseConfig({
        ...base,
        seal: { kind: 'passphrase', passphraseEnv: 'PW', passphraseFile: '/etc/pw' },
        connection: { backoffMinMs: 5000, backoffMaxMs: 1000 },
      }),
    );
    assert.deepEqual(issues.map((i) => i.field).sort(), ['connection.backoffMinMs', 'seal']);
  });

  test('cross-field: an InfluxDB 2 token env var that is not set', () => {
    const cfg = {
      ...base,
      metrics: {
        influx: {
          version: 2,
          url: 'http://127.0.0.1:8086',
          org: 'o',
          bucket: 'b',
          tokenEnv: 'INFLUX_TOKEN',
        },
      },
    };
    assert.deepEqual(
      issuesOf(() => parseConfig(cfg, {})).map((i) => i.field),
      ['metrics.influx.tokenEnv'],
    );
    assert.equal(parseConfig(cfg, { INFLUX_TOKEN: 't' }).metrics.influx?.version, 2);
  });

  test('an unknown risk rule is refused (a misspelt rule never disables itself)', () => {
    const issues = issuesOf(() =>
      parseConfig({ ...base, risk: { operations: { sign: {} }, rejectAl: true } }),
    );
    assert.deepEqual(
      issues.map((i) => i.field),
      ['risk.rejectAl'],
    );
  });

  test('environment overrides; a non-numeric integer is named', () => {
    const c = parseConfig(base, {
      QUORATE_COSIGNER_DATA_DIR: '/srv/cs',
      QUORATE_COSIGNER_HUB_API_URL: 'https://hub.example:8080',
      QUORATE_COSIGNER_HUB_COSIGNER_URL: 'wss://hub.example:8443',
      QUORATE_COSIGNER_HEARTBEAT_SECONDS: '5',
    });
    assert.equal(c.dataDir, '/srv/cs');
    assert.equal(c.hub?.cosignerUrl, 'wss://hub.example:8443');
    assert.equal(c.connection.heartbeatSeconds, 5);
    const issues = issuesOf(() => parseConfig(base, { QUORATE_COSIGNER_HEARTBEAT_SECONDS: 'ten' }));
    assert.deepEqual(
      issues.map((i) => i.field),
      ['connection.heartbeatSeconds'],
    );
  });

  test('a hub URL of the wrong scheme is refused', () => {
    const issues = issuesOf(() =>
      parseConfig({ ...base, hub: { apiUrl: 'https://h', cosignerUrl: 'http://h:8443' } }),
    );
    assert.deepEqual(
      issues.map((i) => i.field),
      ['hub.cosignerUrl'],
    );
  });

  test('loadConfig reads YAML and JSON, resolves relative paths against the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-cfg-'));
    try {
      const y = join(dir, 'cosigner.yaml');
      writeFileSync(
        y,
        'dataDir: data\ncounterFile: /var/lib/quorate-counter/c\nseal:\n  kind: keyfile\n  path: /etc/q.key\nrisk:\n  rejectAll: true\n',
      );
      const c = loadConfig(y, {});
      assert.equal(c.dataDir, join(dir, 'data'));
      assert.equal(c.risk.rejectAll, true);
      const j = join(dir, 'cosigner.json');
      writeFileSync(j, JSON.stringify(base));
      assert.equal(loadConfig(j, {}).seal.kind, 'passphrase');
      writeFileSync(j, '{ not json');
      assert.deepEqual(
        issuesOf(() => loadConfig(j, {})).map((i) => i.field),
        ['(file)'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
