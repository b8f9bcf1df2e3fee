/**
 * Callback handlers per (co-signer, API user) (issue 6: "every callback handler configured for
 * the API user"): set and removed per paired API user through owner-approved changes, listed in
 * the co-signer view and in the mTLS whoami (with the job-signing key the co-signer pinned at
 * pairing), a request without apiUserId applies to every paired user, and migration
 * 0004_callback_handlers moves a co-signer's one legacy handler to each of its API users.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { KeyObject, webcrypto } from 'node:crypto';
import { Migrator } from 'kysely';
import { createCsr } from '../../src/cosigners/ca.ts';
import { startCosignerListener } from '../../src/cosigners/mtls.ts';
import type { CosignerListener } from '../../src/cosigners/mtls.ts';
import { migrateToLatest } from '../../src/storage/database.ts';
import { MIGRATIONS } from '../../src/storage/migrations.ts';
import { sqliteMemory } from '../support/databases.ts';
import { call, startTestHub, testKey } from '../support/hub.ts';
import type { Actor, Json, TestHub } from '../support/hub.ts';

async function keyAndCsr() {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const key = KeyObject.from(keys.privateKey as Parameters<typeof KeyObject.from>[0])
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { csr: await createCsr(keys, 'P-256'), key };
}

function whoami(port: number, ca: string, cert: string, key: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/cosigner/v1/whoami',
        method: 'GET',
        ca,
        cert,
        key,
        servername: 'localhost',
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('callback handlers per API user', () => {
  let hub: TestHub;
  let listener: CosignerListener;
  let editor: Actor;
  let apiA: Actor;
  let apiB: Actor;
  let other: Actor;
  let cosignerId: string;
  let client: { cert: string; key: string };
  let pairedJobKey: string;
  const keyA = testKey('P-256').publicPem;
  const keyB = testKey('Ed25519').publicPem;

  async function approved(body: unknown): Promise<Json> {
    const r = await call(hub, editor, 'PUT', `/v1/cosigners/${cosignerId}/callback-handler`, {
      body,
    });
    assert.equal(r.status, 202, r.body);
    const ok = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/approve`);
    assert.equal(ok.json.status, 'COMPLETED', ok.body);
    return r.json;
  }

  before(async () => {
    hub = await startTestHub(sqliteMemory());
    listener = await startCosignerListener(hub.ctx, hub.server.services.registry, {
      host: '127.0.0.1',
      port: 0,
    });
    editor = await hub.addUser('editor');
    apiA = await hub.addUser('signer');
    apiB = await hub.addUser('signer');
    other = await hub.addUser('signer');
    const t = await call(hub, hub.owner, 'POST', '/v1/pairing-tokens', {
      body: { apiUserId: apiA.id },
    });
    const { csr, key } = await keyAndCsr();
    const r = await call(hub, hub.owner, 'POST', '/v1/cosigners/pair', {
      unsigned: true,
      body: { token: t.json.token, csr },
    });
    assert.equal(r.status, 201, r.body);
    cosignerId = r.json.cosigner.id;
    client = { cert: r.json.certificate, key };
    pairedJobKey = r.json.jobSigningKey;
    const add = await call(hub, editor, 'POST', `/v1/cosigners/${cosignerId}/api-users`, {
      body: { apiUserId: apiB.id },
    });
    await call(hub, hub.owner, 'POST', `/v1/config-changes/${add.json.id}/approve`);
  });

  after(async () => {
    await listener.close();
    await hub.close();
  });

  test('a handler set for one API user is that user’s only', async () => {
    const change = await approved({
      apiUserId: apiA.id,
      url: 'https://a.example/cb',
      publicKey: keyA,
    });
    assert.equal(change.payload.apiUserId, apiA.id);
    const c = await call(hub, editor, 'GET', `/v1/cosigners/${cosignerId}`);
    assert.deepEqual(c.json.callbackHandlers, [
      { apiUserId: apiA.id, url: 'https://a.example/cb', publicKey: keyA },
    ]);
  });

  test('a second user’s handler is kept apart; whoami lists both and the pinned job key', async () => {
    await approved({ apiUserId: apiB.id, url: 'https://b.example/cb', publicKey: keyB });
    const w = await whoami(listener.port, hub.ctx.ca.certificatePem, client.cert, client.key);
    const byUser = Object.fromEntries(
      (w.callbackHandlers as Json[]).map((h) => [h.apiUserId, h.url]),
    );
    assert.deepEqual(byUser, {
      [apiA.id]: 'https://a.example/cb',
      [apiB.id]: 'https://b.example/cb',
    });
    assert.equal(w.jobSigningKey, pairedJobKey);
    // The legacy single field is the handler of the first paired API user by id.
    const first = [apiA.id, apiB.id].sort()[0];
    assert.equal(w.callbackHandler.url, byUser[first as string]);
  });

  test('removing one user’s handler leaves the other', async () => {
    await approved({ apiUserId: apiB.id, url: null });
    const c = await call(hub, editor, 'GET', `/v1/cosigners/${cosignerId}`);
    assert.deepEqual(
      c.json.callbackHandlers.map((h: Json) => h.apiUserId),
      [apiA.id],
    );
  });

  test('an API user that is not paired with the co-signer is refused (field apiUserId)', async () => {
    const r = await call(hub, editor, 'PUT', `/v1/cosigners/${cosignerId}/callback-handler`, {
      body: { apiUserId: other.id, url: 'https://x.example/cb', publicKey: keyA },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'validation_failed');
    assert.equal(r.json.error.field, 'apiUserId');
  });

  test('without apiUserId the change applies to every paired API user', async () => {
    const change = await approved({ url: 'https://all.example/cb', publicKey: keyA });
    assert.equal(change.payload.apiUserId, undefined);
    const c = await call(hub, editor, 'GET', `/v1/cosigners/${cosignerId}`);
    assert.deepEqual(
      c.json.callbackHandlers.map((h: Json) => [h.apiUserId, h.url]),
      [apiA.id, apiB.id].sort().map((u) => [u, 'https://all.example/cb']),
    );
  });
});

test('migration 0004_callback_handlers gives each paired API user the co-signer’s legacy handler', async () => {
  const db = sqliteMemory();
  try {
    const only = new Migrator({
      db,
      provider: { getMigrations: async () => ({ '0001_initial': MIGRATIONS['0001_initial']! }) },
    });
    const r = await only.migrateToLatest();
    assert.equal(r.error, undefined);
    await db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: 1 }).execute();
    for (const id of ['u1', 'u2', 'u3'])
      await db
        .insertInto('users')
        .values({
          id,
          workspace_id: 'w',
          name: id,
          kind: 'api',
          role: 'signer',
          public_key_pem: 'pem',
          key_algorithm: 'EdDSA',
          created_at: 1,
          disabled_at: null,
        })
        .execute();
    const cosigner = (id: string, url: string | null) => ({
      id,
      workspace_id: 'w',
      name: id,
      status: 'active' as const,
      certificate_pem: 'c',
      certificate_fingerprint: `fp-${id}`,
      callback_url: url,
      callback_public_key_pem: url === null ? null : 'key-pem',
      last_seen_at: null,
      created_at: 7,
    });
    await db
      .insertInto('cosigners')
      .values([cosigner('c1', 'https://legacy.example'), cosigner('c2', null)])
      .execute();
    await db
      .insertInto('cosigner_api_users')
      .values([
        { cosigner_id: 'c1', api_user_id: 'u1' },
        { cosigner_id: 'c1', api_user_id: 'u2' },
        { cosigner_id: 'c2', api_user_id: 'u3' },
      ])
      .execute();
    assert.deepEqual(await migrateToLatest(db), ['0004_callback_handlers']);
    const rows = await db
      .selectFrom('cosigner_callback_handlers')
      .selectAll()
      .orderBy('api_user_id')
      .execute();
    assert.deepEqual(rows, [
      {
        cosigner_id: 'c1',
        api_user_id: 'u1',
        url: 'https://legacy.example',
        public_key_pem: 'key-pem',
        updated_at: 7,
      },
      {
        cosigner_id: 'c1',
        api_user_id: 'u2',
        url: 'https://legacy.example',
        public_key_pem: 'key-pem',
        updated_at: 7,
      },
    ]);
  } finally {
    await db.destroy();
  }
});
