/**
 * Pooled CGGMP21 presignatures (issue 6 item 8, issue 7 "Orchestration"), with fake co-signers on
 * SQLite: a sign job on a clique with a ready presignature names it (`request.presignatureId` = the
 * presign job's jobId, which the co-signers stored it under); each is handed out at most once,
 * durably (a TAKEN row in the hub database); an attempt that fails keeps its presignature taken
 * (the retry on another clique does not get it back); an empty pool signs without one; a pool
 * discarded because a member was quarantined drops its READY presignatures; a member that refuses
 * its pooled presignature (check `presignature`) gets the same clique again without one.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteMemory } from '../support/databases.ts';
import { EVM_TX, buildWorld, settled, submit } from './signing.suite.ts';
import type { World } from './signing.suite.ts';

let current: World | undefined;
async function world(): Promise<World> {
  current = await buildWorld(sqliteMemory());
  return current;
}
afterEach(async () => {
  if (current === undefined) return;
  await current.hub.stack.transactions.settle();
  for (const c of [current.primary, ...current.guards]) c.close();
  await current.hub.close();
  current = undefined;
});

const SMALL = { payload: { type: 'evm', transaction: EVM_TX }, asset: 'ETH', amount: '1' };

const signJobs = (w: World, txId: string) =>
  w.primary.jobs.filter((j) => j.kind === 'sign' && j.request?.transactionId === txId);
const presignIds = (w: World) =>
  w.primary.jobs.filter((j) => j.kind === 'presign').map((j) => j.jobId);
const rows = (w: World) =>
  w.hub.ctx.db
    .selectFrom('presignatures')
    .select(['id', 'clique_key', 'status', 'taken_by'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();

test('sign jobs name pooled presignatures, each at most once; an empty pool signs without one', async () => {
  const w = await world();
  // The harness pools one clique (the best: primary + first guard) with a target of two.
  assert.equal(await w.hub.stack.pools.refill(), 2);
  const clique = `${w.primary.id}|${w.guards[0]!.id}`;
  const pooled = presignIds(w);
  assert.equal(pooled.length, 2);
  assert.deepEqual(
    (await rows(w)).map((r) => [r.id, r.clique_key, r.status]),
    [...pooled].sort().map((id) => [id, clique, 'READY']),
  );

  const named: (string | undefined)[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await submit(w, SMALL);
    assert.equal((await settled(w, r.json.id)).status, 'COMPLETED');
    const jobs = signJobs(w, r.json.id);
    assert.equal(jobs.length, 1);
    named.push(jobs[0]!.request!.presignatureId);
  }
  // The two pooled ones, oldest first, once each; then none (presign + sign in one job).
  assert.deepEqual(named.slice(0, 2), [...pooled].sort());
  assert.equal(named[2], undefined);
  const after = await rows(w);
  assert.deepEqual(
    after.map((r) => r.status),
    ['TAKEN', 'TAKEN'],
  );
  assert.equal(new Set(after.map((r) => r.taken_by)).size, 2);
  assert.deepEqual(await w.hub.stack.pools.levels(w.vaultId), [
    { cliqueKey: clique, ready: 0, generating: 0 },
  ]);
  assert.equal(await w.hub.stack.pools.take(w.vaultId, clique, 'tx-x'), null);
});

test('a failed attempt keeps its presignature taken; a discarded pool drops the ready ones', async () => {
  const w = await world();
  assert.equal(await w.hub.stack.pools.refill(), 2);
  const [g1, g2] = w.guards;
  // The first attempt (on primary + g1, the pooled clique) aborts naming g1: quarantined.
  w.primary.behaviour = { kind: 'blame', culprits: [2] };
  const r = await submit(w, SMALL);
  const t = await settled(w, r.json.id);
  assert.equal(t.status, 'COMPLETED');
  const jobs = signJobs(w, t.id);
  assert.equal(jobs.length, 2);
  assert.deepEqual(
    jobs.map((j) => j.participants.map((p) => p.cosignerId)),
    [
      [w.primary.id, g1!.id],
      [w.primary.id, g2!.id],
    ],
  );
  const first = jobs[0]!.request!.presignatureId;
  assert.ok(first !== undefined);
  // The retry's clique has no pool: it does not get the failed attempt's presignature back.
  assert.equal(jobs[1]!.request!.presignatureId, undefined);
  const before = await rows(w);
  assert.deepEqual(before.map((x) => [x.id === first, x.status]).sort(), [
    [false, 'READY'],
    [true, 'TAKEN'],
  ]);
  // The next planning round discards the quarantined clique's pool: its READY one is dropped.
  w.primary.behaviour = { kind: 'honest' };
  await w.hub.stack.pools.refill();
  const poolOf = (x: { clique_key: string }) => x.clique_key === `${w.primary.id}|${g1!.id}`;
  assert.deepEqual(
    (await rows(w))
      .filter(poolOf)
      .map((x) => [x.id === first, x.status])
      .sort(),
    [
      [false, 'DROPPED'],
      [true, 'TAKEN'],
    ],
  );
  assert.equal(await w.hub.stack.pools.take(w.vaultId, `${w.primary.id}|${g1!.id}`, 'tx-y'), null);
});

test('a member refusing its pooled presignature: the same clique signs again without one', async () => {
  const w = await world();
  assert.equal(await w.hub.stack.pools.refill(), 2);
  const g1 = w.guards[0]!;
  g1.behaviour = { kind: 'lost-presignatures' };
  const r = await submit(w, SMALL);
  const t = await settled(w, r.json.id);
  assert.equal(t.status, 'COMPLETED');
  const jobs = signJobs(w, t.id);
  assert.equal(jobs.length, 2);
  // Both attempts on the pooled clique; the first names a presignature, the retry none, and
  // the retry is a new session.
  for (const j of jobs)
    assert.deepEqual(
      j.participants.map((p) => p.cosignerId),
      [w.primary.id, g1.id],
    );
  const first = jobs[0]!.request!.presignatureId;
  assert.ok(first !== undefined);
  assert.equal(jobs[1]!.request!.presignatureId, undefined);
  assert.notEqual(jobs[0]!.sessionId, jobs[1]!.sessionId);
  // The refused presignature stays taken; nobody is quarantined for it.
  const taken = (await rows(w)).find((x) => x.id === first);
  assert.equal(taken?.status, 'TAKEN');
  assert.equal((await w.hub.ctx.db.selectFrom('quarantine').selectAll().execute()).length, 0);
});

test('other refusals still end the transaction REJECTED, pooled presignature or not', async () => {
  const w = await world();
  assert.equal(await w.hub.stack.pools.refill(), 2);
  w.guards[0]!.behaviour = { kind: 'refuse', reason: 'callback handler said no' };
  const r = await submit(w, SMALL);
  const t = await settled(w, r.json.id);
  assert.equal(t.status, 'REJECTED');
  assert.equal(signJobs(w, t.id).length, 1);
});
