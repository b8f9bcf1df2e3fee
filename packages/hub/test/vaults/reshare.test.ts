/**
 * Resharing a vault key through the hub (issue 9 item 1; vaults/reshare.ts), on SQLite with the
 * orchestration harness's fake co-signers (wire behaviour only, no MPC): the reshare is a
 * configuration change the owner or an admin approves; on approval one `reshare` job goes to old ∪
 * new co-signers, and only when every one reported done is the new committee recorded for the
 * key, which later refresh and sign jobs then use. A refusal leaves the old committee; bad
 * proposals are refused before any change is recorded.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteMemory } from '../support/databases.ts';
import { call } from '../support/hub.ts';
import type { Json } from '../support/hub.ts';
import { addCosigner, until } from '../orchestration/harness.ts';
import type { FakeCosigner } from '../orchestration/harness.ts';
import { buildWorld } from '../orchestration/signing.suite.ts';
import type { World } from '../orchestration/signing.suite.ts';

let current: { w: World; extra: FakeCosigner[] } | undefined;
async function world(extras = 1): Promise<{ w: World; extra: FakeCosigner[] }> {
  const w = await buildWorld(sqliteMemory());
  const extra: FakeCosigner[] = [];
  for (let n = 0; n < extras; n++) {
    const c = await addCosigner(w.hub);
    await c.connect();
    extra.push(c);
  }
  current = { w, extra };
  return current;
}
afterEach(async () => {
  if (current === undefined) return;
  const { w, extra } = current;
  await w.hub.stack.transactions.settle();
  await w.hub.stack.vaults.settle();
  for (const c of [w.primary, ...w.guards, ...extra]) c.close();
  await w.hub.close();
  current = undefined;
});

const reshareJobs = (c: FakeCosigner) => c.jobs.filter((j) => j.kind === 'reshare');

/**
 * A committee proposal: the world's primary as party 1 and the given guard sets (co-signer,
 * party), threshold = 1 + number of sets (the schema rule).
 */
function committee(w: World, sets: Record<string, [FakeCosigner, number][]>) {
  return {
    threshold: 1 + Object.keys(sets).length,
    primaries: [{ cosignerId: w.primary.id, party: 1 }],
    sets: Object.entries(sets).map(([name, guards]) => ({
      name,
      guards: guards.map(([c, party]) => ({ cosignerId: c.id, party })),
    })),
  };
}

/** 3-of-5: the primary, set A {g1, g2}, set B {g3, new}; g1..g3 keep parties 2..4. */
function upTo35(w: World, fresh: FakeCosigner) {
  const [g1, g2, g3] = w.guards as [FakeCosigner, FakeCosigner, FakeCosigner];
  return committee(w, {
    A: [
      [g1, 2],
      [g2, 3],
    ],
    B: [
      [g3, 4],
      [fresh, 5],
    ],
  });
}

async function propose(w: World, body: Json) {
  return call(w.hub, w.hub.owner, 'POST', `/v1/vaults/${w.vaultId}/reshare`, { body });
}

