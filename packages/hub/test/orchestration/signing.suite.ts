/**
 * The signing flow end to end through the API, the policy engine, the relay and fake co-signers
 * (issue 7 "Transactions", "Policy engine", "Orchestration"), run against every database:
 * vault DKG, account derivation, ALLOW → COMPLETED with a signed webhook, BLOCK,
 * REQUIRE_APPROVAL reaching its quorum, illegal transitions refused, idempotent POST.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactVerify } from 'jose';
import type { HubDb } from '../../src/storage/database.ts';
import { jobHash } from '../../src/orchestration/authorization.ts';
import { evmAddress } from '../../src/vaults/derivation.ts';
import { call } from '../support/hub.ts';
import type { Actor, Json } from '../support/hub.ts';
import { ROOT, addCosigner, startSigningHub } from './harness.ts';
import type { FakeCosigner, SigningHub } from './harness.ts';

export const PATH = 'm/44/60/0/0/0';
export const EVM_TX = '02c90182520880808080c0';

export interface World {
  readonly hub: SigningHub;
  readonly primary: FakeCosigner;
  readonly guards: readonly FakeCosigner[];
  readonly admins: readonly [Actor, Actor];
  readonly vaultId: string;
  readonly accountId: string;
}

export function policyDoc(admins: readonly Actor[]) {
  return {
    format: 'quorate.policy/v1',
    version: 1,
    rules: [
      { id: 'no-btc', assets: ['BTC'], action: 'BLOCK' },
      {
        id: 'small-eth',
        assets: ['ETH'],
        amount: { max: '10' },
        action: 'ALLOW',
        signer: { type: 'INITIATOR' },
      },
      {
        id: 'large-eth',
        assets: ['ETH'],
        amount: { min: '10.000000000000000001' },
        action: 'REQUIRE_APPROVAL',
        signer: { type: 'INITIATOR' },
        approvals: {
          groups: [{ name: 'admins', approvers: admins.map((a) => a.id), quorum: 2 }],
        },
      },
    ],
  };
}

/** A hub with 1 primary and 3 guards in one set (threshold 2), a policy, a vault, an account. */
export async function buildWorld(db: HubDb): Promise<World> {
  const hub = await startSigningHub(db);
  const admins = [await hub.addUser('admin'), await hub.addUser('admin')] as const;
  const primary = await addCosigner(hub);
  const guards = [await addCosigner(hub), await addCosigner(hub), await addCosigner(hub)];
  for (const c of [primary, ...guards]) await c.connect();
  const schema = await call(hub, hub.owner, 'PUT', '/v1/signing-schema', {
    body: {
      threshold: 2,
      primaries: [{ cosignerId: primary.id, party: 1 }],
      sets: [{ name: 'A', guards: guards.map((g, i) => ({ cosignerId: g.id, party: i + 2 })) }],
    },
  });
  assert.equal(schema.status, 202, schema.body);
  assert.equal(schema.json.kind, 'signing_schema.set');
  const applied = await call(
    hub,
    hub.owner,
    'POST',
    `/v1/config-changes/${schema.json.id}/approve`,
  );
  assert.equal(applied.status, 200, applied.body);
  assert.equal(applied.json.status, 'COMPLETED');
  const change = await call(hub, hub.owner, 'PUT', '/v1/policy', {
    body: { policy: policyDoc(admins) },
  });
  assert.equal(change.status, 202, change.body);
  const ok = await call(hub, hub.owner, 'POST', `/v1/config-changes/${change.json.id}/approve`);
  assert.equal(ok.status, 200, ok.body);
  const v = await call(hub, hub.owner, 'POST', '/v1/vaults', {
    body: { name: 'treasury', algorithm: 'ecdsa-secp256k1', refreshIntervalSeconds: 3600 },
  });
  assert.equal(v.status, 202, v.body);
  assert.equal(v.json.status, 'CREATING');
  await hub.stack.vaults.settle();
  const a = await call(hub, hub.owner, 'POST', `/v1/vaults/${v.json.id}/accounts`, {
    body: { name: 'hot', path: PATH },
  });
  assert.equal(a.status, 201, a.body);
  return { hub, primary, guards, admins, vaultId: v.json.id, accountId: a.json.id };
}

export function submit(w: World, body: Record<string, unknown>, headers?: Record<string, string>) {
  return call(w.hub, w.primary.apiUser, 'POST', '/v1/transactions', {
    body: { vaultId: w.vaultId, accountId: w.accountId, ...body },
    ...(headers === undefined ? {} : { headers }),
  });
}

