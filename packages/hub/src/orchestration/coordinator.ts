/**
 * Signing orchestration (issue 7 "Signing schema" and "Orchestration"; SYSTEM.md "Roles, sets
 * and cliques"): the stored signing schema and quarantine, health from the relay's connections,
 * and running jobs:
 *  - committee jobs (keygen, refresh, aux-info) go to every co-signer of the schema;
 *  - clique jobs (sign, presign) go to a clique picked by signing-schema/selection.ts, including
 *    the designated signer's co-signer as primary; on a time-out, an unreachable party or an `io`
 *    failure the next attempt uses another clique and a NEW session id (signing-schema/failover.ts);
 *    an `aborted` result quarantines its culprits, and the next attempt never includes them;
 *    an abort without a culprit, a `bug` or a refusal ends the request (never retried blindly).
 * Every attempt is a row of `jobs` with how it ended.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import {
  EMPTY_QUARANTINE,
  FailoverError,
  cliqueKey,
  cliqueParties,
  enumerateCliques,
  failover,
  firstAttempt,
  releaseFromQuarantine,
} from '../signing-schema/index.ts';
import type {
  Clique,
  Culprit,
  FailoverOutcome,
  HealthTable,
  QuarantineEntry,
  QuarantineState,
  SessionFailure,
  SigningAttempt,
  SigningSchema,
} from '../signing-schema/index.ts';
import type { JobSigner } from './authorization.ts';
import type { JobAlgorithm, Participant, SignRequest } from './frames.ts';
import { describeOutcome } from './relay.ts';
import type { JobOutcome, Relay } from './relay.ts';
import type { JobKind, JobStatus } from './tables.ts';
import { keyCommittee } from '../vaults/reshare.ts';
import { createSchemaStore } from './schema-store.ts';

export interface CoordinatorOptions {
  readonly jobTimeoutMs: number;
  /**
   * Per-kind overrides of `jobTimeoutMs`. CGGMP21 aux-info waits for two fresh safe primes per
   * co-signer and proves Π^mod/Π^prm about them: minutes, not seconds, on a small machine.
   */
  readonly jobTimeoutMsByKind?: Partial<Record<JobKind, number>>;
  /** Attempts per clique request, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_COORDINATOR_OPTIONS: CoordinatorOptions = Object.freeze({
  jobTimeoutMs: 60_000,
  // A sign job without a pooled presignature runs presign and sign in one job, next to the
  // pool's own refills: on a small machine, minutes.
  jobTimeoutMsByKind: {
    keygen: 5 * 60_000,
    'aux-info': 20 * 60_000,
    presign: 5 * 60_000,
    sign: 5 * 60_000,
  },
  maxAttempts: 3,
});

export function newSessionId(): string {
  return randomBytes(32).toString('hex');
}

export interface JobSpec {
  readonly workspaceId: string;
  readonly kind: JobKind;
  readonly algorithm: JobAlgorithm;
  readonly keyId: string | null;
  readonly transactionId?: string;
  readonly request?: SignRequest;
  /** The API user the job is for (frames.ts `Job.apiUserId`); null or absent: hub-internal. */
  readonly apiUserId?: string | null;
}

export type CliqueRunResult =
  | {
      readonly ok: true;
      readonly output: Readonly<Record<string, unknown>>;
      readonly cliqueKey: string;
      readonly sessionId: string;
    }
  | {
      readonly ok: false;
      /** REFUSED: a co-signer's rules or callback said no; otherwise the request failed. */
      readonly kind: 'REFUSED' | 'FAILED';
      readonly reason: string;
    };

export interface AttemptHooks {
  /** Before each attempt is dispatched (the transaction becomes PENDING_SIGNATURE). */
  readonly onStart?: (a: SigningAttempt) => Promise<void>;
  /** After a failed attempt that will be retried (the transaction goes back to QUEUED). */
  readonly onRetry?: (why: string) => Promise<void>;
}

