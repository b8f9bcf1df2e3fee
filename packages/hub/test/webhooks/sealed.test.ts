/**
 * Webhook secrets at rest (storage/sealed.ts, webhooks/service.ts): stored sealed with
 * AES-256-GCM under the master key, bound to the webhook id; deliveries are still signed with
 * the secret shown at creation; plaintext rows of an older hub are sealed at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrateToLatest } from '../../src/storage/database.ts';
import { SIGNING_MIGRATIONS } from '../../src/orchestration/extension.ts';
import { SealedSecretError, parseMasterKey, seal, unseal } from '../../src/storage/sealed.ts';
import { createWebhookService } from '../../src/webhooks/service.ts';
import { createWorkspaceService } from '../../src/workspaces/service.ts';
import { sqliteMemory } from '../support/databases.ts';
import { testKey } from '../support/hub.ts';

const KEY = randomBytes(32);

test('seal/unseal: round trip; another row (AAD), another key, a flipped bit or a short value do not open', () => {
  const s = seal(KEY, 'webhook-secret', 'hook-1', Buffer.from('secret'));
  assert.match(s, /^v1:[A-Za-z0-9+/=]+$/);
  assert.equal(unseal(KEY, 'webhook-secret', 'hook-1', s).toString(), 'secret');
  const fails = (f: () => unknown) =>
    assert.throws(f, (e: unknown) => e instanceof SealedSecretError);
  fails(() => unseal(KEY, 'webhook-secret', 'hook-2', s));
  fails(() => unseal(KEY, 'other-purpose', 'hook-1', s));
  fails(() => unseal(randomBytes(32), 'webhook-secret', 'hook-1', s));
  const raw = Buffer.from(s.slice(3), 'base64');
  raw[14]! ^= 1;
  fails(() => unseal(KEY, 'webhook-secret', 'hook-1', `v1:${raw.toString('base64')}`));
  fails(() => unseal(KEY, 'webhook-secret', 'hook-1', 'v1:AAAA'));
  fails(() => unseal(KEY, 'webhook-secret', 'hook-1', 'ab'.repeat(32)));
  fails(() => seal(randomBytes(16), 'webhook-secret', 'hook-1', Buffer.from('x')));
  assert.equal(parseMasterKey(` ${'0f'.repeat(32)}\n`)?.length, 32);
  assert.equal(parseMasterKey('0f'.repeat(31)), null);
  assert.equal(parseMasterKey('zz'.repeat(32)), null);
});

test('webhooks: the stored secret is sealed; deliveries are signed with the shown secret; legacy plaintext rows are sealed', async () => {
  const db = sqliteMemory();
  await migrateToLatest(db, [SIGNING_MIGRATIONS]);
  const ctx = { db, now: () => 1_700_000_000_000, masterKey: KEY };
  const { workspaceId } = await createWorkspaceService(ctx as never).createWorkspace({
    name: 'ws',
    ownerName: 'owner',
    ownerPublicKeyPem: testKey('Ed25519').publicPem,
  });
  const got: { sig: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ sig: String(req.headers['quorate-signature']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hooks = createWebhookService(ctx, { maxAttempts: 1, backoffMs: 1, timeoutMs: 5000 });
    const created = await hooks.create(workspaceId, url);
    const row = await db
      .selectFrom('webhooks')
      .select('secret')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.match(row.secret, /^v1:/);
    assert.ok(!row.secret.includes(created.secret));
    assert.equal(
      unseal(KEY, 'webhook-secret', created.id, row.secret).toString('hex'),
      created.secret,
    );

    // A row an older hub stored in plaintext: still usable, then sealed at start.
    const legacy = 'cd'.repeat(32);
    await db
      .insertInto('webhooks')
      .values({
        id: 'legacy-hook',
        workspace_id: workspaceId,
        url,
        secret: legacy,
        created_at: 1,
        disabled_at: null,
      })
      .execute();
    assert.equal(await hooks.sealPlaintextSecrets(), 1);
    assert.equal(await hooks.sealPlaintextSecrets(), 0);
    const sealed = await db
      .selectFrom('webhooks')
      .select('secret')
      .where('id', '=', 'legacy-hook')
      .executeTakeFirstOrThrow();
    assert.equal(
      unseal(KEY, 'webhook-secret', 'legacy-hook', sealed.secret).toString('hex'),
      legacy,
    );

    await hooks.emit(workspaceId, 'transaction.status', { n: 1 });
    await hooks.settle();
    assert.equal(got.length, 2);
    const secrets = [created.secret, legacy];
    for (const d of got) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(d.sig);
      assert.ok(m);
      const ok = secrets.filter((s) =>
        timingSafeEqual(
          createHmac('sha256', Buffer.from(s, 'hex')).update(`${m[1]}.${d.body}`).digest(),
          Buffer.from(m[2]!, 'hex'),
        ),
      );
      assert.equal(ok.length, 1);
    }
  } finally {
    await new Promise((r) => server.close(r));
    await db.destroy();
  }
});
