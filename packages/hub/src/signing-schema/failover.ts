/**
 * Failover of a signing request (SYSTEM.md "Roles, sets and cliques": "on a time-out or abort
 * starts a fresh session with another clique (new session id, never reusing a nonce or
 * presignature of the aborted one)"; issue 7 "Signing schema").
 *
 * Pure planning: the caller passes the attempts made so far for one transaction, what went wrong
 * with the last one, the current health and quarantine, and a freshly generated session id; we
 * return the updated health and quarantine and the next attempt, or why there is none.
 *  - TIMEOUT: the missing parties get `lastFailureAt = at`, so cliques without them rank first.
 *  - ABORT: every culprit is quarantined; cliques with a quarantined member are never picked.
 *  - A clique already tried for this transaction is not tried again, and a session id is never
 *    reused (the new one must differ from every earlier attempt's).
 */
import type { Clique, SigningSchema } from './clique.ts';
import { cliqueKey, cliqueParties } from './clique.ts';
import type { Culprit, QuarantineState } from './quarantine.ts';
import { cosignerOfParty, quarantineCulprits } from './quarantine.ts';
import type { HealthTable, SelectionFailure } from './selection.ts';
import { selectClique } from './selection.ts';

/** Session ids are 32 random bytes in hex, as in the runtime's envelope. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{64}$/;

export interface SigningAttempt {
  readonly sessionId: string;
  readonly cliqueKey: string;
  /** Party ids of the clique, sorted: the session's participants. */
  readonly parties: readonly number[];
  readonly startedAt: number;
}

export type SessionFailure =
  | { readonly kind: 'TIMEOUT'; readonly sessionId: string; readonly missing: readonly number[] }
  | { readonly kind: 'ABORT'; readonly sessionId: string; readonly culprits: readonly Culprit[] };

export interface FailoverInput {
  readonly schema: SigningSchema;
  readonly health: HealthTable;
  readonly quarantine: QuarantineState;
  /** Every attempt of this transaction so far, oldest first; the failed one is the last. */
  readonly attempts: readonly SigningAttempt[];
  readonly failure: SessionFailure;
  /** A fresh random session id (the caller draws it from the CSPRNG). */
  readonly newSessionId: string;
  readonly at: number;
  /** The designated signer's co-signer, if the policy named one. */
  readonly primaryCosignerId?: string;
  /** Attempts allowed per transaction, including the first. */
  readonly maxAttempts: number;
}

export type FailoverOutcome =
  | { readonly next: SigningAttempt; readonly clique: Clique }
  | {
      readonly next: null;
      readonly reason: SelectionFailure | 'MAX_ATTEMPTS';
    };

export interface FailoverResult {
  readonly health: HealthTable;
  readonly quarantine: QuarantineState;
  readonly outcome: FailoverOutcome;
}

export class FailoverError extends Error {
  override readonly name = 'FailoverError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/** The first attempt of a transaction: picks a clique and binds it to `sessionId`. */
export function firstAttempt(
  schema: SigningSchema,
  opts: {
    readonly health: HealthTable;
    readonly quarantine: QuarantineState;
    readonly sessionId: string;
    readonly at: number;
    readonly primaryCosignerId?: string;
  },
): FailoverOutcome {
  if (!SESSION_ID_PATTERN.test(opts.sessionId))
    throw new FailoverError('sessionId', 'expected 64 lower-case hex characters');
  const sel = selectClique(schema, {
    health: opts.health,
    quarantine: opts.quarantine,
    ...(opts.primaryCosignerId === undefined ? {} : { primaryCosignerId: opts.primaryCosignerId }),
  });
  if (!sel.ok) return Object.freeze({ next: null, reason: sel.reason });
  return Object.freeze({
    clique: sel.clique,
    next: Object.freeze({
      sessionId: opts.sessionId,
      cliqueKey: sel.key,
      parties: cliqueParties(sel.clique),
      startedAt: opts.at,
    }),
  });
}

/** Plans the next attempt after a time-out or an abort. */
export function failover(input: FailoverInput): FailoverResult {
  const { schema, attempts, failure, newSessionId, at } = input;
  const last = attempts[attempts.length - 1];
  if (last === undefined) throw new FailoverError('attempts', 'no attempt to fail over from');
  if (failure.sessionId !== last.sessionId)
    throw new FailoverError('failure.sessionId', 'is not the last attempt of this transaction');
  if (!SESSION_ID_PATTERN.test(newSessionId))
    throw new FailoverError('newSessionId', 'expected 64 lower-case hex characters');
  if (attempts.some((a) => a.sessionId === newSessionId))
    throw new FailoverError('newSessionId', 'a session id is never reused');

  let health = input.health;
  let quarantine = input.quarantine;
  if (failure.kind === 'TIMEOUT') {
    const updated: Record<string, (typeof health)[string]> = { ...health };
    for (const party of failure.missing) {
      if (!last.parties.includes(party))
        throw new FailoverError('failure.missing', `party ${party} was not in the session`);
      const id = cosignerOfParty(schema, party);
      updated[id] = Object.freeze({ online: health[id]?.online ?? false, lastFailureAt: at });
    }
    health = Object.freeze(updated);
  } else {
    for (const c of failure.culprits)
      if (!last.parties.includes(c.party))
        throw new FailoverError('failure.culprits', `party ${c.party} was not in the session`);
    quarantine = quarantineCulprits(quarantine, schema, failure.culprits, failure.sessionId, at);
  }

  const done = (outcome: FailoverOutcome): FailoverResult =>
    Object.freeze({ health, quarantine, outcome });
  if (attempts.length >= input.maxAttempts)
    return done(Object.freeze({ next: null, reason: 'MAX_ATTEMPTS' as const }));
  const sel = selectClique(schema, {
    health,
    quarantine,
    exclude: new Set(attempts.map((a) => a.cliqueKey)),
    ...(input.primaryCosignerId === undefined
      ? {}
      : { primaryCosignerId: input.primaryCosignerId }),
  });
  if (!sel.ok) return done(Object.freeze({ next: null, reason: sel.reason }));
  return done(
    Object.freeze({
      clique: sel.clique,
      next: Object.freeze({
        sessionId: newSessionId,
        cliqueKey: cliqueKey(sel.clique),
        parties: cliqueParties(sel.clique),
        startedAt: at,
      }),
    }),
  );
}
