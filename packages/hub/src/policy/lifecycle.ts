/**
 * Where the policy meets the transaction lifecycle (issue 7 "Transactions" and "Policy engine"):
 * the events that a policy decision and an approvals outcome apply to a transaction, with the
 * reason that the transition record stores (which rule decided, who rejected).
 */
import type { TransactionEvent } from '../transactions/state-machine.ts';
import type { ApprovalStatus } from './approvals.ts';
import type { PolicyDecision } from './engine.ts';
import { describeDecision } from './engine.ts';

const POLICY_ENGINE = Object.freeze({ type: 'SYSTEM', id: 'policy-engine' } as const);

/** SUBMITTED → QUEUED | PENDING_AUTHORIZATION | BLOCKED. */
export function decisionEvent(decision: PolicyDecision): TransactionEvent {
  const type =
    decision.action === 'ALLOW'
      ? 'AUTHORIZE'
      : decision.action === 'REQUIRE_APPROVAL'
        ? 'REQUIRE_APPROVAL'
        : 'BLOCK';
  return Object.freeze({ type, reason: describeDecision(decision), actor: POLICY_ENGINE });
}

/**
 * PENDING_AUTHORIZATION → QUEUED (quorum reached) or REJECTED (final rejection); null while
 * the approvals are pending.
 */
export function approvalEvent(status: ApprovalStatus): TransactionEvent | null {
  const tally = status.groups.map((g) => `${g.name} ${g.approvals}/${g.quorum}`).join(', ');
  switch (status.outcome) {
    case 'PENDING':
      return null;
    case 'APPROVED':
      return Object.freeze({
        type: 'AUTHORIZE',
        reason: `approval quorum reached (${tally})`,
        actor: POLICY_ENGINE,
      });
    case 'REJECTED':
      return Object.freeze({
        type: 'REJECT',
        reason:
          status.rejectedBy === null
            ? `approval quorum can no longer be reached (${tally})`
            : `rejected by approver ${status.rejectedBy} (${tally})`,
        actor:
          status.rejectedBy === null
            ? POLICY_ENGINE
            : Object.freeze({ type: 'USER' as const, id: status.rejectedBy }),
      });
  }
}
