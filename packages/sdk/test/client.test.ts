// The SDK against a real hub (core routes, SQLite in memory) listening on loopback: signed
// requests with each key type, idempotency, typed errors; polling against a scripted transport.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { sqliteMemory } from '../../hub/test/support/databases.ts';
import { startTestHub, testKey } from '../../hub/test/support/hub.ts';
import type { TestHub } from '../../hub/test/support/hub.ts';
import { generate, TARGET } from '../scripts/gen-types.ts';
import { HubApiError, QuorateClient, WaitTimeoutError } from '../src/index.ts';
import type { Transaction } from '../src/index.ts';

describe('QuorateClient against a running hub', () => {
  let hub: TestHub;
  let baseUrl: string;
  let owner: QuorateClient;

  before(async () => {
    hub = await startTestHub(sqliteMemory());
    // The SDK signs with the real clock, so the hub's test clock follows it.
    Object.defineProperty(hub.clock, 't', { get: () => Date.now(), set: () => {} });
    await hub.server.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(hub.server.app.server.address() as AddressInfo).port}`;
    owner = new QuorateClient({
      baseUrl,
      apiUserId: hub.owner.id,
      privateKey: hub.owner.key.privateKey,
    });
  });
  after(() => hub.close());

  for (const kind of ['Ed25519', 'P-256', 'RSA-2048'] as const) {
    test(`signs requests with a ${kind} key`, async () => {
      const actor = await hub.addUser('viewer', { key: testKey(kind) });
      const client = new QuorateClient({
        baseUrl,
        apiUserId: actor.id,
        privateKey: actor.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      });
      const me = await client.me();
      assert.equal(me.id, actor.id);
      assert.equal(me.role, 'viewer');
    });
  }

  test('a POST with the same Idempotency-Key is answered once; another body with it is refused', async () => {
    const body = {
      name: 'ci-bot',
      kind: 'api' as const,
      role: 'signer' as const,
      publicKey: testKey('Ed25519').publicPem,
    };
    const first = await owner.request('POST /v1/users', { body, idempotencyKey: 'create-ci-bot' });
    const again = await owner.request('POST /v1/users', { body, idempotencyKey: 'create-ci-bot' });
    assert.equal(again.id, first.id);
    const users = await owner.request('GET /v1/users');
    assert.equal(users.users.filter((u) => u.name === 'ci-bot').length, 1);
    await assert.rejects(
      owner.request('POST /v1/users', {
        body: { ...body, name: 'other' },
        idempotencyKey: 'create-ci-bot',
      }),
      (e) => e instanceof HubApiError && e.status === 422 && e.code === 'idempotency_key_reused',
    );
  });

  test('hub errors come back typed: forbidden, not found, validation with its field', async () => {
    const viewer = await hub.addUser('viewer');
    const client = new QuorateClient({
      baseUrl,
      apiUserId: viewer.id,
      privateKey: viewer.key.privateKey,
    });
    await assert.rejects(
      client.request('POST /v1/users', {
        body: { name: 'x', kind: 'api', role: 'viewer', publicKey: testKey().publicPem },
      }),
      (e) => e instanceof HubApiError && e.status === 403 && e.code === 'forbidden',
    );
    await assert.rejects(
      owner.request('GET /v1/users/{id}', { params: { id: 'no-such-user' } }),
      (e) => e instanceof HubApiError && e.status === 404 && e.code === 'not_found',
    );
    await assert.rejects(
      owner.request('POST /v1/users', {
        body: { name: 'x', kind: 'api', role: 'viewer', publicKey: 'not a key' },
      }),
      (e) => e instanceof HubApiError && e.status === 400 && e.field !== undefined,
    );
  });

  test('a request signed with a key the user did not register is refused as a bad signature', async () => {
    const impostor = new QuorateClient({
      baseUrl,
      apiUserId: hub.owner.id,
      privateKey: testKey('Ed25519').privateKey,
    });
    await assert.rejects(
      impostor.me(),
      (e) => e instanceof HubApiError && e.status === 401 && e.code === 'auth_bad_signature',
    );
  });

  test('every operation typed in the SDK is the same in the hub OpenAPI document', async () => {
    // Routes the hub adds later do not break the SDK; a changed or removed one does (then run
    // scripts/gen-types.ts).
    const blocks = (text: string) =>
      new Map(
        [...text.matchAll(/^ {2}'([A-Z]+ [^']+)': \{\n[\s\S]*?^ {2}\};$/gm)].map((m) => [
          m[1],
          m[0],
        ]),
      );
    const committed = blocks(readFileSync(TARGET, 'utf8'));
    const live = blocks(await generate());
    assert.ok(committed.size >= 40);
    for (const [key, block] of committed) assert.equal(live.get(key), block, key);
  });
});

describe('waitForTransaction', () => {
  function scripted(statuses: Transaction['status'][]) {
    let t = 0;
    let i = 0;
    const seen: string[] = [];
    const client = new QuorateClient({
      baseUrl: 'http://hub.invalid',
      apiUserId: 'u1',
      privateKey: testKey('Ed25519').privateKey,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      fetch: async (url) => {
        seen.push(String(url));
        const status = statuses[Math.min(i++, statuses.length - 1)];
        return new Response(JSON.stringify({ id: 'tx-1', status }), { status: 200 });
      },
    });
    return { client, seen };
  }

  test('polls until a final status and reports each change', async () => {
    const { client, seen } = scripted([
      'SUBMITTED',
      'QUEUED',
      'QUEUED',
      'PENDING_SIGNATURE',
      'COMPLETED',
    ]);
    const changes: string[] = [];
    const tx = await client.waitForTransaction('tx-1', { onStatus: (s) => changes.push(s) });
    assert.equal(tx.status, 'COMPLETED');
    assert.deepEqual(changes, ['SUBMITTED', 'QUEUED', 'PENDING_SIGNATURE', 'COMPLETED']);
    assert.equal(seen.length, 5);
    assert.equal(seen[0], 'http://hub.invalid/v1/transactions/tx-1');
  });

  test('a failed transaction is returned, not thrown', async () => {
    const { client } = scripted(['PENDING_AUTHORIZATION', 'BLOCKED']);
    assert.equal((await client.waitForTransaction('tx-1')).status, 'BLOCKED');
  });

  test('gives up after timeoutMs with the last status', async () => {
    const { client } = scripted(['PENDING_SIGNATURE']);
    await assert.rejects(
      client.waitForTransaction('tx-1', { timeoutMs: 2000, intervalMs: 500 }),
      (e) =>
        e instanceof WaitTimeoutError &&
        e.transactionId === 'tx-1' &&
        e.lastStatus === 'PENDING_SIGNATURE',
    );
  });
});
