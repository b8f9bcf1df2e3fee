/**
 * Jobs name their API user (relay contract `Job.apiUserId`), with fake co-signers on SQLite: a
 * vault created by an API user gives keygen and aux-info jobs naming it; one created by a human
 * names none (null); presign refills are hub-internal (null); a sign job names the designated
 * signer (signing.suite.ts checks it).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteMemory } from '../support/databases.ts';
import { call } from '../support/hub.ts';
import { buildWorld } from './signing.suite.ts';
import type { World } from './signing.suite.ts';

let current: World | undefined;
afterEach(async () => {
  if (current === undefined) return;
  await current.hub.stack.transactions.settle();
  for (const c of [current.primary, ...current.guards]) c.close();
  await current.hub.close();
  current = undefined;
});

test('keygen jobs name the API user that asked; human-asked and hub-internal jobs name none', async () => {
  const w = (current = await buildWorld(sqliteMemory()));
  const admin = w.admins[0];
  const v = await call(w.hub, admin, 'POST', '/v1/vaults', {
    body: { name: 'by-api', algorithm: 'ecdsa-secp256k1' },
  });
  assert.equal(v.status, 202, v.body);
  await w.hub.stack.vaults.settle();
  for (const c of [w.primary, ...w.guards]) {
    const jobs = c.jobs.filter((j) => j.keyId === v.json.id);
    assert.deepEqual(
      jobs.map((j) => [j.kind, j.apiUserId]),
      [
        ['keygen', admin.id],
        ['aux-info', admin.id],
      ],
    );
    // The world's own vault was created by the owner, a human.
    assert.deepEqual(
      c.jobs.filter((j) => j.keyId === w.vaultId).map((j) => j.apiUserId),
      [null, null],
    );
  }
  assert.ok((await w.hub.stack.pools.refill()) > 0);
  const presigns = w.primary.jobs.filter((j) => j.kind === 'presign');
  assert.ok(presigns.length > 0);
  assert.ok(presigns.every((j) => j.apiUserId === null));
});
