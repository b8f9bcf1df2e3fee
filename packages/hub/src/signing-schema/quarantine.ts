/**
 * Quarantine of co-signers named by a cryptographic abort (issue 7 "Signing schema": "a
 * cryptographic abort names the culprit, who is quarantined until an operator acts. It is not
 * retried blindly"). The culprits come from the runtime's `ProtocolError` blame (party id, reason,
 * evidence message ids). Pure: a frozen state object and functions returning a new state; the
 * hub stores it.
 */
import type { SigningSchema } from './clique.ts';
import { SigningSchemaError } from './clique.ts';

export interface QuarantineEntry {
  readonly cosignerId: string;
  readonly party: number;
  /** Unix ms when the abort was recorded. */
  readonly since: number;
  /** The session that aborted. */
  readonly sessionId: string;
  /** What the party did wrong, as the protocol said (never a secret). */
  readonly reason: string;
  /** Ids of the messages that prove it (for an auditor). */
  readonly evidence: readonly string[];
}

export interface QuarantineState {
  /** By co-signer id. */
  readonly entries: Readonly<Record<string, QuarantineEntry>>;
}

/** The blame of one culprit, shaped like the runtime's `Blame`. */
export interface Culprit {
  readonly party: number;
  readonly reason: string;
  readonly evidence: readonly string[];
}

export interface Release {
  readonly entry: QuarantineEntry;
  /** The operator (user id) who released it. */
  readonly operator: string;
  readonly at: number;
  readonly note: string;
}

export class QuarantineError extends Error {
  override readonly name = 'QuarantineError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

export const EMPTY_QUARANTINE: QuarantineState = Object.freeze({ entries: Object.freeze({}) });

export function isQuarantined(state: QuarantineState, cosignerId: string): boolean {
  return Object.hasOwn(state.entries, cosignerId);
}

/** The co-signer id of a party of the schema, or throws naming the party. */
export function cosignerOfParty(schema: SigningSchema, party: number): string {
  for (const m of [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)])
    if (m.party === party) return m.cosignerId;
  throw new SigningSchemaError(
    'party',
    `party ${party} is not in schema version ${schema.version}`,
  );
}

/**
 * Quarantines every culprit of an abort. A co-signer already in quarantine keeps its first
 * entry (the original evidence). An abort must name at least one culprit.
 */
export function quarantineCulprits(
  state: QuarantineState,
  schema: SigningSchema,
  culprits: readonly Culprit[],
  sessionId: string,
  at: number,
): QuarantineState {
  if (culprits.length === 0) throw new QuarantineError('culprits', 'an abort names a culprit');
  const entries: Record<string, QuarantineEntry> = { ...state.entries };
  for (const c of culprits) {
    const cosignerId = cosignerOfParty(schema, c.party);
    if (Object.hasOwn(entries, cosignerId)) continue;
    entries[cosignerId] = Object.freeze({
      cosignerId,
      party: c.party,
      since: at,
      sessionId,
      reason: c.reason,
      evidence: Object.freeze([...c.evidence]),
    });
  }
  return Object.freeze({ entries: Object.freeze(entries) });
}

/** An operator releases a co-signer from quarantine; returns the new state and the audit record. */
export function releaseFromQuarantine(
  state: QuarantineState,
  cosignerId: string,
  by: { readonly operator: string; readonly at: number; readonly note: string },
): { readonly state: QuarantineState; readonly release: Release } {
  const entry = state.entries[cosignerId];
  if (entry === undefined)
    throw new QuarantineError('cosignerId', `co-signer ${cosignerId} is not in quarantine`);
  if (by.operator.length === 0) throw new QuarantineError('operator', 'an operator must act');
  if (by.note.trim().length === 0)
    throw new QuarantineError('note', 'say why the co-signer is trusted again');
  const entries: Record<string, QuarantineEntry> = { ...state.entries };
  delete entries[cosignerId];
  return Object.freeze({
    state: Object.freeze({ entries: Object.freeze(entries) }),
    release: Object.freeze({ entry, operator: by.operator, at: by.at, note: by.note }),
  });
}
