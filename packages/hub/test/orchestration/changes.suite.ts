/**
 * Configuration changes of the signing extension, run against every database: the signing
 * schema and the allow-list change only once the owner or an admin approved (issue 7 "Changes
 * that need approval become configuration-change requests"); policy rules on ALLOWLISTED and
 * ONE_TIME destinations decide by the allow-list in force.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { HubDb } from '../../src/storage/database.ts';
import { call } from '../support/hub.ts';
import type { Actor, Json } from '../support/hub.ts';
import { buildWorld, settled, submit, EVM_TX } from './signing.suite.ts';
import type { World } from './signing.suite.ts';

const EXCHANGE = '0x52908400098527886E0F7030069857D2E4169EE7';

export function changesSuite(openDb: () => Promise<HubDb>): void {
  let w: World;
  let editor: Actor;
  let viewer: Actor;

  before(async () => {
    w = await buildWorld(await openDb());
    editor = await w.hub.addUser('editor');
    viewer = await w.hub.addUser('viewer');
  });
  after(async () => {
    await w.hub.stack.transactions.settle();
    for (const c of [w.primary, ...w.guards]) c.close();
    await w.hub.close();
  });

  const decide = (who: Actor, id: string, what: 'approve' | 'reject' | 'cancel') =>
    call(w.hub, who, 'POST', `/v1/config-changes/${id}/${what}`, {
      ...(what === 'reject' ? { body: {} } : {}),
    });
  const schemaInForce = async () =>
    (await call(w.hub, viewer, 'GET', '/v1/signing-schema')).json.schema;
  function twoGuards() {
    return {
      threshold: 2,
      primaries: [{ cosignerId: w.primary.id, party: 1 }],
      sets: [
        {
          name: 'A',
          guards: w.guards.slice(0, 2).map((g, i) => ({ cosignerId: g.id, party: i + 2 })),
        },
      ],
    };
  }

  test('signing schema: a proposal waits for approval; rejected or cancelled, the old schema stays', async () => {
    const p = await call(w.hub, w.admins[0], 'PUT', '/v1/signing-schema', { body: twoGuards() });
    assert.equal(p.status, 202, p.body);
    assert.equal(p.json.kind, 'signing_schema.set');
    assert.equal(p.json.status, 'WAITING_FOR_APPROVAL');
    assert.deepEqual(p.json.approverRoles, ['owner', 'admin']);
    assert.equal((await schemaInForce()).version, 1);
    const bySigner = await decide(w.primary.apiUser, p.json.id, 'approve');
    assert.equal(bySigner.status, 403);
    const no = await decide(w.hub.owner, p.json.id, 'reject');
    assert.equal(no.status, 200, no.body);
    assert.equal(no.json.status, 'REJECTED');
    const late = await decide(w.hub.owner, p.json.id, 'approve');
    assert.equal(late.status, 409);
    assert.equal(late.json.error.code, 'invalid_state');
    const p2 = await call(w.hub, w.admins[0], 'PUT', '/v1/signing-schema', { body: twoGuards() });
    assert.equal((await decide(w.admins[0], p2.json.id, 'cancel')).json.status, 'CANCELLED');
    const s = await schemaInForce();
    assert.equal(s.version, 1);
    assert.equal(s.sets[0].guards.length, 3);
  });

  test('signing schema: a proposal naming an unpaired co-signer is refused at once, no change recorded', async () => {
    const before = (await call(w.hub, viewer, 'GET', '/v1/config-changes')).json.changes.length;
    const body = twoGuards();
    body.sets[0]!.guards[1] = { cosignerId: 'no-such-cosigner', party: 3 };
    const r = await call(w.hub, w.hub.owner, 'PUT', '/v1/signing-schema', { body });
    assert.equal(r.status, 400, r.body);
    assert.equal(r.json.error.code, 'validation_failed');
    assert.equal(r.json.error.field, 'schema');
    const after = (await call(w.hub, viewer, 'GET', '/v1/config-changes')).json.changes.length;
    assert.equal(after, before);
  });

  test('signing schema: approved by an admin, it is applied as the next version and COMPLETED', async () => {
    const p = await call(w.hub, w.hub.owner, 'PUT', '/v1/signing-schema', { body: twoGuards() });
    const ok = await decide(w.admins[1], p.json.id, 'approve');
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.status, 'COMPLETED');
    assert.equal(ok.json.decidedBy, w.admins[1].id);
    const s = await schemaInForce();
    assert.equal(s.version, 2);
    assert.deepEqual(
      s.sets[0].guards.map((g: Json) => g.cosignerId),
      w.guards.slice(0, 2).map((g) => g.id),
    );
  });

  let entryId = '';
  test('allow-list: ALLOWLISTED matches only once the entry is approved; a one-time address does not', async () => {
    const policy = await call(w.hub, w.hub.owner, 'PUT', '/v1/policy', {
      body: {
        policy: {
          format: 'quorate.policy/v1',
          version: 2,
          rules: [
            {
              id: 'to-exchanges',
              destination: { type: 'ALLOWLISTED', lists: ['exchanges'] },
              assets: ['ETH'],
              action: 'ALLOW',
              signer: { type: 'INITIATOR' },
            },
            { id: 'one-time', destination: { type: 'ONE_TIME' }, action: 'BLOCK' },
          ],
        },
      },
    });
    assert.equal(policy.status, 202, policy.body);
    assert.equal((await decide(w.hub.owner, policy.json.id, 'approve')).json.status, 'COMPLETED');
    const send = (destination: string, asset = 'ETH') =>
      submit(w, { payload: { type: 'evm', transaction: EVM_TX }, asset, amount: '1', destination });

    const before = await send(EXCHANGE);
    assert.equal(before.json.status, 'BLOCKED');
    assert.equal(before.json.policy.rule, 'one-time');

    const p = await call(w.hub, editor, 'POST', '/v1/allowlist', {
      body: { list: 'exchanges', asset: 'ETH', address: EXCHANGE, label: 'Exchange hot wallet' },
    });
    assert.equal(p.status, 202, p.body);
    assert.equal(p.json.kind, 'allowlist.add');
    assert.equal(p.json.status, 'WAITING_FOR_APPROVAL');
    assert.deepEqual((await call(w.hub, viewer, 'GET', '/v1/allowlist')).json.entries, []);
    const pending = await send(EXCHANGE);
    assert.equal(pending.json.status, 'BLOCKED');
    assert.equal(pending.json.policy.rule, 'one-time');
    assert.equal((await decide(editor, p.json.id, 'approve')).status, 403);

    const ok = await decide(w.admins[0], p.json.id, 'approve');
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.status, 'COMPLETED');
    const list = await call(w.hub, viewer, 'GET', '/v1/allowlist?list=exchanges');
    assert.equal(list.status, 200, list.body);
    assert.equal(list.json.entries.length, 1);
    const e = list.json.entries[0];
    entryId = e.id;
    assert.deepEqual(
      [e.list, e.asset, e.address, e.label, e.changeId, e.requestedBy, e.approvedBy],
      ['exchanges', 'ETH', EXCHANGE, 'Exchange hot wallet', p.json.id, editor.id, w.admins[0].id],
    );

    // EVM addresses compare without case (EIP-55 only adds a checksum in the case).
    const allowed = await send(EXCHANGE.toLowerCase());
    assert.equal(allowed.status, 201, allowed.body);
    assert.equal(allowed.json.status, 'QUEUED');
    assert.equal(allowed.json.policy.rule, 'to-exchanges');
    assert.equal((await settled(w, allowed.json.id)).status, 'COMPLETED');
    // The entry holds the address for ETH only: for another asset it is a one-time address.
    const other = await send(EXCHANGE, 'USDC');
    assert.equal(other.json.policy.rule, 'one-time');
    const stranger = await send('0x000000000000000000000000000000000000dEaD');
    assert.equal(stranger.json.status, 'BLOCKED');
    assert.equal(stranger.json.policy.rule, 'one-time');
  });

  test('allow-list: bad entries are refused naming the field; a duplicate is a conflict', async () => {
    const bad = await call(w.hub, editor, 'POST', '/v1/allowlist', {
      body: { address: 'has space', label: 'x' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'address');
    const badList = await call(w.hub, editor, 'POST', '/v1/allowlist', {
      body: { list: '-x', address: EXCHANGE, label: 'x' },
    });
    assert.equal(badList.status, 400);
    assert.equal(badList.json.error.field, 'list');
    const dup = await call(w.hub, editor, 'POST', '/v1/allowlist', {
      body: { list: 'exchanges', asset: 'ETH', address: EXCHANGE.toLowerCase(), label: 'again' },
    });
    assert.equal(dup.status, 409, dup.body);
    assert.equal(dup.json.error.field, 'address');
    const byViewer = await call(w.hub, viewer, 'POST', '/v1/allowlist', {
      body: { address: EXCHANGE, label: 'x' },
    });
    assert.equal(byViewer.status, 403);
  });

  test('allow-list: removal is a change too; rejected the entry stays, approved it is gone', async () => {
    const r1 = await call(w.hub, editor, 'DELETE', `/v1/allowlist/${entryId}`);
    assert.equal(r1.status, 202, r1.body);
    assert.equal(r1.json.kind, 'allowlist.remove');
    assert.equal(r1.json.payload.address, EXCHANGE);
    assert.equal((await decide(w.hub.owner, r1.json.id, 'reject')).json.status, 'REJECTED');
    assert.equal((await call(w.hub, viewer, 'GET', '/v1/allowlist')).json.entries.length, 1);
    const r2 = await call(w.hub, editor, 'DELETE', `/v1/allowlist/${entryId}`);
    assert.equal((await decide(w.hub.owner, r2.json.id, 'approve')).json.status, 'COMPLETED');
    assert.deepEqual((await call(w.hub, viewer, 'GET', '/v1/allowlist')).json.entries, []);
    const gone = await call(w.hub, editor, 'DELETE', `/v1/allowlist/${entryId}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.field, 'id');
    const after = await submit(w, {
      payload: { type: 'evm', transaction: EVM_TX },
      asset: 'ETH',
      amount: '1',
      destination: EXCHANGE,
    });
    assert.equal(after.json.policy.rule, 'one-time');
  });

  // Last: it moves the clock by a day, which leaves the co-signers silent (offline) after it.
  test('approval time-out: the sweeper moves PENDING_AUTHORIZATION to TIMEOUT at the deadline (rule, else hub setting); late votes are refused', async () => {
    const approvals = {
      groups: [{ name: 'admins', approvers: w.admins.map((a) => a.id), quorum: 2 }],
    };
    const policy = await call(w.hub, w.hub.owner, 'PUT', '/v1/policy', {
      body: {
        policy: {
          format: 'quorate.policy/v1',
          version: 3,
          rules: [
            {
              id: 'ten-minutes',
              assets: ['DOGE'],
              action: 'REQUIRE_APPROVAL',
              signer: { type: 'INITIATOR' },
              approvals: { ...approvals, timeoutSeconds: 600 },
            },
            {
              id: 'hub-default',
              assets: ['LTC'],
              action: 'REQUIRE_APPROVAL',
              signer: { type: 'INITIATOR' },
              approvals,
            },
          ],
        },
      },
    });
    assert.equal((await decide(w.hub.owner, policy.json.id, 'approve')).json.status, 'COMPLETED');
    const ask = (asset: string) =>
      submit(w, { payload: { type: 'message', message: `pay in ${asset}` }, asset, amount: '1' });
    const doge = await ask('DOGE');
    const ltc = await ask('LTC');
    assert.equal(doge.json.status, 'PENDING_AUTHORIZATION');
    assert.equal(ltc.json.status, 'PENDING_AUTHORIZATION');
    const one = await call(w.hub, w.admins[0], 'POST', `/v1/transactions/${doge.json.id}/approve`);
    assert.equal(one.status, 200, one.body);

    w.hub.clock.advance(600_000 - 1);
    assert.equal((await w.hub.stack.recovery.sweep()).approvalTimeouts, 0);
    w.hub.clock.advance(1);
    assert.equal((await w.hub.stack.recovery.sweep()).approvalTimeouts, 1);
    const t = await settled(w, doge.json.id);
    assert.equal(t.status, 'TIMEOUT');
    const last = t.transitions.at(-1);
    assert.deepEqual(
      [last.from, last.to, last.event, last.actor.type, last.actor.id],
      ['PENDING_AUTHORIZATION', 'TIMEOUT', 'TIME_OUT', 'SYSTEM', 'approval-timeout'],
    );
    assert.equal(
      last.reason,
      'no approval outcome within 600 s (approvals.timeoutSeconds of rule ten-minutes); 1 vote(s) cast',
    );
    const late = await call(w.hub, w.admins[1], 'POST', `/v1/transactions/${doge.json.id}/approve`);
    assert.equal(late.status, 409);
    assert.equal(late.json.error.code, 'invalid_state');
    assert.equal((await settled(w, ltc.json.id)).status, 'PENDING_AUTHORIZATION');

    // The rule names no time-out: the hub setting (24 h by default). A vote at the deadline,
    // before any sweep, finds it expired: it times out and the vote is refused.
    w.hub.clock.advance(24 * 3600_000 - 600_000);
    const vote = await call(w.hub, w.admins[0], 'POST', `/v1/transactions/${ltc.json.id}/approve`);
    assert.equal(vote.status, 409, vote.body);
    assert.equal(vote.json.error.message, 'the approval time-out passed: TIMEOUT');
    const l = await settled(w, ltc.json.id);
    assert.equal(l.status, 'TIMEOUT');
    assert.match(
      l.transitions.at(-1).reason,
      /within 86400 s \(the hub setting approvalTimeoutSeconds\); 0 vote/,
    );
    assert.equal((await w.hub.stack.recovery.sweep()).approvalTimeouts, 0);
  });
}
