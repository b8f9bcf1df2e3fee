/**
 * The hub API suite, run against every database (test/api-databases.test.ts): signed-request
 * authentication and its negatives, RBAC on every route, idempotency (also under concurrent
 * duplicates), rate limits, pairing, co-signer management, configuration changes and the
 * policy change flow. Exact statuses and error codes throughout.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, randomUUID, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HubDb } from '../../src/storage/database.ts';
import { ROLES } from '../../src/auth/rbac.ts';
import { createCsr } from '../../src/cosigners/ca.ts';
import { createCosignerRegistry } from '../../src/cosigners/registry.ts';
import { deriveJobSigningKey } from '../../src/orchestration/authorization.ts';
import { call, startTestHub, testKey } from '../support/hub.ts';
import type { Actor, Json, TestHub } from '../support/hub.ts';

async function p256Csr(): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return createCsr(keys, 'P-256');
}

const POLICY_V1 = {
  format: 'quorate.policy/v1',
  version: 1,
  description: 'first policy',
  rules: [],
};

export function apiSuite(openDb: () => Promise<HubDb>): void {
  let hub: TestHub;
  let admin: Actor;
  let editor: Actor;
  let viewer: Actor;
  let signerApi: Actor;

  before(async () => {
    hub = await startTestHub(await openDb());
    admin = await hub.addUser('admin');
    editor = await hub.addUser('editor');
    viewer = await hub.addUser('viewer');
    signerApi = await hub.addUser('signer');
  });
  after(async () => hub.close());

  describe('authentication', () => {
    test('a correctly signed request is accepted (Ed25519, P-256, RSA-2048 keys)', async () => {
      for (const kind of ['Ed25519', 'P-256', 'RSA-2048'] as const) {
        const a = await hub.addUser('viewer', { key: testKey(kind) });
        const r = await call(hub, a, 'GET', '/v1/me');
        assert.equal(r.status, 200, kind);
        assert.deepEqual(r.json, {
          id: a.id,
          workspaceId: hub.workspaceId,
          name: r.json.name,
          role: 'viewer',
          may: r.json.may,
        });
      }
    });

    test('GET /v1/me lists exactly the signed routes the role of the caller may call', async () => {
      const may = async (a: Actor) => (await call(hub, a, 'GET', '/v1/me')).json.may;
      assert.deepEqual(await may(viewer), [
        'GET /v1/config-changes',
        'GET /v1/config-changes/:id',
        'GET /v1/cosigners',
        'GET /v1/cosigners/:id',
        'GET /v1/me',
        'GET /v1/policy',
        'GET /v1/users',
        'GET /v1/users/:id',
        'GET /v1/workspace',
      ]);
      const editorMay: string[] = await may(editor);
      assert.ok(editorMay.includes('PUT /v1/policy'));
      assert.ok(editorMay.includes('POST /v1/config-changes/:id/cancel'));
      assert.ok(!editorMay.includes('POST /v1/config-changes/:id/approve'));
      assert.ok(!editorMay.includes('POST /v1/users'));
      const ownerMay: string[] = await may(hub.owner);
      assert.ok(ownerMay.includes('POST /v1/config-changes/:id/approve'));
      assert.ok(ownerMay.includes('POST /v1/users'));
      // Public and pairing routes need no role: never listed.
      assert.ok(!ownerMay.some((r) => r === 'GET /health' || r === 'POST /v1/cosigners/pair'));
    });

    test('no Authorization header → 401 auth_missing', async () => {
      const r = await call(hub, viewer, 'GET', '/v1/me', { unsigned: true });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_missing');
    });

    test('a signature by another key → 401 auth_bad_signature', async () => {
      const r = await call(hub, viewer, 'GET', '/v1/me', { key: testKey('Ed25519').privateKey });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_bad_signature');
    });

    test('a token signed with another algorithm than the key’s → 401 auth_bad_signature', async () => {
      const p = testKey('P-256');
      const r = await call(hub, viewer, 'GET', '/v1/me', { key: p.privateKey, alg: 'ES256' });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_bad_signature');
    });

    test('a replayed nonce → 401 auth_replayed_nonce', async () => {
      const nonce = randomUUID();
      assert.equal((await call(hub, viewer, 'GET', '/v1/me', { nonce })).status, 200);
      const r = await call(hub, viewer, 'GET', '/v1/me', { nonce });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_replayed_nonce');
      assert.equal(r.json.error.field, 'nonce');
    });

    test('an expired token → 401 auth_expired', async () => {
      const now = Math.floor(hub.clock.t / 1000);
      const r = await call(hub, viewer, 'GET', '/v1/me', { iat: now - 60, exp: now - 40 });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_expired');
    });

    test('exp > iat + 30 s → 401 auth_lifetime_too_long', async () => {
      const now = Math.floor(hub.clock.t / 1000);
      const r = await call(hub, viewer, 'GET', '/v1/me', { iat: now, exp: now + 31 });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_lifetime_too_long');
      const ok = await call(hub, viewer, 'GET', '/v1/me', { iat: now, exp: now + 30 });
      assert.equal(ok.status, 200);
    });

    test('a token issued in the future → 401 auth_not_yet_valid', async () => {
      const now = Math.floor(hub.clock.t / 1000);
      const r = await call(hub, viewer, 'GET', '/v1/me', { iat: now + 60, exp: now + 80 });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_not_yet_valid');
    });

    test('a token signed for another uri → 401 auth_wrong_uri', async () => {
      const r = await call(hub, viewer, 'GET', '/v1/me', { uri: '/v1/workspace' });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_wrong_uri');
      const q = await call(hub, viewer, 'GET', '/v1/config-changes?status=APPROVED', {
        uri: '/v1/config-changes',
      });
      assert.equal(q.json.error.code, 'auth_wrong_uri');
    });

    test('a bodyHash that is not the body’s → 401 auth_wrong_body_hash', async () => {
      const body = { apiUserId: signerApi.id };
      const r = await call(hub, admin, 'POST', '/v1/pairing-tokens', {
        body,
        bodyHash: 'a'.repeat(64),
      });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_wrong_body_hash');
    });

    test('an unknown or disabled subject → 401 auth_unknown_subject', async () => {
      const ghost: Actor = { id: randomUUID(), role: 'owner', key: testKey() };
      const r = await call(hub, ghost, 'GET', '/v1/me');
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'auth_unknown_subject');
      const gone = await hub.addUser('viewer');
      assert.equal((await call(hub, admin, 'DELETE', `/v1/users/${gone.id}`)).status, 200);
      const d = await call(hub, gone, 'GET', '/v1/me');
      assert.equal(d.status, 401);
      assert.equal(d.json.error.code, 'auth_unknown_subject');
    });

    test('a malformed header or claims → 401 auth_malformed', async () => {
      const r = await call(hub, viewer, 'GET', '/v1/me', {
        unsigned: true,
        headers: { authorization: 'Basic abc' },
      });
      assert.equal(r.json.error.code, 'auth_malformed');
      const n = await call(hub, viewer, 'GET', '/v1/me', { nonce: 'short' });
      assert.equal(n.status, 401);
      assert.equal(n.json.error.code, 'auth_malformed');
      assert.equal(n.json.error.field, 'nonce');
    });
  });

  describe('users and keys', () => {
    test('RSA keys under 2048 bits and private keys are refused (400 validation_failed)', async () => {
      const small = readFileSync(new URL('../fixtures/rsa-1024.pub.pem', import.meta.url), 'utf8');
      const r = await call(hub, admin, 'POST', '/v1/users', {
        body: { name: 'weak', kind: 'api', role: 'viewer', publicKey: small },
      });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'validation_failed');
      assert.equal(r.json.error.field, 'publicKey');
      const priv = await call(hub, admin, 'POST', '/v1/users', {
        body: {
          name: 'priv',
          kind: 'api',
          role: 'viewer',
          publicKey: testKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      });
      assert.equal(priv.status, 400);
      assert.equal(priv.json.error.field, 'publicKey');
    });

    test('only the owner creates admins; names are unique (409 conflict)', async () => {
      const k = testKey();
      const r = await call(hub, admin, 'POST', '/v1/users', {
        body: { name: 'new-admin', kind: 'api', role: 'admin', publicKey: k.publicPem },
      });
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, 'forbidden');
      const ok = await call(hub, hub.owner, 'POST', '/v1/users', {
        body: { name: 'new-admin', kind: 'api', role: 'admin', publicKey: k.publicPem },
      });
      assert.equal(ok.status, 201);
      assert.equal(ok.json.role, 'admin');
      assert.equal(ok.json.keyAlgorithm, 'EdDSA');
      const dup = await call(hub, hub.owner, 'POST', '/v1/users', {
        body: { name: 'new-admin', kind: 'api', role: 'viewer', publicKey: k.publicPem },
      });
      assert.equal(dup.status, 409);
      assert.equal(dup.json.error.code, 'conflict');
    });

    test('schema errors name the field; unknown fields are refused', async () => {
      const r = await call(hub, admin, 'POST', '/v1/users', {
        body: { name: 'x', kind: 'api', role: 'root', publicKey: 'k' },
      });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'validation_failed');
      assert.equal(r.json.error.field, 'role');
      const extra = await call(hub, admin, 'POST', '/v1/pairing-tokens', {
        body: { apiUserId: signerApi.id, extra: 1 },
      });
      assert.equal(extra.status, 400);
      assert.equal(extra.json.error.field, 'extra');
    });
  });

  describe('RBAC', () => {
    test('the RBAC table and the routes are the same set', () => {
      assert.deepEqual([...hub.server.routes].sort(), Object.keys(hub.server.access).sort());
    });

    test('every route: each role outside its list gets 403 forbidden, each inside passes', async () => {
      const actors: Record<string, Actor> = {
        owner: hub.owner,
        admin,
        editor,
        viewer,
        signer: signerApi,
      };
      const bodies: Record<string, unknown> = {
        'POST /v1/users': { name: 'rbac', kind: 'api', role: 'viewer', publicKey: 'not a key' },
        'POST /v1/pairing-tokens': { apiUserId: randomUUID() },
        'PATCH /v1/cosigners/:id': { name: 'renamed' },
        'POST /v1/cosigners/:id/api-users': { apiUserId: randomUUID() },
        'PUT /v1/cosigners/:id/callback-handler': { url: null },
        'POST /v1/config-changes/:id/reject': {},
        'PUT /v1/policy': { policy: { format: 'nope' } },
        'POST /v1/cosigners/pair': { token: 'x', csr: 'y' },
      };
      for (const route of hub.server.routes) {
        const [method, pattern] = route.split(' ') as [Json, string];
        const url = pattern.replace(':id', randomUUID());
        const access = hub.server.access[route]!;
        const body = bodies[route];
        if (access === 'public' || access === 'pairing') {
          const r = await call(hub, viewer, method, url, {
            unsigned: true,
            ...(body ? { body } : {}),
          });
          assert.ok(
            r.status !== 401 || access === 'pairing',
            `${route} must be reachable unsigned`,
          );
          assert.notEqual(r.status, 403, route);
          continue;
        }
        const unsigned = await call(hub, viewer, method, url, {
          unsigned: true,
          ...(body ? { body } : {}),
        });
        assert.equal(unsigned.status, 401, `${route} unsigned`);
        for (const role of ROLES) {
          const r = await call(hub, actors[role]!, method, url, body ? { body } : {});
          if (access.includes(role)) {
            assert.ok(
              r.status !== 401 && r.status !== 403,
              `${route} as ${role}: ${r.status} ${r.body}`,
            );
          } else {
            assert.equal(r.status, 403, `${route} as ${role}`);
            assert.equal(r.json.error.code, 'forbidden', `${route} as ${role}`);
          }
        }
      }
    });
  });

  describe('idempotency', () => {
    const createBody = (name: string) => ({
      name,
      kind: 'api',
      role: 'viewer',
      publicKey: testKey().publicPem,
    });

    test('a duplicate POST returns the original response; one user is created', async () => {
      const body = createBody('idem-1');
      const headers = { 'idempotency-key': 'key-1' };
      const a = await call(hub, admin, 'POST', '/v1/users', { body, headers });
      const b = await call(hub, admin, 'POST', '/v1/users', { body, headers });
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.equal(b.body, a.body);
      assert.equal(b.headers['idempotent-replayed'], 'true');
      const users = await call(hub, admin, 'GET', '/v1/users');
      assert.equal(users.json.users.filter((u: Json) => u.name === 'idem-1').length, 1);
    });

    test('the same key with another body → 422 idempotency_key_reused', async () => {
      const headers = { 'idempotency-key': 'key-2' };
      assert.equal(
        (await call(hub, admin, 'POST', '/v1/users', { body: createBody('idem-2'), headers }))
          .status,
        201,
      );
      const r = await call(hub, admin, 'POST', '/v1/users', {
        body: createBody('idem-2b'),
        headers,
      });
      assert.equal(r.status, 422);
      assert.equal(r.json.error.code, 'idempotency_key_reused');
    });

    test('keys are per principal: another user may use the same key', async () => {
      const headers = { 'idempotency-key': 'key-3' };
      assert.equal(
        (await call(hub, admin, 'POST', '/v1/users', { body: createBody('idem-3'), headers }))
          .status,
        201,
      );
      const r = await call(hub, hub.owner, 'POST', '/v1/users', {
        body: createBody('idem-3o'),
        headers,
      });
      assert.equal(r.status, 201);
      assert.equal(r.json.name, 'idem-3o');
    });

    test('concurrent duplicates: all get the one original response', async () => {
      const body = createBody('idem-concurrent');
      const headers = { 'idempotency-key': 'key-concurrent' };
      const rs = await Promise.all(
        Array.from({ length: 6 }, () => call(hub, admin, 'POST', '/v1/users', { body, headers })),
      );
      for (const r of rs) {
        assert.equal(r.status, 201);
        assert.equal(r.body, rs[0]!.body);
      }
      assert.equal(rs.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 5);
      const users = await call(hub, admin, 'GET', '/v1/users');
      assert.equal(users.json.users.filter((u: Json) => u.name === 'idem-concurrent').length, 1);
    });

    test('a 4xx is stored too; a malformed key → 400 idempotency_key_invalid', async () => {
      const body = { name: 'bad', kind: 'api', role: 'viewer', publicKey: 'nope' };
      const headers = { 'idempotency-key': 'key-4xx' };
      const a = await call(hub, admin, 'POST', '/v1/users', { body, headers });
      const b = await call(hub, admin, 'POST', '/v1/users', { body, headers });
      assert.equal(a.status, 400);
      assert.equal(b.status, 400);
      assert.equal(b.headers['idempotent-replayed'], 'true');
      const bad = await call(hub, admin, 'POST', '/v1/users', {
        body: createBody('x'),
        headers: { 'idempotency-key': 'with space' },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'idempotency_key_invalid');
    });
  });

  describe('pairing and co-signer management', () => {
    let cosignerId: string;
    let secondApi: Actor;

    test('pairing tokens: only for API users with role signer or admin', async () => {
      const r = await call(hub, admin, 'POST', '/v1/pairing-tokens', {
        body: { apiUserId: viewer.id },
      });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'validation_failed');
      assert.equal(r.json.error.field, 'apiUserId');
      const human = await hub.addUser('signer', { kind: 'human' });
      const h = await call(hub, admin, 'POST', '/v1/pairing-tokens', {
        body: { apiUserId: human.id },
      });
      assert.equal(h.status, 400);
      assert.equal(h.json.error.field, 'apiUserId');
    });

    test('a pairing token is redeemed once with a CSR for a certificate', async () => {
      const t = await call(hub, admin, 'POST', '/v1/pairing-tokens', {
        body: { apiUserId: signerApi.id },
      });
      assert.equal(t.status, 201);
      assert.equal(t.json.expiresAt, hub.clock.t - (hub.clock.t % 1000) + 3600_000);
      const bad = await call(hub, admin, 'POST', '/v1/cosigners/pair', {
        unsigned: true,
        body: { token: t.json.token, csr: 'not a csr' },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'csr_invalid');
      const csr = await p256Csr();
      const ok = await call(hub, admin, 'POST', '/v1/cosigners/pair', {
        unsigned: true,
        body: { token: t.json.token, csr, name: 'primary-1' },
      });
      assert.equal(ok.status, 201, ok.body);
      assert.match(ok.json.certificate, /BEGIN CERTIFICATE/);
      assert.equal(ok.json.caCertificate, hub.ctx.ca.certificatePem);
      // The job-signing public key the co-signer pins (the signing stack's default key).
      assert.equal(
        ok.json.jobSigningKey,
        createPublicKey(deriveJobSigningKey(hub.ctx.pairingKey.privateKey))
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      );
      assert.deepEqual(ok.json.cosigner.apiUserIds, [signerApi.id]);
      assert.equal(ok.json.cosigner.health, 'never_seen');
      cosignerId = ok.json.cosigner.id;
      const again = await call(hub, admin, 'POST', '/v1/cosigners/pair', {
        unsigned: true,
        body: { token: t.json.token, csr },
      });
      assert.equal(again.status, 409);
      assert.equal(again.json.error.code, 'pairing_token_used');
    });

    test('an expired or forged pairing token → 401 pairing_token_invalid', async () => {
      const other = await hub.addUser('signer');
      const t = await call(hub, admin, 'POST', '/v1/pairing-tokens', {
        body: { apiUserId: other.id },
      });
      hub.clock.advance(3600_000 + 1000);
      const r = await call(hub, admin, 'POST', '/v1/cosigners/pair', {
        unsigned: true,
        body: { token: t.json.token, csr: await p256Csr() },
      });
      hub.clock.advance(-(3600_000 + 1000));
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'pairing_token_invalid');
      const parts = (t.json.token as string).split('.');
      const forged = [parts[0], parts[1], parts[2]!.slice(0, -4) + 'AAAA'].join('.');
      const f = await call(hub, admin, 'POST', '/v1/cosigners/pair', {
        unsigned: true,
        body: { token: forged, csr: await p256Csr() },
      });
      assert.equal(f.status, 401);
      assert.equal(f.json.error.code, 'pairing_token_invalid');
    });

    test('list, get, rename; health follows heartbeats', async () => {
      const list = await call(hub, viewer, 'GET', '/v1/cosigners');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.json.cosigners.map((c: Json) => c.id),
        [cosignerId],
      );
      const renamed = await call(hub, editor, 'PATCH', `/v1/cosigners/${cosignerId}`, {
        body: { name: 'primary-A' },
      });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.json.name, 'primary-A');
      await hub.server.services.registry.heartbeat(cosignerId);
      const g = await call(hub, viewer, 'GET', `/v1/cosigners/${cosignerId}`);
      assert.equal(g.json.health, 'online');
      assert.equal(g.json.lastSeenAt, hub.clock.t);
      hub.clock.advance(hub.ctx.settings.heartbeatTimeoutMs + 1);
      const late = await call(hub, viewer, 'GET', `/v1/cosigners/${cosignerId}`);
      assert.equal(late.json.health, 'offline');
      // A restarted hub (a new registry over the same database, a moment later) does not count
      // the previous process's heartbeat, however recent; the next heartbeat counts.
      await hub.server.services.registry.heartbeat(cosignerId);
      hub.clock.advance(1);
      const restarted = createCosignerRegistry(hub.ctx);
      assert.equal((await restarted.get(hub.workspaceId, cosignerId)).health, 'offline');
      assert.equal(
        (await hub.server.services.registry.get(hub.workspaceId, cosignerId)).health,
        'online',
      );
      await restarted.heartbeat(cosignerId);
      assert.equal((await restarted.get(hub.workspaceId, cosignerId)).health, 'online');
      const missing = await call(hub, viewer, 'GET', `/v1/cosigners/${randomUUID()}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, 'not_found');
    });

    test('pairing another API user is a change the owner approves (an admin may not)', async () => {
      secondApi = await hub.addUser('admin');
      const r = await call(hub, editor, 'POST', `/v1/cosigners/${cosignerId}/api-users`, {
        body: { apiUserId: secondApi.id },
      });
      assert.equal(r.status, 202);
      assert.equal(r.json.status, 'WAITING_FOR_APPROVAL');
      assert.equal(r.json.kind, 'cosigner.pair_api_user');
      assert.deepEqual(r.json.approverRoles, ['owner']);
      const byAdmin = await call(hub, admin, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(byAdmin.status, 403);
      assert.equal(byAdmin.json.error.code, 'forbidden');
      const ok = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(ok.status, 200);
      assert.equal(ok.json.status, 'COMPLETED');
      assert.equal(ok.json.decidedBy, hub.owner.id);
      const c = await call(hub, viewer, 'GET', `/v1/cosigners/${cosignerId}`);
      assert.deepEqual([...c.json.apiUserIds].sort(), [signerApi.id, secondApi.id].sort());
      const twice = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(twice.status, 409);
      assert.equal(twice.json.error.code, 'invalid_state');
    });

    test('callback handler: rejected, then proposed again and approved', async () => {
      const body = { url: 'https://callback.example/v2', publicKey: testKey('P-256').publicPem };
      const r = await call(hub, editor, 'PUT', `/v1/cosigners/${cosignerId}/callback-handler`, {
        body,
      });
      assert.equal(r.status, 202);
      const rej = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/reject`, {
        body: { reason: 'wrong host' },
      });
      assert.equal(rej.status, 200);
      assert.equal(rej.json.status, 'REJECTED');
      assert.equal(rej.json.reason, 'wrong host');
      const late = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(late.status, 409);
      assert.equal(late.json.error.code, 'invalid_state');
      const r2 = await call(hub, editor, 'PUT', `/v1/cosigners/${cosignerId}/callback-handler`, {
        body,
      });
      const ok = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r2.json.id}/approve`);
      assert.equal(ok.json.status, 'COMPLETED');
      const c = await call(hub, viewer, 'GET', `/v1/cosigners/${cosignerId}`);
      assert.equal(c.json.callbackHandler.url, body.url);
      const http = await call(hub, editor, 'PUT', `/v1/cosigners/${cosignerId}/callback-handler`, {
        body: { url: 'http://plain.example' },
      });
      assert.equal(http.status, 400);
      assert.equal(http.json.error.field, 'url');
    });

    test('a waiting change can be cancelled by its requester; listing filters by status', async () => {
      const r = await call(hub, editor, 'PUT', `/v1/cosigners/${cosignerId}/callback-handler`, {
        body: { url: null },
      });
      const c = await call(hub, editor, 'POST', `/v1/config-changes/${r.json.id}/cancel`);
      assert.equal(c.status, 200);
      assert.equal(c.json.status, 'CANCELLED');
      const list = await call(hub, viewer, 'GET', '/v1/config-changes?status=CANCELLED');
      assert.deepEqual(
        list.json.changes.map((x: Json) => x.id),
        [r.json.id],
      );
    });

    test('unpairing is approved by an admin; the co-signer becomes unpaired', async () => {
      const r = await call(hub, editor, 'DELETE', `/v1/cosigners/${cosignerId}`);
      assert.equal(r.status, 202);
      assert.deepEqual(r.json.approverRoles, ['owner', 'admin']);
      const ok = await call(hub, admin, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(ok.json.status, 'COMPLETED');
      const c = await call(hub, viewer, 'GET', `/v1/cosigners/${cosignerId}`);
      assert.equal(c.json.status, 'unpaired');
      const again = await call(hub, editor, 'DELETE', `/v1/cosigners/${cosignerId}`);
      assert.equal(again.status, 409);
      assert.equal(again.json.error.code, 'invalid_state');
    });
  });

  describe('policy changes', () => {
    test('a proposed policy waits for the owner, then is in force', async () => {
      const none = await call(hub, viewer, 'GET', '/v1/policy');
      assert.deepEqual(none.json, { policy: null });
      const bad = await call(hub, editor, 'PUT', '/v1/policy', {
        body: { policy: { ...POLICY_V1, version: 2 } },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.field, 'policy.version');
      const r = await call(hub, editor, 'PUT', '/v1/policy', { body: { policy: POLICY_V1 } });
      assert.equal(r.status, 202);
      assert.equal(r.json.kind, 'policy.set');
      const byAdmin = await call(hub, admin, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(byAdmin.status, 403);
      const ok = await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/approve`);
      assert.equal(ok.json.status, 'COMPLETED');
      const now = await call(hub, viewer, 'GET', '/v1/policy');
      assert.deepEqual(now.json.policy, POLICY_V1);
    });
  });

  describe('errors and documents', () => {
    test('unknown route → 404 not_found; malformed JSON → 400 validation_failed', async () => {
      const r = await call(hub, viewer, 'GET', '/v1/nothing-here');
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'not_found');
      const res = await hub.server.app.inject({
        method: 'POST',
        url: '/v1/cosigners/pair',
        headers: { 'content-type': 'application/json' },
        payload: '{"token":',
      });
      assert.equal(res.statusCode, 400);
      assert.equal(JSON.parse(res.body).error.code, 'validation_failed');
    });

    test('/openapi.json describes every route, with request and response schemas', async () => {
      const res = await hub.server.app.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = JSON.parse(res.body);
      assert.equal(doc.openapi, '3.1.0');
      for (const route of hub.server.routes) {
        const [method, url] = route.split(' ') as [string, string];
        const path = url.replace(/:(\w+)/g, '{$1}');
        // The document itself and the web console's static files are not API operations.
        if (url === '/openapi.json' || url === '/console' || url.startsWith('/console/')) {
          assert.equal(doc.paths[path], undefined, `${route} is not in the document`);
          continue;
        }
        const op = doc.paths[path]?.[method.toLowerCase()];
        assert.ok(op, `${route} missing from the OpenAPI document`);
        assert.ok(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          `${route} has no 2xx schema`,
        );
      }
    });
  });
}

export function rateLimitSuite(openDb: () => Promise<HubDb>): void {
  test('requests over the limit → 429 rate_limited with retry-after', async () => {
    const hub = await startTestHub(await openDb(), { rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const v = await hub.addUser('viewer');
      for (let i = 0; i < 3; i++) assert.equal((await call(hub, v, 'GET', '/v1/me')).status, 200);
      const r = await call(hub, v, 'GET', '/v1/me');
      assert.equal(r.status, 429);
      assert.equal(r.json.error.code, 'rate_limited');
      assert.ok(r.headers['retry-after'] !== undefined);
      // Limits are per principal: another user is not affected.
      assert.equal((await call(hub, hub.owner, 'GET', '/v1/me')).status, 200);
    } finally {
      await hub.close();
    }
  });
}
