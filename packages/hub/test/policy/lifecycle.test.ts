// The policy decision and the approvals outcome drive the transaction lifecycle: each gives the
// event (and the recorded reason) that moves the transaction on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approvalEvent,
  approvalStatus,
  castVote,
  decisionEvent,
  evaluatePolicy,
  parsePolicy,
  startApprovals,
} from '../../src/policy/index.ts';
import { applyEvent } from '../../src/transactions/state-machine.ts';

const policy = parsePolicy({
  format: 'quorate.policy/v1',
  version: 3,
  rules: [
    { id: 'no-raw', operations: ['RAW'], action: 'BLOCK' },
    {
      id: 'small',
      assets: ['ETH'],
      amount: { max: '1' },
      action: 'ALLOW',
      signer: { type: 'INITIATOR' },
    },
    {
      id: 'big',
      assets: ['ETH'],
      action: 'REQUIRE_APPROVAL',
      signer: { type: 'API_USER', id: 'treasury' },
      approvals: { groups: [{ name: 'finance', approvers: ['carol', 'dave'], quorum: 2 }] },
    },
  ],
});
const tx = {
  operation: 'TRANSFER',
  initiator: { type: 'API_USER', id: 'bot', groups: [] },
  source: { vaultId: 'hot', accountId: 'hot-0' },
  destination: { address: '0xabc', allowlists: [] },
  asset: 'ETH',
  amount: '1',
};
const ctx = { now: 1_800_000_000_000, history: [] };

describe('policy → transaction lifecycle', () => {
  test('ALLOW queues the transaction, naming the rule', () => {
    const e = decisionEvent(evaluatePolicy(policy, tx, ctx));
    const r = applyEvent('SUBMITTED', e, 10);
    assert.equal(r.status, 'QUEUED');
    assert.equal(r.record.reason, 'policy v3 rule #1 small: ALLOW, signer API_USER bot');
    assert.deepEqual(r.record.actor, { type: 'SYSTEM', id: 'policy-engine' });
  });

  test('BLOCK and default deny block it', () => {
    const blocked = applyEvent(
      'SUBMITTED',
      decisionEvent(evaluatePolicy(policy, { ...tx, operation: 'RAW' }, ctx)),
      10,
    );
    assert.equal(blocked.status, 'BLOCKED');
    assert.equal(blocked.record.reason, 'policy v3 rule #0 no-raw: BLOCK');
    const denied = applyEvent(
      'SUBMITTED',
      decisionEvent(evaluatePolicy(policy, { ...tx, asset: 'BTC' }, ctx)),
      10,
    );
    assert.equal(denied.status, 'BLOCKED');
    assert.equal(denied.record.reason, 'policy v3: no rule matched (default deny)');
  });

  test('REQUIRE_APPROVAL waits, then the quorum queues it', () => {
    const d = evaluatePolicy(policy, { ...tx, amount: '2' }, ctx);
    assert.equal(d.action, 'REQUIRE_APPROVAL');
    if (d.action !== 'REQUIRE_APPROVAL') return;
    const pending = applyEvent('SUBMITTED', decisionEvent(d), 10);
    assert.equal(pending.status, 'PENDING_AUTHORIZATION');
    let s = startApprovals(d.approvals, 'bot');
    s = castVote(s, { approver: 'carol', vote: 'APPROVE', at: 11 });
    assert.equal(approvalEvent(approvalStatus(s)), null);
    s = castVote(s, { approver: 'dave', vote: 'APPROVE', at: 12 });
    const e = approvalEvent(approvalStatus(s));
    assert.ok(e !== null);
    const queued = applyEvent(pending.status, e, 12);
    assert.equal(queued.status, 'QUEUED');
    assert.equal(queued.record.reason, 'approval quorum reached (finance 2/2)');
  });

  test('a rejection rejects it, naming the approver', () => {
    const d = evaluatePolicy(policy, { ...tx, amount: '2' }, ctx);
    if (d.action !== 'REQUIRE_APPROVAL') return assert.fail(d.action);
    const s = castVote(startApprovals(d.approvals, 'bot'), {
      approver: 'dave',
      vote: 'REJECT',
      at: 11,
    });
    const e = approvalEvent(approvalStatus(s));
    assert.ok(e !== null);
    const r = applyEvent('PENDING_AUTHORIZATION', e, 11);
    assert.equal(r.status, 'REJECTED');
    assert.equal(r.record.reason, 'rejected by approver dave (finance 0/2)');
    assert.deepEqual(r.record.actor, { type: 'USER', id: 'dave' });
  });
});
