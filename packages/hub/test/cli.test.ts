/**
 * `quorate hub …`: init → api-user create → pairing-token → policy set → approve, start, and
 * the usage/configuration errors (exit 2, with what to do).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubCommand } from '../src/cli.ts';
import { testKey } from './support/hub.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

let dir: string;
let dataDir: string;
const env = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'quorate-hub-cli-'));
  dataDir = join(dir, 'data');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('every command has --help (exit 0)', async () => {
  for (const cmd of [
    [],
    ['init'],
    ['start'],
    ['api-user', 'create'],
    ['pairing-token'],
    ['approve'],
    ['policy', 'set'],
  ]) {
    const c = io();
    assert.equal(await hubCommand([...cmd, '--help'], c.io, { env }), 0, cmd.join(' '));
    assert.match(c.out[0]!, /Usage: quorate hub/);
  }
});

test('configuration errors say what to do (exit 2)', async () => {
  const c = io();
  assert.equal(await hubCommand(['pairing-token', '--api-user', 'x'], c.io, { env }), 2);
  assert.match(c.err[0]!, /--data-dir DIR or set QUORATE_HUB_DATA_DIR/);
  const d = io();
  assert.equal(
    await hubCommand(['pairing-token', '--api-user', 'x', '--data-dir', join(dir, 'none')], d.io, {
      env,
    }),
    2,
  );
  assert.match(d.err[0]!, /run "quorate hub init/);
  const u = io();
  assert.equal(await hubCommand(['bogus'], u.io, { env }), 2);
  assert.match(u.err[0]!, /unknown command "bogus"/);
});

test('init → api-user create → pairing-token → policy set → approve', async () => {
  const init = io();
  assert.equal(
    await hubCommand(['init', '--data-dir', dataDir, '--workspace', 'acme', '--json'], init.io, {
      env,
    }),
    0,
  );
  const r = JSON.parse(init.out[0]!);
  assert.equal(statSync(join(dataDir, 'ca-key.pem')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dataDir, 'master.key')).mode & 0o777, 0o600);
  assert.equal(statSync(r.ownerKeyFile).mode & 0o777, 0o600);
  const again = io();
  assert.equal(await hubCommand(['init', '--data-dir', dataDir], again.io, { env }), 2);
  assert.match(again.err[0]!, /already holds a hub/);

  const keyFile = join(dir, 'signer.pub.pem');
  writeFileSync(keyFile, testKey('P-256').publicPem);
  const create = io();
  assert.equal(
    await hubCommand(
      [
        'api-user',
        'create',
        '--data-dir',
        dataDir,
        '--name',
        'bot',
        '--role',
        'signer',
        '--public-key',
        keyFile,
        '--json',
      ],
      create.io,
      { env },
    ),
    0,
  );
  const user = JSON.parse(create.out[0]!);
  assert.equal(user.role, 'signer');
  assert.equal(user.keyAlgorithm, 'ES256');

  const tok = io();
  assert.equal(
    await hubCommand(
      ['pairing-token', '--data-dir', dataDir, '--api-user', user.id, '--json'],
      tok.io,
      { env },
    ),
    0,
  );
  assert.equal(JSON.parse(tok.out[0]!).apiUserId, user.id);

  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ format: 'quorate.policy/v1', version: 1, rules: [] }));
  const set = io();
  assert.equal(
    await hubCommand(
      ['policy', 'set', '--data-dir', dataDir, '--file', policyFile, '--json'],
      set.io,
      { env },
    ),
    0,
  );
  const change = JSON.parse(set.out[0]!);
  assert.equal(change.status, 'WAITING_FOR_APPROVAL');

  const ok = io();
  assert.equal(
    await hubCommand(['approve', change.id, '--data-dir', dataDir, '--json'], ok.io, { env }),
    0,
  );
  assert.equal(JSON.parse(ok.out[0]!).status, 'COMPLETED');
  const twice = io();
  assert.equal(
    await hubCommand(['approve', change.id, '--data-dir', dataDir], twice.io, { env }),
    1,
  );
  assert.match(twice.err[0]!, /invalid_state/);
});

test('start serves the API and the mTLS listener until stopped', async () => {
  const ac = new AbortController();
  const c = io();
  let ports: { api: number; cosigners: number } | undefined;
  const run = hubCommand(['start', '--data-dir', dataDir, '--json'], c.io, {
    env: { QUORATE_HUB_LISTEN: '127.0.0.1:0', QUORATE_HUB_COSIGNER_LISTEN: '127.0.0.1:0' },
    signal: ac.signal,
    onListening: (p) => {
      ports = p;
    },
  });
  while (ports === undefined) await new Promise((r) => setTimeout(r, 20));
  const res = await fetch(`http://127.0.0.1:${ports.api}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
  const doc = await fetch(`http://127.0.0.1:${ports.api}/openapi.json`);
  assert.equal(((await doc.json()) as { openapi: string }).openapi, '3.1.0');
  ac.abort();
  assert.equal(await run, 0);
});

test('approve applies a change of the signing extension too (an allow-list entry)', async () => {
  const { loadHubConfig, openHub } = await import('../src/hub.ts');
  const { createServices } = await import('../src/http/server.ts');
  const { DEFAULT_EXTENSIONS } = await import('../src/extensions.ts');
  const hub = await openHub(loadHubConfig({ dataDir, env }), Date.now, DEFAULT_EXTENSIONS);
  const s = createServices(hub.ctx);
  const owner = (await s.workspaces.findKey(hub.config.ownerId))!.principal;
  const change = await s.changes.request(owner, 'allowlist.add', 'exchanges', {
    list: 'exchanges',
    asset: 'ETH',
    address: '0x52908400098527886E0F7030069857D2E4169EE7',
    label: 'exchange',
  });
  await hub.close();
  const ok = io();
  assert.equal(
    await hubCommand(['approve', change.id, '--data-dir', dataDir, '--json'], ok.io, { env }),
    0,
    ok.err.join('\n'),
  );
  assert.equal(JSON.parse(ok.out[0]!).status, 'COMPLETED');
  const again = await openHub(loadHubConfig({ dataDir, env }), Date.now, DEFAULT_EXTENSIONS);
  const rows = await again.ctx.db.selectFrom('allowlist_entries').selectAll().execute();
  await again.close();
  assert.deepEqual(
    rows.map((r) => [r.list, r.asset, r.label, r.change_id]),
    [['exchanges', 'ETH', 'exchange', change.id]],
  );
});

test('a data directory without master.key is refused, saying how to restore or create it (exit 2)', async () => {
  const { renameSync } = await import('node:fs');
  const key = join(dataDir, 'master.key');
  renameSync(key, `${key}.away`);
  try {
    const c = io();
    assert.equal(await hubCommand(['approve', 'x', '--data-dir', dataDir], c.io, { env }), 2);
    assert.match(c.err[0]!, /master\.key is missing: restore it from your backup/);
    assert.match(c.err[0]!, /openssl rand -hex 32/);
  } finally {
    renameSync(`${key}.away`, key);
  }
});
