// The approvals tracker: quorum reached, not reached, a rejection (final), unreachable quorums,
// the four-eyes rule, and refused votes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApprovalError,
  approvalStatus,
  approvalsSchema,
  castVote,
  startApprovals,
} from '../../src/policy/index.ts';
import type { ApprovalState } from '../../src/policy/index.ts';

const requirement = (extra: object = {}) =>
  approvalsSchema.parse({
    groups: [
      { name: 'finance', approvers: ['carol', 'dave', 'erin'], quorum: 2 },
      { name: 'security', approvers: ['sam', 'erin'], quorum: 1 },
    ],
    ...extra,
  });

function votes(state: ApprovalState, ...vs: [string, 'APPROVE' | 'REJECT'][]): ApprovalState {
  return vs.reduce(
    (s, [approver, vote], i) => castVote(s, { approver, vote, at: 1000 + i }),
    state,
  );
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ApprovalError);
    return e.code;
  }
  assert.fail('accepted');
}

describe('approvals tracker', () => {
  test('pending until every group reaches its quorum', () => {
    let s = startApprovals(requirement(), 'bot');
    assert.equal(approvalStatus(s).outcome, 'PENDING');
    s = votes(s, ['carol', 'APPROVE'], ['dave', 'APPROVE']);
    const st = approvalStatus(s);
    assert.equal(st.outcome, 'PENDING');
    assert.deepEqual(
      st.groups.map((g) => [g.name, g.approvals, g.reached]),
      [
        ['finance', 2, true],
        ['security', 0, false],
      ],
    );
    s = votes(s, ['sam', 'APPROVE']);
    assert.deepEqual(approvalStatus(s), {
      outcome: 'APPROVED',
      rejectedBy: null,
      groups: [
        {
          name: 'finance',
          quorum: 2,
          eligible: 3,
          approvals: 2,
          rejections: 0,
          reached: true,
          unreachable: false,
        },
        {
          name: 'security',
          quorum: 1,
          eligible: 2,
          approvals: 1,
          rejections: 0,
          reached: true,
          unreachable: false,
        },
      ],
    });
  });

  test('an approver in two groups counts in both', () => {
    const s = votes(
      startApprovals(requirement(), 'bot'),
      ['erin', 'APPROVE'],
      ['carol', 'APPROVE'],
    );
    assert.equal(approvalStatus(s).outcome, 'APPROVED');
  });

  test('one rejection is final by default', () => {
    const s = votes(startApprovals(requirement(), 'bot'), ['carol', 'APPROVE'], ['dave', 'REJECT']);
    const st = approvalStatus(s);
    assert.equal(st.outcome, 'REJECTED');
    assert.equal(st.rejectedBy, 'dave');
    assert.equal(
      codeOf(() => castVote(s, { approver: 'sam', vote: 'APPROVE', at: 5 })),
      'ALREADY_DECIDED',
    );
  });

  test('without anyRejectionDenies, only an unreachable quorum rejects', () => {
    let s = startApprovals(requirement({ anyRejectionDenies: false }), 'bot');
    s = votes(s, ['carol', 'REJECT']);
    assert.equal(approvalStatus(s).outcome, 'PENDING');
    s = votes(s, ['dave', 'REJECT']);
    const st = approvalStatus(s);
    assert.equal(st.outcome, 'REJECTED');
    assert.equal(st.rejectedBy, 'carol');
    assert.equal(st.groups[0]?.unreachable, true);
  });

  test('the initiator cannot approve (four eyes) unless the rule allows it', () => {
    const s = startApprovals(requirement(), 'carol');
    assert.equal(
      codeOf(() => castVote(s, { approver: 'carol', vote: 'APPROVE', at: 1 })),
      'INITIATOR_CANNOT_APPROVE',
    );
    assert.equal(approvalStatus(s).groups[0]?.eligible, 2);
    const allowed = startApprovals(requirement({ initiatorMayApprove: true }), 'carol');
    assert.equal(approvalStatus(votes(allowed, ['carol', 'APPROVE'])).groups[0]?.approvals, 1);
  });

  test('a quorum that only the initiator could complete is rejected at once', () => {
    const req = approvalsSchema.parse({
      groups: [{ name: 'solo', approvers: ['carol'], quorum: 1 }],
    });
    const st = approvalStatus(startApprovals(req, 'carol'));
    assert.equal(st.outcome, 'REJECTED');
    assert.equal(st.rejectedBy, null);
  });

  test('refuses strangers, second votes and malformed votes', () => {
    const s = votes(startApprovals(requirement(), 'bot'), ['carol', 'APPROVE']);
    assert.equal(
      codeOf(() => castVote(s, { approver: 'mallory', vote: 'APPROVE', at: 1 })),
      'NOT_AN_APPROVER',
    );
    assert.equal(
      codeOf(() => castVote(s, { approver: 'carol', vote: 'REJECT', at: 1 })),
      'ALREADY_VOTED',
    );
    assert.equal(
      codeOf(() => castVote(s, { approver: 'dave', vote: 'MAYBE' as 'APPROVE', at: 1 })),
      'BAD_VOTE',
    );
    assert.equal(
      codeOf(() => castVote(s, { approver: 'dave', vote: 'APPROVE', at: -1 })),
      'BAD_VOTE',
    );
    assert.equal(s.votes.length, 1);
  });
});