describe('vault reshare', () => {
  test('approved: one reshare job to old ∪ new, then the key has the new committee', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    const vault = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}`);
    const p = await propose(w, upTo35(w, fresh));
    assert.equal(p.status, 202, p.body);
    assert.equal(p.json.kind, 'vault_key.reshare');
    assert.equal(p.json.status, 'WAITING_FOR_APPROVAL');
    assert.deepEqual(p.json.approverRoles, ['owner', 'admin']);
    // Nothing runs before the approval.
    assert.equal(reshareJobs(fresh).length, 0);

    const ok = await call(w.hub, w.admins[0], 'POST', `/v1/config-changes/${p.json.id}/approve`);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.status, 'COMPLETED');
    const everyone = [w.primary, ...w.guards, fresh];
    for (const c of everyone) assert.equal(reshareJobs(c).length, 1, c.id);
    const job = reshareJobs(fresh)[0]!;
    assert.equal(job.keyId, w.vaultId);
    assert.equal(job.threshold, 3);
    assert.deepEqual(job.reshare, {
      publicKey: vault.json.publicKey,
      oldThreshold: 2,
      dealers: [1, 2, 3, 4],
      newParties: [1, 2, 3, 4, 5],
    });
    assert.deepEqual(
      job.participants.map((x) => [x.partyId, x.cosignerId, x.role, x.set]),
      [
        [1, w.primary.id, 'primary', null],
        [2, w.guards[0]!.id, 'guard', 'A'],
        [3, w.guards[1]!.id, 'guard', 'A'],
        [4, w.guards[2]!.id, 'guard', 'B'],
        [5, fresh.id, 'guard', 'B'],
      ],
    );
    const v = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}`);
    assert.equal(v.json.threshold, 3);
    assert.equal(v.json.publicKey, vault.json.publicKey);
    const c = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/committee`);
    assert.equal(c.status, 200, c.body);
    assert.equal(c.json.committee.threshold, 3);
    assert.equal(c.json.committee.sets.length, 2);

    // A refresh now runs among the new committee, with its threshold.
    const r = await call(w.hub, w.hub.owner, 'POST', `/v1/vaults/${w.vaultId}/refresh`);
    assert.equal(r.status, 202, r.body);
    await w.hub.stack.vaults.settle();
    const refresh = fresh.jobs.filter((j) => j.kind === 'refresh');
    assert.equal(refresh.length, 1);
    assert.equal(refresh[0]!.threshold, 3);
    assert.deepEqual(
      refresh[0]!.participants.map((x) => x.partyId),
      [1, 2, 3, 4, 5],
    );
  });

  test('a co-signer refusing the reshare: the change stays APPROVED with the reason, the committee is unchanged', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    fresh.behaviour = {
      kind: 'refuse',
      reason: 'embedded rule operation: operation reshare is not allowed',
    };
    const p = await propose(w, upTo35(w, fresh));
    assert.equal(p.status, 202, p.body);
    const r = await call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${p.json.id}/approve`);
    assert.equal(r.status, 409, r.body);
    const change = await call(w.hub, w.hub.owner, 'GET', `/v1/config-changes/${p.json.id}`);
    assert.equal(change.json.status, 'APPROVED');
    assert.match(
      change.json.reason,
      /^the reshare did not complete \(refused by .+: embedded rule operation: operation reshare is not allowed\); the key keeps its committee$/,
    );
    const v = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}`);
    assert.equal(v.json.threshold, 2);
    const c = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/committee`);
    assert.equal(c.json.committee.threshold, 2);
    assert.equal(c.json.committee.sets.length, 1);
  });

  test('an offline member that leaves does not deal: the online old members do', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    const [g1, g2, g3] = w.guards as [FakeCosigner, FakeCosigner, FakeCosigner];
    // g3 (party 4) is lost; fresh takes its place as party 5.
    g3.close();
    await until(() => !w.hub.stack.relay.isOnline(g3.id));
    const replace = committee(w, {
      A: [
        [g1, 2],
        [g2, 3],
        [fresh, 5],
      ],
    });
    const p = await propose(w, replace);
    assert.equal(p.status, 202, p.body);
    const ok = await call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${p.json.id}/approve`);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.status, 'COMPLETED');
    const job = reshareJobs(fresh)[0]!;
    assert.deepEqual(
      { dealers: job.reshare!.dealers, newParties: job.reshare!.newParties },
      { dealers: [1, 2, 3], newParties: [1, 2, 3, 5] },
    );
    assert.deepEqual(
      job.participants.map((x) => x.partyId),
      [1, 2, 3, 5],
    );
    assert.equal(reshareJobs(g3).length, 0);
    const c = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/committee`);
    assert.deepEqual(
      c.json.committee.sets[0].guards.map((g: Json) => g.party),
      [2, 3, 5],
    );
  });

  test('too few old members online, or an offline new member: refused with the reason, nothing sent', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    const [g1, g2, g3] = w.guards as [FakeCosigner, FakeCosigner, FakeCosigner];
    // The new committee keeps g1 and g2, who are offline.
    for (const g of [g1, g2]) g.close();
    await until(() => !w.hub.stack.relay.isOnline(g1.id) && !w.hub.stack.relay.isOnline(g2.id));
    const p = await propose(w, upTo35(w, fresh));
    const r = await call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${p.json.id}/approve`);
    assert.equal(r.status, 409, r.body);
    const change = await call(w.hub, w.hub.owner, 'GET', `/v1/config-changes/${p.json.id}`);
    assert.match(
      change.json.reason,
      new RegExp(`co-signer ${g1.id}, ${g2.id} of the new committee is offline`),
    );
    // Only the primary online of the old four: below the threshold of 2, even for leavers only.
    g3.close();
    await until(() => !w.hub.stack.relay.isOnline(g3.id));
    const alone = committee(w, { A: [[fresh, 5]] });
    const q = await propose(w, alone);
    const s = await call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${q.json.id}/approve`);
    assert.equal(s.status, 409, s.body);
    const change2 = await call(w.hub, w.hub.owner, 'GET', `/v1/config-changes/${q.json.id}`);
    assert.match(
      change2.json.reason,
      /only 1 of the 4 current members are online; resharing needs at least 2 of them/,
    );
    assert.equal(reshareJobs(fresh).length, 0);
    assert.equal(reshareJobs(w.primary).length, 0);
  });

  test('committed at a threshold of new members, never reported by others: the new committee is recorded, the others named', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    const [g1, g2, g3] = w.guards as [FakeCosigner, FakeCosigner, FakeCosigner];
    // Three (the new threshold) saw every acknowledgement and committed; g3's and fresh's acks
    // were lost, so they wait (silent, in doubt) until the job times out.
    for (const c of [w.primary, g1, g2]) c.behaviour = { kind: 'done-at-once' };
    for (const c of [g3, fresh]) c.behaviour = { kind: 'silent' };
    const p = await propose(w, upTo35(w, fresh));
    const approving = call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${p.json.id}/approve`);
    await until(() => reshareJobs(fresh).length === 1, 'the reshare job');
    const jobId = reshareJobs(fresh)[0]!.jobId;
    await until(
      () => w.hub.stack.relay.reportedDone(jobId).length === 3,
      'three co-signers reporting done',
    );
    assert.equal(w.hub.timers.fireAll(), 1);
    const r = await approving;
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.status, 'COMPLETED');
    const job = reshareJobs(fresh)[0]!;
    assert.equal(
      r.json.reason,
      `the reshare committed, but co-signer ${g3.id}, ${fresh.id} did not report: on each, stop it and run ` +
        `"quorate cosigner keys resolve --key ${w.vaultId} --confirmation ${job.sessionId} --commit" ` +
        '(a leaving one: "keys remove")',
    );
    const c = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/committee`);
    assert.equal(c.json.committee.threshold, 3);
    const row = await w.hub.ctx.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', job.jobId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'TIMEOUT');
    // The job's record says who had committed (in the order their reports arrived).
    const m = /^session timed out waiting for parties 4, 5; done at (.+)$/.exec(row.error ?? '');
    assert.ok(m, row.error ?? '');
    assert.deepEqual(m[1]!.split(', ').sort(), [w.primary.id, g1.id, g2.id].sort());
  });

  test('fewer reports than the new threshold: nothing is recorded, the reason names who reported', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    // One report is not enough: it could be a single co-signer's false claim.
    w.primary.behaviour = { kind: 'done-at-once' };
    for (const c of [...w.guards, fresh]) c.behaviour = { kind: 'silent' };
    const p = await propose(w, upTo35(w, fresh));
    const approving = call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${p.json.id}/approve`);
    await until(() => reshareJobs(fresh).length === 1, 'the reshare job');
    const jobId = reshareJobs(fresh)[0]!.jobId;
    await until(() => w.hub.stack.relay.reportedDone(jobId).length === 1, 'the primary reporting');
    assert.equal(w.hub.timers.fireAll(), 1);
    const r = await approving;
    assert.equal(r.status, 409, r.body);
    const change = await call(w.hub, w.hub.owner, 'GET', `/v1/config-changes/${p.json.id}`);
    assert.equal(change.json.status, 'APPROVED');
    assert.match(
      change.json.reason,
      new RegExp(`; done at ${w.primary.id}\\); the key keeps its committee$`),
    );
    const c = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/committee`);
    assert.equal(c.json.committee.threshold, 2);
  });

  test('no participant reported done: nothing is recorded (the old committee stays)', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    for (const c of [w.primary, ...w.guards, fresh]) c.behaviour = { kind: 'silent' };
    const p = await propose(w, upTo35(w, fresh));
    const approving = call(w.hub, w.hub.owner, 'POST', `/v1/config-changes/${p.json.id}/approve`);
    await until(() => reshareJobs(fresh).length === 1, 'the reshare job');
    const jobId = reshareJobs(fresh)[0]!.jobId;
    await until(() => w.hub.stack.relay.runningJobs().includes(jobId), 'the job running');
    assert.equal(w.hub.timers.fireAll(), 1);
    const r = await approving;
    assert.equal(r.status, 409, r.body);
    const c = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/committee`);
    assert.equal(c.json.committee.threshold, 2);
  });

  test('bad proposals are refused before any change is recorded', async () => {
    const { w, extra } = await world();
    const fresh = extra[0] as FakeCosigner;
    const moved = upTo35(w, fresh);
    // g1 holds party 2 of the key: it cannot become party 6.
    moved.sets[0]!.guards[0]!.party = 6;
    const a = await propose(w, moved);
    assert.equal(a.status, 400, a.body);
    assert.equal(a.json.error.field, 'committee');
    assert.match(a.json.error.message, /holds party 2 of this key and must keep it$/);
    // A new co-signer cannot take an old member's party id.
    const taken = upTo35(w, fresh);
    taken.sets[1]!.guards[1]!.party = 3;
    const b = await propose(w, taken);
    assert.equal(b.status, 400, b.body);
    assert.match(
      b.json.error.message,
      /^party 3 belongs to another member of the current committee$|duplicate|twice/,
    );
    // Threshold must be 1 + number of sets (the schema rule).
    const c = await propose(w, { ...upTo35(w, fresh), threshold: 2 });
    assert.equal(c.status, 400, c.body);
    assert.match(String(c.json.error.field), /^committee\./);
    const none = await call(w.hub, w.hub.owner, 'GET', '/v1/config-changes');
    assert.equal(none.json.changes.filter((x: Json) => x.kind === 'vault_key.reshare').length, 0);
    // Viewers, signers and editors may not propose one.
    const signer = await w.hub.addUser('signer');
    const d = await call(w.hub, signer, 'POST', `/v1/vaults/${w.vaultId}/reshare`, {
      body: upTo35(w, fresh),
    });
    assert.equal(d.status, 403, d.body);
  });
});
