/**
 * A hub that stops without a clean shutdown leaves attempts RUNNING (the relay's jobs live in
 * memory). A new hub on the same database closes them with the reason "hub restarted", fails the
 * vault whose DKG was lost, and gives the transaction a new attempt in a fresh session, which
 * completes (orchestration/recovery.ts). The first hub is "dropped": its timers never fire and it
 * is never asked to stop until the end, like a killed process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/database.ts';
import { call } from '../support/hub.ts';
import type { Json } from '../support/hub.ts';
import { startSigningHub, until } from './harness.ts';
import { EVM_TX, buildWorld, submit } from './signing.suite.ts';

test('restart: RUNNING attempts are closed as "hub restarted", the transaction is re-attempted and COMPLETED', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-hub-restart-'));
  const path = join(dir, 'hub.sqlite');
  const w = await buildWorld(openDatabase({ kind: 'sqlite', path }));
  const a = w.hub;
  try {
    // The guards stay silent: the attempt and a DKG stay RUNNING in the first hub.
    for (const g of w.guards) g.behaviour = { kind: 'silent' };
    const tx = await submit(w, {
      payload: { type: 'evm', transaction: EVM_TX },
      asset: 'ETH',
      amount: '1',
      destination: '0x000000000000000000000000000000000000dEaD',
    });
    assert.equal(tx.status, 201, tx.body);
    const v = await call(a, a.owner, 'POST', '/v1/vaults', {
      body: { name: 'lost', algorithm: 'eddsa-ed25519' },
    });
    assert.equal(v.status, 202, v.body);
    const running = () =>
      a.ctx.db.selectFrom('jobs').selectAll().where('status', '=', 'RUNNING').execute();
    await until(async () => (await running()).length === 2, 'two RUNNING attempts');
    const lost = (await running()).find((j) => j.kind === 'sign')!;

    // Crash: the co-signers lose the first hub and reconnect to a new one on the same file.
    for (const c of [w.primary, ...w.guards]) c.close();
    const b = await startSigningHub(openDatabase({ kind: 'sqlite', path }), {
      workspaceId: a.workspaceId,
      owner: a.owner,
    });
    try {
      for (const g of w.guards) g.behaviour = { kind: 'honest' };
      for (const c of [w.primary, ...w.guards]) await c.connect(b);
      // A pool of the dead process still counts two presign jobs as generating.
      await b.ctx.db
        .insertInto('presignature_pools')
        .values({
          key_id: w.vaultId,
          clique_key: 'lost-clique',
          workspace_id: a.workspaceId,
          ready: 0,
          generating: 2,
        })
        .execute();
      const swept = await b.stack.recovery.sweep({ startup: true });
      assert.equal(swept.jobs, 2);
      assert.equal(swept.vaults, 1);
      assert.equal(swept.presigns, 2);
      const pool = await b.ctx.db
        .selectFrom('presignature_pools')
        .select('generating')
        .where('clique_key', '=', 'lost-clique')
        .executeTakeFirstOrThrow();
      assert.equal(pool.generating, 0);
      assert.deepEqual(swept.resumed, [tx.json.id]);
      await b.stack.transactions.settle();

      const t = (await call(b, b.owner, 'GET', `/v1/transactions/${tx.json.id}`)).json;
      assert.equal(t.status, 'COMPLETED', JSON.stringify(t.transitions));
      assert.deepEqual(
        t.transitions.map((x: Json) => [x.event, x.actor.id]),
        [
          ['AUTHORIZE', 'policy-engine'],
          ['START_SIGNING', 'orchestrator'],
          ['REQUEUE', 'orchestrator'],
          ['START_SIGNING', 'orchestrator'],
          ['COMPLETE', 'orchestrator'],
        ],
      );
      assert.match(t.transitions[2].reason, /^hub restarted: the attempt was lost/);
      const jobs = await b.ctx.db
        .selectFrom('jobs')
        .selectAll()
        .where('transaction_id', '=', tx.json.id)
        .orderBy('created_at')
        .execute();
      const closed = jobs.find((j) => j.id === lost.id)!;
      assert.equal(closed.status, 'FAILED');
      assert.equal(
        closed.error,
        `hub restarted: session ${lost.session_id} was left running by the previous hub process`,
      );
      const retry = jobs.find((j) => j.status === 'DONE')!;
      assert.notEqual(retry.session_id, lost.session_id);
      const vault = await call(b, b.owner, 'GET', `/v1/vaults/${v.json.id}`);
      assert.equal(vault.json.status, 'FAILED');
      // Nothing is left RUNNING; a second sweep finds nothing to do.
      assert.deepEqual(await b.stack.recovery.sweep({ startup: true }), {
        jobs: 0,
        vaults: 0,
        presigns: 0,
        resumed: [],
        approvalTimeouts: 0,
      });
    } finally {
      for (const c of [w.primary, ...w.guards]) c.close();
      await b.close();
    }
  } finally {
    await a.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