function statusOf(o: JobOutcome): JobStatus {
  switch (o.status) {
    case 'done':
      return 'DONE';
    case 'refused':
      return 'REFUSED';
    case 'failed':
      return o.kind === 'aborted' ? 'ABORTED' : 'FAILED';
    case 'timeout':
    case 'unreachable':
      return 'TIMEOUT';
  }
}

export function createCoordinator(
  ctx: HubContext,
  relay: Relay,
  signer: JobSigner,
  options: CoordinatorOptions = DEFAULT_COORDINATOR_OPTIONS,
) {
  const { db, now } = ctx;
  const lastFailure = new Map<string, number>();

  const store = createSchemaStore(ctx);
  const { schemaOf, checkSchema } = store;

  async function requireSchema(workspaceId: string): Promise<SigningSchema> {
    const s = await schemaOf(workspaceId);
    if (s === null)
      throw new HubError('invalid_state', 'the workspace has no signing schema yet', 'schema');
    return s;
  }

  /** A key's own committee once it was reshared (vaults/reshare.ts), else the workspace's schema. */
  async function schemaFor(spec: JobSpec): Promise<SigningSchema> {
    const own = spec.keyId === null ? null : await keyCommittee(db, spec.keyId);
    return own ?? requireSchema(spec.workspaceId);
  }

  async function quarantineOf(workspaceId: string): Promise<QuarantineState> {
    const rows = await db
      .selectFrom('quarantine')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .execute();
    if (rows.length === 0) return EMPTY_QUARANTINE;
    const entries: Record<string, QuarantineEntry> = {};
    for (const r of rows)
      entries[r.cosigner_id] = {
        cosignerId: r.cosigner_id,
        party: r.party,
        since: r.since,
        sessionId: r.session_id,
        reason: r.reason,
        evidence: JSON.parse(r.evidence) as string[],
      };
    return { entries };
  }

  async function saveQuarantine(workspaceId: string, q: QuarantineState): Promise<void> {
    const known = await quarantineOf(workspaceId);
    for (const e of Object.values(q.entries)) {
      if (Object.hasOwn(known.entries, e.cosignerId)) continue;
      await db
        .insertInto('quarantine')
        .values({
          cosigner_id: e.cosignerId,
          workspace_id: workspaceId,
          party: e.party,
          session_id: e.sessionId,
          reason: e.reason,
          evidence: JSON.stringify(e.evidence),
          since: e.since,
        })
        .execute();
    }
  }

  function health(schema: SigningSchema): HealthTable {
    const t: Record<string, { online: boolean; lastFailureAt?: number }> = {};
    for (const m of [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)]) {
      const f = lastFailure.get(m.cosignerId);
      t[m.cosignerId] = {
        online: relay.isOnline(m.cosignerId),
        ...(f === undefined ? {} : { lastFailureAt: f }),
      };
    }
    return t;
  }

  async function participant(
    schema: SigningSchema,
    m: { cosignerId: string; party: number },
  ): Promise<Participant> {
    const identity = await relay.identity(m.cosignerId);
    if (identity === null)
      throw new HubError('invalid_state', `co-signer ${m.cosignerId} never said hello`, 'cosigner');
    const set = schema.sets.find((s) => s.guards.some((g) => g.cosignerId === m.cosignerId));
    return {
      partyId: m.party,
      cosignerId: m.cosignerId,
      role: set === undefined ? 'primary' : 'guard',
      set: set?.name ?? null,
      identity,
    };
  }

  async function dispatch(
    spec: JobSpec,
    schema: SigningSchema,
    members: readonly { cosignerId: string; party: number }[],
    sessionId: string,
    key: string,
    jobId: string = randomUUID(),
  ): Promise<JobOutcome> {
    const participants = await Promise.all(
      [...members].sort((a, b) => a.party - b.party).map((m) => participant(schema, m)),
    );
    const job = await signer.sign(
      {
        jobId,
        kind: spec.kind,
        algorithm: spec.algorithm,
        keyId: spec.keyId,
        sessionId,
        participants,
        threshold: schema.threshold,
        apiUserId: spec.apiUserId ?? null,
        request: spec.request ?? null,
        timeoutMs: options.jobTimeoutMsByKind?.[spec.kind] ?? options.jobTimeoutMs,
      },
      now(),
    );
    await db
      .insertInto('jobs')
      .values({
        id: job.jobId,
        workspace_id: spec.workspaceId,
        kind: spec.kind,
        algorithm: spec.algorithm,
        key_id: spec.keyId,
        transaction_id: spec.transactionId ?? null,
        session_id: sessionId,
        clique_key: key,
        participants: JSON.stringify(participants),
        status: 'RUNNING',
        error: null,
        created_at: now(),
        finished_at: null,
      })
      .execute();
    const outcome = await relay.runJob(job);
    await db
      .updateTable('jobs')
      .set({
        status: statusOf(outcome),
        error: outcome.status === 'done' ? null : describeOutcome(outcome),
        finished_at: now(),
      })
      .where('id', '=', job.jobId)
      .execute();
    return outcome;
  }

  return {
    schemaOf,
    requireSchema,
    quarantineOf,
    health,

    /** Validates a proposal against the workspace as it is now, without storing it. */
    checkSchema,
    /** Puts a schema in force as the next version (an approved `signing_schema.set`). */
    setSchema: store.setSchema,

    async release(workspaceId: string, cosignerId: string, operator: string, note: string) {
      const q = await quarantineOf(workspaceId);
      try {
        releaseFromQuarantine(q, cosignerId, { operator, at: now(), note });
      } catch (e) {
        const field = (e as { field?: string }).field ?? 'cosignerId';
        throw new HubError(
          field === 'cosignerId' ? 'not_found' : 'validation_failed',
          (e as Error).message,
          field,
        );
      }
      await db.deleteFrom('quarantine').where('cosigner_id', '=', cosignerId).execute();
      lastFailure.delete(cosignerId);
    },

    /** A job for every co-signer of the schema (keygen, refresh, aux-info). No failover. */
    async runCommittee(
      spec: JobSpec,
    ): Promise<{ outcome: JobOutcome; schema: SigningSchema; reason: string }> {
      const schema = await schemaFor(spec);
      const members = [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)];
      const outcome = await dispatch(spec, schema, members, newSessionId(), 'committee');
      return { outcome, schema, reason: describeOutcome(outcome) };
    },

    /**
     * One attempt on a given clique (presignature refills). `jobId`: the id the job gets — for a
     * presign, the id the co-signers store the presignature under and a sign job later names.
     */
    async runOnClique(
      spec: JobSpec,
      schema: SigningSchema,
      clique: Clique,
      jobId?: string,
    ): Promise<JobOutcome> {
      return dispatch(
        spec,
        schema,
        [clique.primary, ...clique.guards],
        newSessionId(),
        cliqueKey(clique),
        jobId,
      );
    },

    enumerateCliques,

    /** A clique job with failover and quarantine (signing). */
    async runWithFailover(
      spec: JobSpec,
      opts: {
        readonly primaryCosignerId?: string;
        readonly hooks?: AttemptHooks;
        /**
         * ECDSA: a pooled presignature for the attempt's clique (presignatures.ts `take`), or
         * null. It is handed out before the job is sent, so a failed attempt never reuses it.
         */
        readonly presignature?: (cliqueKey: string) => Promise<string | null>;
      },
    ): Promise<CliqueRunResult> {
      const schema = await schemaFor(spec);
      const primary =
        opts.primaryCosignerId === undefined ? {} : { primaryCosignerId: opts.primaryCosignerId };
      let quarantine = await quarantineOf(spec.workspaceId);
      let outcome: FailoverOutcome = firstAttempt(schema, {
        health: health(schema),
        quarantine,
        sessionId: newSessionId(),
        at: now(),
        ...primary,
      });
      const attempts: SigningAttempt[] = [];
      /** Cliques whose pooled presignature a member refused: their next attempt signs without. */
      const withoutPool = new Set<string>();
      for (;;) {
        if (outcome.next === null)
          return { ok: false, kind: 'FAILED', reason: `no clique can sign: ${outcome.reason}` };
        const attempt = outcome.next;
        attempts.push(attempt);
        await opts.hooks?.onStart?.(attempt);
        const members = [outcome.clique.primary, ...outcome.clique.guards];
        const presignatureId =
          spec.request === undefined ||
          opts.presignature === undefined ||
          withoutPool.has(attempt.cliqueKey)
            ? null
            : await opts.presignature(attempt.cliqueKey);
        const attemptSpec: JobSpec =
          presignatureId === null || spec.request === undefined
            ? spec
            : { ...spec, request: { ...spec.request, presignatureId } };
        const o = await dispatch(
          attemptSpec,
          schema,
          members,
          attempt.sessionId,
          attempt.cliqueKey,
        );
        if (o.status === 'done')
          return {
            ok: true,
            output: o.output,
            cliqueKey: attempt.cliqueKey,
            sessionId: attempt.sessionId,
          };
        if (
          o.status === 'refused' &&
          o.check === 'presignature' &&
          presignatureId !== null &&
          attempts.length < options.maxAttempts
        ) {
          // A member no longer holds the pooled presignature (restored from a backup, say). It is
          // spent either way (the others may have consumed theirs already, and the pool never
          // hands it out again). The refusal came before any protocol message and is not one of
          // the transaction, so the same clique signs again, in a fresh session and without a
          // pooled presignature (presign and sign in one job).
          withoutPool.add(attempt.cliqueKey);
          await opts.hooks?.onRetry?.(describeOutcome(o));
          outcome = {
            clique: outcome.clique,
            next: { ...attempt, sessionId: newSessionId(), startedAt: now() },
          };
          continue;
        }
        if (o.status === 'refused')
          return { ok: false, kind: 'REFUSED', reason: describeOutcome(o) };
        let failure: SessionFailure;
        if (o.status === 'failed' && o.kind === 'aborted') {
          if (o.culprits.length === 0)
            return {
              ok: false,
              kind: 'FAILED',
              reason: `${describeOutcome(o)}; no culprit named, not retried`,
            };
          const culprits: Culprit[] = o.culprits.map((party) => ({
            party,
            reason: o.reason,
            // The reporter's evidence (message ids), kept with the quarantine record.
            evidence: [...o.evidence],
          }));
          failure = { kind: 'ABORT', sessionId: attempt.sessionId, culprits };
        } else if (o.status === 'failed' && o.kind === 'bug') {
          return { ok: false, kind: 'FAILED', reason: describeOutcome(o) };
        } else {
          const missing = o.status === 'failed' ? [] : o.missing;
          failure = { kind: 'TIMEOUT', sessionId: attempt.sessionId, missing };
        }
        let next;
        try {
          next = failover({
            schema,
            health: health(schema),
            quarantine,
            attempts,
            failure,
            newSessionId: newSessionId(),
            at: now(),
            maxAttempts: options.maxAttempts,
            ...primary,
          });
        } catch (e) {
          if (e instanceof FailoverError)
            return { ok: false, kind: 'FAILED', reason: `${describeOutcome(o)}; ${e.message}` };
          throw e;
        }
        for (const [id, h] of Object.entries(next.health))
          if (h.lastFailureAt !== undefined) lastFailure.set(id, h.lastFailureAt);
        quarantine = next.quarantine;
        await saveQuarantine(spec.workspaceId, quarantine);
        if (next.outcome.next !== null) await opts.hooks?.onRetry?.(describeOutcome(o));
        else
          return {
            ok: false,
            kind: 'FAILED',
            reason: `${describeOutcome(o)}; no further attempt: ${next.outcome.reason}`,
          };
        outcome = next.outcome;
      }
    },

    cliqueParties,
  };
}

export type Coordinator = ReturnType<typeof createCoordinator>;
