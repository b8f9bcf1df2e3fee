// `quorate tx`: the user CLI against a running hub with the signing routes (SQLite in memory),
// and `wait` against a scripted transport for the final-status exit codes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EXTENSIONS } from '../../hub/src/extensions.ts';
import { sqliteMemory } from '../../hub/test/support/databases.ts';
import { startTestHub, testKey } from '../../hub/test/support/hub.ts';
import type { TestHub } from '../../hub/test/support/hub.ts';
import { QuorateClient } from '../src/client.ts';
import { txCommand, TX_USAGE } from '../src/cli.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('quorate tx against a running hub', () => {
  let hub: TestHub;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    hub = await startTestHub(sqliteMemory(), {}, DEFAULT_EXTENSIONS);
    // The SDK signs with the real clock, so the hub's test clock follows it.
    Object.defineProperty(hub.clock, 't', { get: () => Date.now(), set: () => {} });
    await hub.server.app.listen({ host: '127.0.0.1', port: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'quorate-sdk-cli-'));
    const keyFile = join(dir, 'owner.pem');
    writeFileSync(
      keyFile,
      hub.owner.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    env = {
      QUORATE_HUB_URL: `http://127.0.0.1:${(hub.server.app.server.address() as AddressInfo).port}`,
      QUORATE_API_USER: hub.owner.id,
      QUORATE_API_KEY_FILE: keyFile,
    };
  });
  after(() => hub.close());

  test('--help prints the usage and exits 0', async () => {
    const c = capture();
    assert.equal(await txCommand(['--help'], c.io, { env }), 0);
    assert.equal(c.out[0], TX_USAGE);
  });

  test('list --json prints the hub answer', async () => {
    const c = capture();
    assert.equal(await txCommand(['list', '--json'], c.io, { env }), 0);
    assert.deepEqual(JSON.parse(c.out[0]!), { transactions: [], next: null });
  });

  test('cosigners list --json prints the registry', async () => {
    const c = capture();
    assert.equal(await txCommand(['cosigners', 'list', '--json'], c.io, { env }), 0);
    assert.deepEqual(JSON.parse(c.out[0]!).cosigners, []);
  });

  test('get of an unknown transaction exits 1 with the typed error', async () => {
    const c = capture();
    assert.equal(await txCommand(['get', 'nope', '--json'], c.io, { env }), 1);
    assert.deepEqual(JSON.parse(c.out[0]!).error.code, 'not_found');
  });

  test('create for an unknown vault is refused by the hub', async () => {
    const c = capture();
    const code = await txCommand(
      ['create', '--vault', 'v1', '--account', 'a1', '--digest', 'ab'.repeat(32), '--json'],
      c.io,
      { env },
    );
    assert.equal(code, 1);
    assert.equal(JSON.parse(c.out[0]!).error.status, 404);
  });

  test('usage errors exit 2 and name the flag', async () => {
    for (const [argv, text] of [
      [['create', '--account', 'a'], '--vault is required'],
      [['create', '--vault', 'v', '--account', 'a', '--digest', 'zz'], '--digest must be hex'],
      [['create', '--vault', 'v', '--account', 'a'], 'give exactly one of'],
      [['wait', 'tx', '--timeout', '0'], '--timeout must be'],
      [['frobnicate'], 'unknown command'],
    ] as const) {
      const c = capture();
      assert.equal(await txCommand(argv, c.io, { env }), 2, argv.join(' '));
      assert.match(c.err[0]!, new RegExp(text.replace(/[-]/g, '\\-')));
    }
    const c = capture();
    assert.equal(await txCommand(['list'], c.io, { env: {} }), 2);
    assert.match(c.err[0]!, /--hub \(or QUORATE_HUB_URL\) is required/);
  });
});

test('approve prints the transaction line with where its approvals stand', async () => {
  const client = () =>
    new QuorateClient({
      baseUrl: 'http://hub.invalid',
      apiUserId: 'u1',
      privateKey: testKey('Ed25519').privateKey,
      fetch: async () =>
        new Response(
          JSON.stringify({
            id: 'tx-7',
            status: 'PENDING_AUTHORIZATION',
            kind: 'message',
            approvals: {
              outcome: 'PENDING',
              groups: [
                {
                  name: 'finance',
                  quorum: 2,
                  eligible: 3,
                  approvals: 1,
                  rejections: 0,
                  reached: false,
                },
                {
                  name: 'security',
                  quorum: 1,
                  eligible: 1,
                  approvals: 0,
                  rejections: 0,
                  reached: false,
                },
              ],
              votes: [],
            },
          }),
          { status: 200 },
        ),
    });
  const c = capture();
  assert.equal(await txCommand(['approve', 'tx-7'], c.io, { client }), 0);
  assert.deepEqual(c.out, [
    'tx-7  PENDING_AUTHORIZATION  message  approvals finance 1/2, security 0/1',
  ]);
});

test('list pages: --limit and --before go to the hub; the next cursor is printed; a bad --limit is a usage error', async () => {
  const urls: string[] = [];
  const client = () =>
    new QuorateClient({
      baseUrl: 'http://hub.invalid',
      apiUserId: 'u1',
      privateKey: testKey('Ed25519').privateKey,
      fetch: async (url) => {
        urls.push(String(url));
        return new Response(
          JSON.stringify({
            transactions: [{ id: 'tx-3', status: 'COMPLETED' }],
            next: 'MTIzOnR4LTM',
          }),
          { status: 200 },
        );
      },
    });
  const c = capture();
  assert.equal(
    await txCommand(['list', '--limit', '1', '--before', 'MTIzOnR4LTQ'], c.io, { client }),
    0,
  );
  assert.deepEqual(c.out, ['tx-3  COMPLETED\n(older ones: list --before MTIzOnR4LTM)']);
  const u = new URL(urls[0]!);
  assert.deepEqual(
    [u.pathname, u.searchParams.get('limit'), u.searchParams.get('before')],
    ['/v1/transactions', '1', 'MTIzOnR4LTQ'],
  );
  const bad = capture();
  assert.equal(await txCommand(['list', '--limit', '0'], bad.io, { client }), 2);
  assert.match(bad.err.join('\n'), /--limit must be a whole number from 1 to 200/);
  assert.equal(urls.length, 1);
});

describe('quorate tx wait', () => {
  const scripted = (final: string) => () => {
    let t = 0;
    let n = 0;
    return new QuorateClient({
      baseUrl: 'http://hub.invalid',
      apiUserId: 'u1',
      privateKey: testKey('Ed25519').privateKey,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      fetch: async () =>
        new Response(
          JSON.stringify({ id: 'tx-9', status: n++ < 2 ? 'PENDING_SIGNATURE' : final }),
          { status: 200 },
        ),
    });
  };

  test('exits 0 on COMPLETED and 4 on another final status, printing the transaction', async () => {
    let c = capture();
    assert.equal(
      await txCommand(['wait', 'tx-9', '--json'], c.io, { client: scripted('COMPLETED') }),
      0,
    );
    assert.equal(JSON.parse(c.out[0]!).status, 'COMPLETED');
    assert.deepEqual(c.err, ['tx-9: PENDING_SIGNATURE', 'tx-9: COMPLETED']);
    c = capture();
    assert.equal(await txCommand(['wait', 'tx-9'], c.io, { client: scripted('REJECTED') }), 4);
    assert.equal(c.out[0], 'tx-9  REJECTED');
  });
});
