/**
 * Extension points (src/extensions.ts): an extension's migration runs after the core's, its
 * routes get its RBAC rows, and a route without a row stops the server from starting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { buildHubServer } from '../src/http/server.ts';
import { migrateToLatest } from '../src/storage/database.ts';
import type { HubExtension } from '../src/extensions.ts';
import { DEFAULT_SETTINGS } from '../src/context.ts';
import { sqliteMemory } from './support/databases.ts';
import { T0, testCa } from './support/hub.ts';

const ext = (withAccess: boolean): HubExtension => ({
  name: 'example',
  migrations: {
    '0100_example': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('example').addColumn('id', 'text').execute();
      },
    },
  },
  ...(withAccess ? { access: { 'GET /v1/example': ['owner', 'admin'] } } : {}),
  setup: () => ({
    registerRoutes: (app) => {
      app.get('/v1/example', async () => ({ ok: true }));
    },
  }),
});

async function context() {
  const db = sqliteMemory();
  const pairing = generateKeyPairSync('ed25519');
  return {
    db,
    now: () => T0,
    ca: await testCa(),
    pairingKey: { privateKey: pairing.privateKey, publicKey: pairing.publicKey },
    masterKey: randomBytes(32),
    settings: DEFAULT_SETTINGS,
  };
}

test('an extension brings its migration, RBAC rows and routes', async () => {
  const ctx = await context();
  const applied = await migrateToLatest(ctx.db, [ext(true).migrations!]);
  // The core's migrations first (0001_initial, …), the extension's last.
  assert.equal(applied[0], '0001_initial');
  assert.equal(applied.at(-1), '0100_example');
  await sql`select count(*) from example`.execute(ctx.db);
  const server = await buildHubServer(ctx, { extensions: [ext(true)] });
  assert.ok(server.routes.includes('GET /v1/example'));
  assert.deepEqual(server.access['GET /v1/example'], ['owner', 'admin']);
  const r = await server.app.inject({ method: 'GET', url: '/v1/example' });
  assert.equal(r.statusCode, 401);
  assert.equal(JSON.parse(r.body).error.code, 'auth_missing');
  await server.app.close();
  await ctx.db.destroy();
});

test('an extension route without an RBAC row stops the server from starting', async () => {
  const ctx = await context();
  await migrateToLatest(ctx.db);
  await assert.rejects(
    buildHubServer(ctx, { extensions: [ext(false)] }),
    /GET \/v1\/example has no entry/,
  );
  await ctx.db.destroy();
});

test('an extension may not redefine a core route’s roles', async () => {
  const ctx = await context();
  await migrateToLatest(ctx.db);
  const bad: HubExtension = { name: 'bad', access: { 'GET /v1/me': ['owner'] } };
  await assert.rejects(buildHubServer(ctx, { extensions: [bad] }), /already in the RBAC table/);
  await ctx.db.destroy();
});

test('an unexpected error is a bare 500 internal that leaks nothing', async () => {
  const ctx = await context();
  await migrateToLatest(ctx.db);
  const boom: HubExtension = {
    name: 'boom',
    access: { 'GET /boom': 'public' },
    setup: () => ({
      registerRoutes: (app) => {
        app.get('/boom', async () => {
          throw new Error('secret detail: db password hunter2');
        });
      },
    }),
  };
  const server = await buildHubServer(ctx, { extensions: [boom] });
  const r = await server.app.inject({ method: 'GET', url: '/boom' });
  assert.equal(r.statusCode, 500);
  assert.deepEqual(JSON.parse(r.body), { error: { code: 'internal', message: 'internal error' } });
  const big = await server.app.inject({
    method: 'POST',
    url: '/v1/cosigners/pair',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ token: 'x'.repeat(1024 * 1024), csr: 'y' }),
  });
  assert.equal(big.statusCode, 413);
  assert.equal(JSON.parse(big.body).error.code, 'payload_too_large');
  await server.app.close();
  await ctx.db.destroy();
});