export async function settled(w: World, id: string): Promise<Json> {
  await w.hub.stack.transactions.settle();
  const r = await call(w.hub, w.hub.owner, 'GET', `/v1/transactions/${id}`);
  assert.equal(r.status, 200, r.body);
  return r.json;
}

export function signingSuite(openDb: () => Promise<HubDb>): void {
  let w: World;
  const deliveries: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let receiver: http.Server;
  let secret = '';

  before(async () => {
    w = await buildWorld(await openDb());
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = await call(w.hub, w.hub.owner, 'POST', '/v1/webhooks', {
      body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` },
    });
    assert.equal(hook.status, 201, hook.body);
    secret = hook.json.secret;
  });
  after(async () => {
    await w.hub.stack.transactions.settle();
    await w.hub.stack.webhooks.settle();
    for (const c of [w.primary, ...w.guards]) c.close();
    await w.hub.close();
    await new Promise((r) => receiver.close(r));
  });

  test('vault: a DKG job to every co-signer of the schema, then aux-info; the hub keeps the public key', async () => {
    const v = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}`);
    assert.equal(v.status, 200);
    assert.equal(v.json.status, 'ACTIVE');
    assert.equal(v.json.publicKey, Buffer.from(ROOT.publicKey!).toString('hex'));
    assert.equal(v.json.threshold, 2);
    for (const c of [w.primary, ...w.guards]) {
      assert.deepEqual(
        c.jobs.map((j) => j.kind),
        ['keygen', 'aux-info'],
      );
      const job = c.jobs[0]!;
      // The owner (a human) asked for the vault: the keygen names no API user.
      assert.equal(job.apiUserId, null);
      assert.deepEqual(
        job.participants.map((p) => [p.partyId, p.role, p.set]),
        [
          [1, 'primary', null],
          [2, 'guard', 'A'],
          [3, 'guard', 'A'],
          [4, 'guard', 'A'],
        ],
      );
      assert.equal(job.participants[1]!.identity.signing, w.guards[0]!.identity.signing);
      // The authorization is an ES256 JWT over the job's canonical hash.
      const { payload } = await compactVerify(job.authorization, w.hub.stack.jobSigner.publicKey);
      assert.equal(JSON.parse(new TextDecoder().decode(payload)).jobSha256, jobHash(job));
    }
  });

  test('account: the path is stored and the hub derives the public key and address publicly', async () => {
    const r = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}/accounts`);
    const child = ROOT.derive(PATH).publicKey!;
    assert.equal(r.json.accounts[0].path, PATH);
    assert.equal(r.json.accounts[0].publicKey, Buffer.from(child).toString('hex'));
    assert.equal(r.json.accounts[0].address, evmAddress(child));
    const hard = await call(w.hub, w.hub.owner, 'POST', `/v1/vaults/${w.vaultId}/accounts`, {
      body: { name: 'cold', path: "m/44'/60'/0'" },
    });
    assert.equal(hard.status, 400);
    assert.equal(hard.json.error.code, 'validation_failed');
    assert.equal(hard.json.error.field, 'path');
  });

  let completedId = '';
  test('ALLOW → a clique with the designated signer’s co-signer signs through the relay → COMPLETED, webhooks delivered', async () => {
    const r = await submit(w, {
      payload: { type: 'evm', transaction: EVM_TX },
      asset: 'ETH',
      amount: '1.5',
      destination: '0x000000000000000000000000000000000000dead',
    });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.status, 'QUEUED');
    assert.equal(r.json.policy.rule, 'small-eth');
    assert.equal(r.json.approvals, null);
    completedId = r.json.id;
    const t = await settled(w, r.json.id);
    assert.equal(t.status, 'COMPLETED');
    assert.deepEqual(
      t.transitions.map((x: Json) => [x.from, x.to, x.event]),
      [
        ['SUBMITTED', 'QUEUED', 'AUTHORIZE'],
        ['QUEUED', 'PENDING_SIGNATURE', 'START_SIGNING'],
        ['PENDING_SIGNATURE', 'COMPLETED', 'COMPLETE'],
      ],
      // On failure, show the recorded reasons (e.g. why a fail-over happened).
      JSON.stringify(t.transitions.map((x: Json) => [x.event, x.reason])),
    );
    assert.match(t.transitions[0].reason, /rule #1 small-eth: ALLOW/);
    assert.match(t.transitions[2].reason, /^signature verified/);
    assert.equal(typeof t.signature.signature, 'string');
    // The sign job went to the primary and one guard; they exchanged envelopes via the relay.
    const job = w.primary.jobs.find((j) => j.kind === 'sign' && j.request?.transactionId === t.id)!;
    assert.equal(job.participants[0]!.cosignerId, w.primary.id);
    assert.equal(job.participants.length, 2);
    // The job names the designated signer (the initiating API user): its handlers answer.
    assert.equal(job.apiUserId, w.primary.apiUser.id);
    assert.equal(job.request!.derivationPath, PATH);
    assert.equal(job.request!.raw!.kind, 'evm');
    const guard = w.guards.find((g) => g.id === job.participants[1]!.cosignerId)!;
    assert.deepEqual(
      w.primary.envelopes.filter((e) => e.jobId === job.jobId).map((e) => e.from),
      [guard.id],
    );
    assert.deepEqual(
      guard.envelopes.filter((e) => e.jobId === job.jobId).map((e) => e.from),
      [w.primary.id],
    );
    await w.hub.stack.webhooks.settle();
    const mine = deliveries
      .map((d) => ({ ...d, json: JSON.parse(d.body) }))
      .filter((d) => d.json.data.transactionId === t.id);
    assert.deepEqual(mine.map((d) => d.json.data.to).sort(), [
      'COMPLETED',
      'PENDING_SIGNATURE',
      'QUEUED',
    ]);
    for (const d of mine) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(d.headers['quorate-signature']))!;
      assert.ok(m);
      const expected = createHmac('sha256', Buffer.from(secret, 'hex'))
        .update(`${m[1]}.${d.body}`)
        .digest();
      assert.ok(timingSafeEqual(expected, Buffer.from(m[2]!, 'hex')));
      assert.equal(d.headers['quorate-webhook-id'], d.json.id);
    }
  });

  test('BLOCK: the rule that matched is recorded; nothing is sent to a co-signer', async () => {
    const before = w.primary.jobs.length;
    const r = await submit(w, {
      payload: { type: 'raw', digest: 'ab'.repeat(32) },
      asset: 'BTC',
      amount: '1',
    });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.status, 'BLOCKED');
    assert.deepEqual(
      r.json.transitions.map((x: Json) => [x.from, x.to, x.event, x.actor.id]),
      [['SUBMITTED', 'BLOCKED', 'BLOCK', 'policy-engine']],
    );
    assert.match(r.json.transitions[0].reason, /rule #0 no-btc: BLOCK/);
    await w.hub.stack.transactions.settle();
    assert.equal(w.primary.jobs.length, before);
  });

  test('REQUIRE_APPROVAL: votes until the quorum, then signing; non-approvers and second votes refused', async () => {
    const r = await submit(w, {
      payload: { type: 'message', message: 'hello' },
      asset: 'ETH',
      amount: '50',
    });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.status, 'PENDING_AUTHORIZATION');
    const group = (approvals: number, reached: boolean) => ({
      name: 'admins',
      quorum: 2,
      eligible: 2,
      approvals,
      rejections: 0,
      reached,
    });
    assert.deepEqual(r.json.approvals, {
      outcome: 'PENDING',
      groups: [group(0, false)],
      votes: [],
    });
    const id = r.json.id;
    const [a1, a2] = w.admins;
    const v1 = await call(w.hub, a1, 'POST', `/v1/transactions/${id}/approve`);
    assert.equal(v1.status, 200, v1.body);
    assert.equal(v1.json.status, 'PENDING_AUTHORIZATION');
    assert.deepEqual(v1.json.approvals, {
      outcome: 'PENDING',
      groups: [group(1, false)],
      votes: [{ approver: a1.id, vote: 'APPROVE', at: w.hub.clock.now() }],
    });
    const again = await call(w.hub, a1, 'POST', `/v1/transactions/${id}/approve`);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'conflict');
    const initiator = await call(
      w.hub,
      w.primary.apiUser,
      'POST',
      `/v1/transactions/${id}/approve`,
    );
    assert.equal(initiator.status, 403);
    assert.equal(initiator.json.error.code, 'forbidden');
    // Votes are listed by time (then approver id): the second vote comes a second later.
    w.hub.clock.advance(1000);
    const v2 = await call(w.hub, a2, 'POST', `/v1/transactions/${id}/approve`);
    assert.equal(v2.status, 200, v2.body);
    assert.equal(v2.json.status, 'QUEUED');
    const t = await settled(w, id);
    assert.equal(t.status, 'COMPLETED');
    assert.deepEqual(
      t.transitions.map((x: Json) => x.event),
      ['REQUIRE_APPROVAL', 'AUTHORIZE', 'START_SIGNING', 'COMPLETE'],
    );
    assert.match(t.transitions[1].reason, /approval quorum reached \(admins 2\/2\)/);
    assert.deepEqual(
      [t.approvals.outcome, t.approvals.groups, t.approvals.votes.map((v: Json) => v.approver)],
      ['APPROVED', [group(2, true)], [a1.id, a2.id]],
    );
  });

  test('an approver’s rejection is final: REJECTED, never signed', async () => {
    const r = await submit(w, {
      payload: { type: 'raw', digest: 'cd'.repeat(32) },
      asset: 'ETH',
      amount: '11',
    });
    const no = await call(w.hub, w.admins[0], 'POST', `/v1/transactions/${r.json.id}/reject`);
    assert.equal(no.status, 200, no.body);
    assert.equal(no.json.status, 'REJECTED');
    assert.equal(no.json.transitions[1].actor.id, w.admins[0].id);
    assert.equal(no.json.approvals.outcome, 'REJECTED');
    assert.deepEqual(
      no.json.approvals.votes.map((v: Json) => [v.approver, v.vote]),
      [[w.admins[0].id, 'REJECT']],
    );
  });

  test('the list comes a page at a time, newest first; a cursor follows on exactly; bad cursors and limits are refused', async () => {
    // Most transactions here share one fake-clock time: the pages must break ties by id.
    for (let i = 0; i < 3; i++)
      await submit(w, {
        payload: { type: 'message', message: `page ${i}` },
        asset: 'ETH',
        amount: '1',
      });
    const get = (query: string) => call(w.hub, w.hub.owner, 'GET', `/v1/transactions${query}`);
    const whole = await get('');
    assert.equal(whole.status, 200, whole.body);
    assert.equal(whole.json.next, null);
    const all = whole.json.transactions.map((t: Json) => t.id);
    assert.ok(all.length >= 5);
    const paged: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const r = await get(`?limit=2${next === null ? '' : `&before=${next}`}`);
      assert.equal(r.status, 200, r.body);
      assert.ok(r.json.transactions.length <= 2);
      paged.push(...r.json.transactions.map((t: Json) => t.id));
      next = r.json.next;
      pages++;
    } while (next !== null);
    assert.deepEqual(paged, all);
    assert.equal(pages, Math.ceil(all.length / 2));
    const completed = (await get('?status=COMPLETED')).json.transactions.map((t: Json) => t.id);
    const first = await get('?status=COMPLETED&limit=1');
    assert.deepEqual(
      first.json.transactions.map((t: Json) => t.id),
      completed.slice(0, 1),
    );
    const second = await get(`?status=COMPLETED&limit=1&before=${first.json.next}`);
    assert.deepEqual(
      second.json.transactions.map((t: Json) => t.id),
      completed.slice(1, 2),
    );

    for (const [query, field] of [
      ['?before=bm90LWEtY3Vyc29y', 'before'], // base64url of "not-a-cursor"
      ['?before=abc%3D', 'before'],
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
    ] as const) {
      const bad = await get(query);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.json.error.code, 'validation_failed', query);
      assert.match(bad.json.error.field ?? '', new RegExp(field), query);
    }
  });

  test('illegal transitions are refused with 409 invalid_state', async () => {
    const c = await call(w.hub, w.hub.owner, 'POST', `/v1/transactions/${completedId}/cancel`);
    assert.equal(c.status, 409);
    assert.equal(c.json.error.code, 'invalid_state');
    assert.match(c.json.error.message, /COMPLETED → CANCELLED/);
    const a = await call(w.hub, w.admins[0], 'POST', `/v1/transactions/${completedId}/approve`);
    assert.equal(a.status, 409);
    assert.equal(a.json.error.code, 'invalid_state');
  });

  test('POST /v1/transactions with an Idempotency-Key: a duplicate returns the original, creates nothing', async () => {
    const body = { payload: { type: 'raw', digest: 'ef'.repeat(32) }, asset: 'BTC', note: 'idem' };
    const h = { 'idempotency-key': 'tx-idem-1' };
    const [r1, r2] = await Promise.all([submit(w, body, h), submit(w, body, h)]);
    assert.equal(r1.status, 201);
    assert.equal(r2.status, 201);
    assert.equal(r1.json.id, r2.json.id);
    const list = await call(w.hub, w.hub.owner, 'GET', '/v1/transactions');
    assert.equal(list.json.transactions.filter((t: Json) => t.note === 'idem').length, 1);
    const other = await submit(w, { ...body, note: 'other' }, h);
    assert.equal(other.status, 422);
    assert.equal(other.json.error.code, 'idempotency_key_reused');
  });
}
