/**
 * The transaction lifecycle (issue 7, "Transactions"; SYSTEM.md "Main flows" step 4):
 *
 *   SUBMITTED → PENDING_AUTHORIZATION → QUEUED → PENDING_SIGNATURE → COMPLETED
 *   and the endings REJECTED | BLOCKED | FAILED | CANCELLED | TIMEOUT.
 *
 * Pure: the caller passes the current status, the event and the time; we return the new status
 * and the transition record to store. Every transition is a row of one table, so the table is the
 * whole specification (docs/policy-language.md shows where the policy decision plugs in). Each
 * event has exactly one target status, so a refused event always names both statuses. Terminal
 * statuses have no outgoing row: they are final.
 */

export const TRANSACTION_STATUSES = [
  'SUBMITTED',
  'PENDING_AUTHORIZATION',
  'QUEUED',
  'PENDING_SIGNATURE',
  'COMPLETED',
  'REJECTED',
  'BLOCKED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<TransactionStatus> = new Set([
  'COMPLETED',
  'REJECTED',
  'BLOCKED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
]);

export function isTerminal(status: TransactionStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * What can happen to a transaction, each with its one target status:
 * - REQUIRE_APPROVAL: the policy wants approvals first.
 * - AUTHORIZE: the policy allowed it, or the approval quorum was reached.
 * - BLOCK: the policy blocked it (or nothing matched: default deny).
 * - REJECT: an approver rejected it (final), or a co-signer's rule / callback handler said REJECT.
 * - START_SIGNING: a clique was picked and the signing session started.
 * - REQUEUE: the session timed out or aborted; back to the queue to fail over to another clique
 *   in a fresh session (a callback handler's RETRY also lands here).
 * - COMPLETE: the hub verified the signature.
 * - FAIL: no clique can sign, a co-signer failed without naming a rejection, an internal error.
 * - CANCEL: the initiator or an admin cancelled it before it was signed.
 * - TIME_OUT: approvals or signing did not finish in time.
 */
export const TRANSACTION_EVENTS = [
  'REQUIRE_APPROVAL',
  'AUTHORIZE',
  'BLOCK',
  'REJECT',
  'START_SIGNING',
  'REQUEUE',
  'COMPLETE',
  'FAIL',
  'CANCEL',
  'TIME_OUT',
] as const;
export type TransactionEventType = (typeof TRANSACTION_EVENTS)[number];

export const EVENT_TARGET: Readonly<Record<TransactionEventType, TransactionStatus>> =
  Object.freeze({
    REQUIRE_APPROVAL: 'PENDING_AUTHORIZATION',
    AUTHORIZE: 'QUEUED',
    BLOCK: 'BLOCKED',
    REJECT: 'REJECTED',
    START_SIGNING: 'PENDING_SIGNATURE',
    REQUEUE: 'QUEUED',
    COMPLETE: 'COMPLETED',
    FAIL: 'FAILED',
    CANCEL: 'CANCELLED',
    TIME_OUT: 'TIMEOUT',
  });

/** From which statuses each event is legal. Everything not listed is refused. */
const LEGAL_FROM: Readonly<Record<TransactionEventType, readonly TransactionStatus[]>> = {
  REQUIRE_APPROVAL: ['SUBMITTED'],
  AUTHORIZE: ['SUBMITTED', 'PENDING_AUTHORIZATION'],
  BLOCK: ['SUBMITTED'],
  REJECT: ['PENDING_AUTHORIZATION', 'PENDING_SIGNATURE'],
  START_SIGNING: ['QUEUED'],
  REQUEUE: ['PENDING_SIGNATURE'],
  COMPLETE: ['PENDING_SIGNATURE'],
  FAIL: ['SUBMITTED', 'PENDING_AUTHORIZATION', 'QUEUED', 'PENDING_SIGNATURE'],
  CANCEL: ['SUBMITTED', 'PENDING_AUTHORIZATION', 'QUEUED', 'PENDING_SIGNATURE'],
  TIME_OUT: ['PENDING_AUTHORIZATION', 'QUEUED', 'PENDING_SIGNATURE'],
};

export interface TransitionRow {
  readonly from: TransactionStatus;
  readonly event: TransactionEventType;
  readonly to: TransactionStatus;
}

/** The whole lifecycle as rows, in a stable order (event order, then status order). */
export const TRANSITIONS: readonly TransitionRow[] = Object.freeze(
  TRANSACTION_EVENTS.flatMap((event) =>
    LEGAL_FROM[event].map((from) => Object.freeze({ from, event, to: EVENT_TARGET[event] })),
  ),
);

/** Whether any event moves a transaction from `from` to `to`. */
export function canTransition(from: TransactionStatus, to: TransactionStatus): boolean {
  return TRANSITIONS.some((r) => r.from === from && r.to === to);
}

/** Who caused a transition. `SYSTEM` is the hub itself (policy engine, scheduler, time-outs). */
export interface TransitionActor {
  readonly type: 'USER' | 'API_USER' | 'COSIGNER' | 'SYSTEM';
  readonly id: string;
}

export interface TransactionEvent {
  readonly type: TransactionEventType;
  /** Why, in words, stored with the record (e.g. "policy rule small-transfers"). Never a secret. */
  readonly reason: string;
  readonly actor: TransitionActor;
}

export interface TransitionRecord {
  readonly from: TransactionStatus;
  readonly to: TransactionStatus;
  readonly event: TransactionEventType;
  readonly reason: string;
  /** Unix time in milliseconds, passed in by the caller. */
  readonly at: number;
  readonly actor: TransitionActor;
}

export interface TransitionResult {
  readonly status: TransactionStatus;
  readonly record: TransitionRecord;
}

/** A refused transition; names both statuses and the event. Maps to HTTP 409. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly from: TransactionStatus;
  readonly to: TransactionStatus;
  readonly event: TransactionEventType;
  /** True when `from` is terminal (nothing may follow it). */
  readonly terminal: boolean;

  constructor(from: TransactionStatus, to: TransactionStatus, event: TransactionEventType) {
    const terminal = isTerminal(from);
    super(
      `illegal transaction transition ${from} → ${to} (event ${event})` +
        (terminal ? `: ${from} is final` : ''),
    );
    this.from = from;
    this.to = to;
    this.event = event;
    this.terminal = terminal;
  }
}

/** A malformed event or time (a bug of the caller or bad input); names the field. */
export class TransitionInputError extends Error {
  override readonly name = 'TransitionInputError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

export const MAX_REASON_LENGTH = 1000;

function checkInput(from: unknown, event: TransactionEvent, at: number): void {
  if (typeof from !== 'string' || !(TRANSACTION_STATUSES as readonly string[]).includes(from))
    throw new TransitionInputError('from', 'expected a transaction status');
  if (!(TRANSACTION_EVENTS as readonly string[]).includes(event.type))
    throw new TransitionInputError('event.type', 'expected a transaction event');
  if (typeof event.reason !== 'string' || event.reason.trim().length === 0)
    throw new TransitionInputError('event.reason', 'every transition needs a reason');
  if (event.reason.length > MAX_REASON_LENGTH)
    throw new TransitionInputError('event.reason', `at most ${MAX_REASON_LENGTH} characters`);
  if (!['USER', 'API_USER', 'COSIGNER', 'SYSTEM'].includes(event.actor?.type))
    throw new TransitionInputError('event.actor.type', 'expected USER|API_USER|COSIGNER|SYSTEM');
  if (typeof event.actor.id !== 'string' || event.actor.id.length === 0)
    throw new TransitionInputError('event.actor.id', 'expected a non-empty id');
  if (!Number.isSafeInteger(at) || at < 0)
    throw new TransitionInputError('at', 'expected Unix time in milliseconds');
}

/**
 * Applies `event` to a transaction in status `from` at time `at`. Returns the new status and the
 * record to store; throws {@link IllegalTransitionError} when the table has no such row.
 */
export function applyEvent(
  from: TransactionStatus,
  event: TransactionEvent,
  at: number,
): TransitionResult {
  checkInput(from, event, at);
  const to = EVENT_TARGET[event.type];
  if (!LEGAL_FROM[event.type].includes(from))
    throw new IllegalTransitionError(from, to, event.type);
  const record: TransitionRecord = Object.freeze({
    from,
    to,
    event: event.type,
    reason: event.reason,
    at,
    actor: Object.freeze({ type: event.actor.type, id: event.actor.id }),
  });
  return Object.freeze({ status: to, record });
}

/**
 * Replays stored records from SUBMITTED and returns the final status; throws if the history is
 * not a chain of legal transitions (a corrupted or tampered store).
 */
export function replay(records: readonly TransitionRecord[]): TransactionStatus {
  let status: TransactionStatus = 'SUBMITTED';
  records.forEach((r, i) => {
    if (r.from !== status)
      throw new TransitionInputError(`records[${i}].from`, `expected ${status}, found ${r.from}`);
    const { status: next } = applyEvent(
      status,
      { type: r.event, reason: r.reason, actor: r.actor },
      r.at,
    );
    if (next !== r.to)
      throw new TransitionInputError(`records[${i}].to`, `expected ${next}, found ${r.to}`);
    status = next;
  });
  return status;
}
