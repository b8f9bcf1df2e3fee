/**
 * The approvals tracker for REQUIRE_APPROVAL decisions (issue 7 "Policy engine": "approval
 * groups with a quorum"). Pure state: the hub stores the votes and asks for the status.
 *
 * - Every group must reach its quorum of APPROVE votes: then the outcome is APPROVED.
 * - The outcome is REJECTED (final) as soon as any approver rejects, when the rule says
 *   `anyRejectionDenies` (the default); otherwise only when some group can no longer reach its
 *   quorum (eligible approvers minus rejections < quorum).
 * - An approver in several groups counts in each. Each approver votes once; votes are final.
 * - The initiator is not an eligible approver unless the rule says `initiatorMayApprove`.
 */
import type { ApprovalRequirement } from './document.ts';

export type Vote = 'APPROVE' | 'REJECT';

export interface ApprovalVote {
  readonly approver: string;
  readonly vote: Vote;
  readonly at: number;
}

export interface ApprovalState {
  readonly requirement: ApprovalRequirement;
  /** The initiator's id (a user or API user id). */
  readonly initiatorId: string;
  readonly votes: readonly ApprovalVote[];
}

export type ApprovalOutcome = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface GroupStatus {
  readonly name: string;
  readonly quorum: number;
  /** Approvers allowed to vote in this group (the initiator removed unless allowed). */
  readonly eligible: number;
  readonly approvals: number;
  readonly rejections: number;
  readonly reached: boolean;
  /** The quorum can no longer be reached. */
  readonly unreachable: boolean;
}

export interface ApprovalStatus {
  readonly outcome: ApprovalOutcome;
  readonly groups: readonly GroupStatus[];
  /** For REJECTED: the rejecting approver, or null when a quorum became unreachable otherwise. */
  readonly rejectedBy: string | null;
}

export type ApprovalErrorCode =
  'NOT_AN_APPROVER' | 'INITIATOR_CANNOT_APPROVE' | 'ALREADY_VOTED' | 'ALREADY_DECIDED' | 'BAD_VOTE';

export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';
  readonly code: ApprovalErrorCode;
  constructor(code: ApprovalErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function startApprovals(
  requirement: ApprovalRequirement,
  initiatorId: string,
): ApprovalState {
  return Object.freeze({ requirement, initiatorId, votes: Object.freeze([]) });
}

function eligibleApprovers(state: ApprovalState, approvers: readonly string[]): string[] {
  return state.requirement.initiatorMayApprove
    ? [...approvers]
    : approvers.filter((a) => a !== state.initiatorId);
}

export function approvalStatus(state: ApprovalState): ApprovalStatus {
  const groups = state.requirement.groups.map((g): GroupStatus => {
    const eligible = eligibleApprovers(state, g.approvers);
    const approvals = state.votes.filter(
      (v) => v.vote === 'APPROVE' && eligible.includes(v.approver),
    ).length;
    const rejections = state.votes.filter(
      (v) => v.vote === 'REJECT' && eligible.includes(v.approver),
    ).length;
    return Object.freeze({
      name: g.name,
      quorum: g.quorum,
      eligible: eligible.length,
      approvals,
      rejections,
      reached: approvals >= g.quorum,
      unreachable: eligible.length - rejections < g.quorum,
    });
  });
  const firstReject = state.votes.find((v) => v.vote === 'REJECT');
  let outcome: ApprovalOutcome = 'PENDING';
  let rejectedBy: string | null = null;
  if (state.requirement.anyRejectionDenies && firstReject) {
    outcome = 'REJECTED';
    rejectedBy = firstReject.approver;
  } else if (groups.some((g) => g.unreachable)) {
    outcome = 'REJECTED';
    rejectedBy = firstReject?.approver ?? null;
  } else if (groups.every((g) => g.reached)) {
    outcome = 'APPROVED';
  }
  return Object.freeze({ outcome, groups: Object.freeze(groups), rejectedBy });
}

/** Records one vote; refuses votes from non-approvers, second votes and votes after the outcome. */
export function castVote(state: ApprovalState, vote: ApprovalVote): ApprovalState {
  if (vote.vote !== 'APPROVE' && vote.vote !== 'REJECT')
    throw new ApprovalError('BAD_VOTE', 'vote: expected APPROVE or REJECT');
  if (!Number.isSafeInteger(vote.at) || vote.at < 0)
    throw new ApprovalError('BAD_VOTE', 'at: expected Unix time in milliseconds');
  if (approvalStatus(state).outcome !== 'PENDING')
    throw new ApprovalError('ALREADY_DECIDED', 'the approval is already decided');
  const named = state.requirement.groups.some((g) => g.approvers.includes(vote.approver));
  if (!named)
    throw new ApprovalError('NOT_AN_APPROVER', `${vote.approver} is not an approver of this rule`);
  if (vote.approver === state.initiatorId && !state.requirement.initiatorMayApprove)
    throw new ApprovalError(
      'INITIATOR_CANNOT_APPROVE',
      'the initiator cannot approve their own transaction',
    );
  if (state.votes.some((v) => v.approver === vote.approver))
    throw new ApprovalError('ALREADY_VOTED', `${vote.approver} has already voted`);
  return Object.freeze({
    ...state,
    votes: Object.freeze([...state.votes, Object.freeze({ ...vote })]),
  });
}
