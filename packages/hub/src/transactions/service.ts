/**
 * The transaction manager (issue 7 "Transactions"; SYSTEM.md "Main flows" 4). A transaction is
 * created SUBMITTED, decided by the policy engine (policy/engine.ts: ALLOW with a designated
 * signer, BLOCK, or REQUIRE_APPROVAL), approved by its approval groups when asked, then signed
 * by a clique whose primary is the designated signer's co-signer (orchestration/coordinator.ts,
 * with failover and quarantine), and COMPLETED once the hub verified the signature under the
 * account's public key. Every status change goes through transactions/state-machine.ts and is a
 * row of `transaction_transitions` with its reason and actor, written with a conditional update
 * on the previous status (two concurrent changes cannot both win), and is sent to the
 * workspace's webhooks.
 */
import type { PagePosition } from './page-cursor.ts';
import { randomUUID } from 'node:crypto';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { Principal } from '../auth/request-token.ts';
import type { ConfigChangeService } from '../config-changes/service.ts';
import type { AllowlistService } from '../allowlists/service.ts';
import {
  ApprovalError,
  PolicyValidationError,
  approvalEvent,
  approvalStatus,
  castVote,
  decisionEvent,
  OPERATION_TYPES,
  evaluatePolicy,
  historyWindowMs,
  startApprovals,
} from '../policy/index.ts';
import type {
  ApprovalRequirement,
  ApprovalState,
  GroupStatus,
  PolicyDecision,
} from '../policy/index.ts';
import { IllegalTransitionError, applyEvent, isTerminal } from './state-machine.ts';
import { toBaseUnits } from './base-units.ts';
import type { TransactionEvent, TransactionStatus, TransitionActor } from './state-machine.ts';
import type { Coordinator } from '../orchestration/coordinator.ts';
import type { PresignaturePools } from '../orchestration/presignatures.ts';
import type { Relay } from '../orchestration/relay.ts';
import type { TransactionsTable } from '../orchestration/tables.ts';
import type { VaultService } from '../vaults/service.ts';
import { deriveAccount, verifySignature } from '../vaults/derivation.ts';
import type { WebhookService } from '../webhooks/service.ts';
import { preparePayload } from './payloads.ts';
import type { Payload } from './payloads.ts';

export interface CreateTransactionInput {
  readonly vaultId: string;
  readonly accountId: string;
  readonly payload: Payload;
  readonly operation?: string | undefined;
  readonly asset?: string | undefined;
  readonly amount?: string | undefined;
  readonly destination?: string | undefined;
  readonly note?: string | undefined;
}

export interface TransitionView {
  readonly from: string;
  readonly to: string;
  readonly event: string;
  readonly reason: string;
  readonly actor: TransitionActor;
  readonly at: number;
}

/** The most transactions one list request returns. */
export const MAX_PAGE = 200;

export interface TransactionView {
  readonly id: string;
  readonly status: string;
  readonly kind: string;
  readonly operation: string;
  readonly vaultId: string;
  readonly accountId: string;
  readonly asset: string | null;
  readonly amount: string | null;
  readonly destination: string | null;
  readonly digest: string;
  readonly note: string | null;
  readonly initiator: { readonly type: 'USER' | 'API_USER'; readonly id: string };
  readonly signer: { readonly type: string; readonly id: string } | null;
  readonly policy: {
    readonly action: string;
    readonly rule: string | null;
    readonly reason: string;
  } | null;
  readonly signature: Record<string, unknown> | null;
  readonly transitions: TransitionView[];
  /** Where the approvals stand, for a transaction whose rule required them (else null). */
  readonly approvals: ApprovalsView | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ApprovalsView {
  readonly outcome: string;
  /** Per approval group (policy/approvals.ts), without its `unreachable` flag. */
  readonly groups: Omit<GroupStatus, 'unreachable'>[];
  readonly votes: { readonly approver: string; readonly vote: string; readonly at: number }[];
}

const COUNTED_STATUSES = [
  'SUBMITTED',
  'PENDING_AUTHORIZATION',
  'QUEUED',
  'PENDING_SIGNATURE',
  'COMPLETED',
];
const HUB: TransitionActor = Object.freeze({ type: 'SYSTEM', id: 'orchestrator' });
const APPROVAL_CLOCK: TransitionActor = Object.freeze({ type: 'SYSTEM', id: 'approval-timeout' });

export function createTransactionService(deps: {
  readonly ctx: HubContext;
  readonly changes: ConfigChangeService;
  readonly allowlists: AllowlistService;
  readonly vaults: VaultService;
  readonly coordinator: Coordinator;
  readonly relay: Relay;
  readonly pools: PresignaturePools;
  readonly webhooks: WebhookService;
}) {
  const { ctx, changes, allowlists, vaults, coordinator, relay, pools, webhooks } = deps;
  const { db, now } = ctx;
  const background = new Set<Promise<unknown>>();
  /** Transactions this process is signing now: the recovery sweep leaves them alone. */
  const signing = new Set<string>();

  function track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => background.delete(q));
    background.add(q);
  }

  async function row(workspaceId: string, id: string): Promise<TransactionsTable> {
    const r = await db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!r) throw new HubError('not_found', 'no such transaction', 'id');
    return r;
  }

  async function view(r: TransactionsTable): Promise<TransactionView> {
    const ts = await db
      .selectFrom('transaction_transitions')
      .selectAll()
      .where('transaction_id', '=', r.id)
      .orderBy('seq')
      .execute();
    const decision =
      r.decision === null
        ? null
        : (JSON.parse(r.decision) as {
            action: string;
            rule: string | null;
            reason: string;
          });
    return {
      id: r.id,
      status: r.status,
      kind: r.kind,
      operation: r.operation,
      vaultId: r.key_id,
      accountId: r.account_id,
      asset: r.asset,
      amount: r.amount,
      destination: r.destination,
      digest: r.digest,
      note: r.note,
      initiator: { type: r.initiator_type, id: r.initiator_id },
      signer:
        r.signer_type === null || r.signer_id === null
          ? null
          : { type: r.signer_type, id: r.signer_id },
      policy: decision,
      signature: r.signature === null ? null : (JSON.parse(r.signature) as Record<string, unknown>),
      transitions: ts.map((t) => ({
        from: t.from_status,
        to: t.to_status,
        event: t.event,
        reason: t.reason,
        actor: { type: t.actor_type as TransitionActor['type'], id: t.actor_id },
        at: t.at,
      })),
      approvals: r.approvals === null ? null : await approvalsView(r),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async function approvalsView(r: TransactionsTable): Promise<ApprovalsView> {
    const state = await approvalState(r);
    const status = approvalStatus(state);
    return {
      outcome: status.outcome,
      groups: status.groups.map((g) => ({
        name: g.name,
        quorum: g.quorum,
        eligible: g.eligible,
        approvals: g.approvals,
        rejections: g.rejections,
        reached: g.reached,
      })),
      votes: state.votes.map((v) => ({ approver: v.approver, vote: v.vote, at: v.at })),
    };
  }

  /** Applies `event` through the state machine; records it; notifies webhooks. */
  async function transition(
    id: string,
    event: TransactionEvent,
    set: Partial<Pick<TransactionsTable, 'signature'>> = {},
  ): Promise<TransactionStatus> {
    const r = await db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const from = r.status as TransactionStatus;
    let to: TransactionStatus;
    try {
      to = applyEvent(from, event, now()).status;
    } catch (e) {
      if (e instanceof IllegalTransitionError)
        throw new HubError('invalid_state', e.message, 'status');
      throw e;
    }
    const at = now();
    const seq = await db.transaction().execute(async (tx) => {
      const u = await tx
        .updateTable('transactions')
        .set({ status: to, updated_at: at, ...set })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1)
        throw new HubError('invalid_state', 'the transaction changed concurrently', 'status');
      const n = await tx
        .selectFrom('transaction_transitions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('transaction_id', '=', id)
        .executeTakeFirstOrThrow();
      const s = Number(n.n) + 1;
      await tx
        .insertInto('transaction_transitions')
        .values({
          transaction_id: id,
          seq: s,
          from_status: from,
          to_status: to,
          event: event.type,
          reason: event.reason,
          actor_type: event.actor.type,
          actor_id: event.actor.id,
          at,
        })
        .execute();
      return s;
    });
    await webhooks.emit(r.workspace_id, 'transaction.status', {
      transactionId: id,
      seq,
      from,
      to,
      event: event.type,
      reason: event.reason,
      at,
    });
    return to;
  }

  async function designatedCosigner(signerId: string): Promise<string | null> {
    const r = await db
      .selectFrom('cosigner_api_users')
      .innerJoin('cosigners', 'cosigners.id', 'cosigner_api_users.cosigner_id')
      .select('cosigners.id')
      .where('cosigner_api_users.api_user_id', '=', signerId)
      .where('cosigners.status', '=', 'active')
      .executeTakeFirst();
    return r?.id ?? null;
  }

  async function sign(id: string): Promise<void> {
    const r = await db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const key = await vaults.keyRow(r.workspace_id, r.key_id);
    const account = await vaults.account(r.workspace_id, r.key_id, r.account_id);
    const cosignerId = r.signer_id === null ? null : await designatedCosigner(r.signer_id);
    if (cosignerId === null) {
      await transition(id, {
        type: 'FAIL',
        reason: `the designated signer ${r.signer_type ?? ''} ${r.signer_id ?? ''} has no paired co-signer`,
        actor: HUB,
      });
      return;
    }
    const res = await coordinator.runWithFailover(
      {
        workspaceId: r.workspace_id,
        kind: 'sign',
        algorithm: key.algorithm,
        keyId: key.id,
        transactionId: id,
        // The co-signers run this API user's callback handlers; the primary must be paired with it.
        apiUserId: r.signer_id,
        request: {
          transactionId: id,
          operation: r.operation,
          asset: r.asset,
          amount: toBaseUnits(r.asset, r.amount),
          destination: r.destination,
          digest: r.digest,
          derivationPath: account.path,
          raw:
            r.raw_kind === null || r.raw_data === null
              ? null
              : { kind: r.raw_kind as 'evm' | 'psbt' | 'solana', data: r.raw_data },
        },
      },
      {
        primaryCosignerId: cosignerId,
        // CGGMP21: each attempt names a pooled presignature of its clique when one is ready
        // (handed out once, before the job is sent); without one the job presigns and signs.
        ...(key.algorithm === 'ecdsa-secp256k1'
          ? { presignature: (clique: string) => pools.take(key.id, clique, id) }
          : {}),
        hooks: {
          onStart: async (a) => {
            await transition(id, {
              type: 'START_SIGNING',
              reason: `session ${a.sessionId} on clique ${a.cliqueKey}`,
              actor: HUB,
            });
          },
          onRetry: async (why) => {
            await transition(id, { type: 'REQUEUE', reason: `${why}; failing over`, actor: HUB });
          },
        },
      },
    );
    if (!res.ok) {
      await transition(id, {
        type: res.kind === 'REFUSED' ? 'REJECT' : 'FAIL',
        reason: res.reason,
        actor: res.kind === 'REFUSED' ? { type: 'COSIGNER', id: 'clique' } : HUB,
      });
      return;
    }
    const signature = res.output.signature;
    const d = deriveAccount(
      key.algorithm,
      key.public_key ?? '',
      key.chain_code ?? '',
      account.path,
    );
    if (
      typeof signature !== 'string' ||
      !verifySignature(key.algorithm, d.verifyingKey, r.digest, signature)
    ) {
      await transition(id, {
        type: 'FAIL',
        reason: `the signature from session ${res.sessionId} does not verify; not retried`,
        actor: HUB,
      });
      return;
    }
    await transition(
      id,
      {
        type: 'COMPLETE',
        reason: `signature verified (session ${res.sessionId}, clique ${res.cliqueKey})`,
        actor: HUB,
      },
      { signature: JSON.stringify(res.output) },
    );
  }

  function startSigning(id: string): void {
    signing.add(id);
    track(
      sign(id)
        .catch(async (e: unknown) => {
          // A cancelled transaction ends the loop with an illegal transition: nothing to do.
          const r = await db
            .selectFrom('transactions')
            .select('status')
            .where('id', '=', id)
            .executeTakeFirst();
          if (r === undefined || isTerminal(r.status as TransactionStatus)) return;
          await transition(id, {
            type: 'FAIL',
            reason: e instanceof HubError ? e.message : 'internal error while signing',
            actor: HUB,
          });
        })
        .finally(() => signing.delete(id)),
    );
  }

  /**
   * When a transaction waiting for approvals times out: its rule's `approvals.timeoutSeconds`,
   * else the hub's setting, counted from when it started waiting (its last transition).
   */
  function approvalDeadline(r: TransactionsTable) {
    if (r.status !== 'PENDING_AUTHORIZATION' || r.approvals === null) return null;
    const req = JSON.parse(r.approvals) as ApprovalRequirement;
    const rule = (JSON.parse(r.decision ?? '{}') as { rule?: string | null }).rule ?? null;
    const ms =
      req.timeoutSeconds === undefined ? ctx.settings.approvalTimeoutMs : req.timeoutSeconds * 1000;
    const source =
      req.timeoutSeconds === undefined
        ? 'the hub setting approvalTimeoutSeconds'
        : `approvals.timeoutSeconds of rule ${rule ?? '?'}`;
    return { at: r.updated_at + ms, seconds: ms / 1000, source };
  }

  /** TIME_OUT if the deadline passed; false if not (or if a vote or cancel came first). */
  async function timeOutIfDue(r: TransactionsTable): Promise<boolean> {
    const d = approvalDeadline(r);
    if (d === null || now() < d.at) return false;
    const votes = await db
      .selectFrom('transaction_votes')
      .select('approver')
      .where('transaction_id', '=', r.id)
      .execute();
    try {
      await transition(r.id, {
        type: 'TIME_OUT',
        reason: `no approval outcome within ${d.seconds} s (${d.source}); ${votes.length} vote(s) cast`,
        actor: APPROVAL_CLOCK,
      });
      return true;
    } catch (e) {
      if (e instanceof HubError && e.code === 'invalid_state') return false;
      throw e;
    }
  }

  async function approvalState(r: TransactionsTable): Promise<ApprovalState> {
    if (r.approvals === null)
      throw new HubError('invalid_state', 'this transaction needs no approval', 'id');
    let state = startApprovals(JSON.parse(r.approvals) as ApprovalRequirement, r.initiator_id);
    const votes = await db
      .selectFrom('transaction_votes')
      .selectAll()
      .where('transaction_id', '=', r.id)
      .orderBy('at')
      .orderBy('approver')
      .execute();
    for (const v of votes)
      state = {
        ...state,
        votes: [...state.votes, { approver: v.approver, vote: v.vote, at: v.at }],
      };
    return state;
  }

  return {
    async create(p: Principal, input: CreateTransactionInput): Promise<TransactionView> {
      const key = await vaults.keyRow(p.workspaceId, input.vaultId).catch(() => {
        throw new HubError('not_found', 'no such vault', 'vaultId');
      });
      if (key.status !== 'ACTIVE')
        throw new HubError('invalid_state', `the vault is ${key.status}`, 'vaultId');
      const account = await vaults.account(p.workspaceId, key.id, input.accountId);
      const prepared = preparePayload(key.algorithm, input.payload);
      const user = await db
        .selectFrom('users')
        .select('kind')
        .where('id', '=', p.id)
        .executeTakeFirstOrThrow();
      const initiatorType = user.kind === 'api' ? 'API_USER' : 'USER';
      const operation = input.operation ?? prepared.defaultOperation;
      if (!(OPERATION_TYPES as readonly string[]).includes(operation))
        throw new HubError(
          'validation_failed',
          `expected one of ${OPERATION_TYPES.join(', ')}`,
          'operation',
        );
      const at = now();
      const r: TransactionsTable = {
        id: randomUUID(),
        workspace_id: p.workspaceId,
        key_id: key.id,
        account_id: account.id,
        kind: input.payload.type,
        operation,
        asset: input.asset ?? null,
        amount: input.amount ?? null,
        destination: input.destination ?? null,
        digest: prepared.digest,
        raw_kind: prepared.raw?.kind ?? null,
        raw_data: prepared.raw?.data ?? null,
        note: input.note ?? null,
        status: 'SUBMITTED',
        initiator_id: p.id,
        initiator_type: initiatorType,
        decision: null,
        signer_type: null,
        signer_id: null,
        approvals: null,
        signature: null,
        destination_allowlists: null,
        created_at: at,
        updated_at: at,
      };
      // The allow-lists holding the destination now; none makes it a one-time address.
      const destinationLists =
        input.destination === undefined
          ? null
          : await allowlists.listsContaining(p.workspaceId, input.destination, input.asset);
      const request = {
        operation,
        initiator: { type: initiatorType, id: p.id, groups: [] },
        source: { vaultId: key.id, accountId: account.id },
        ...(input.destination === undefined
          ? {}
          : { destination: { address: input.destination, allowlists: destinationLists ?? [] } }),
        ...(input.asset === undefined ? {} : { asset: input.asset }),
        ...(input.amount === undefined ? {} : { amount: input.amount }),
      };
      const policy = await changes.currentPolicy(p.workspaceId);
      let decision: PolicyDecision | null = null;
      if (policy !== null) {
        const since = at - historyWindowMs(policy);
        const past =
          historyWindowMs(policy) === 0
            ? []
            : await db
                .selectFrom('transactions')
                .selectAll()
                .where('workspace_id', '=', p.workspaceId)
                .where('created_at', '>', since)
                .where('status', 'in', COUNTED_STATUSES)
                .execute();
        const history = past.map((t) => ({
          operation: t.operation,
          initiator: { type: t.initiator_type, id: t.initiator_id, groups: [] },
          source: { vaultId: t.key_id, accountId: t.account_id },
          ...(t.destination === null
            ? {}
            : {
                destination: {
                  address: t.destination,
                  allowlists:
                    t.destination_allowlists === null
                      ? []
                      : (JSON.parse(t.destination_allowlists) as string[]),
                },
              }),
          ...(t.asset === null ? {} : { asset: t.asset }),
          ...(t.amount === null ? {} : { amount: t.amount }),
          at: t.created_at,
        }));
        try {
          decision = evaluatePolicy(policy, request, { now: at, history });
        } catch (e) {
          if (e instanceof PolicyValidationError)
            throw new HubError(
              'validation_failed',
              e.message,
              e.field.replace(/^request\.?/, '') || 'body',
            );
          throw e;
        }
      }
      const event =
        decision === null
          ? {
              type: 'BLOCK' as const,
              reason: 'no policy in force (default deny)',
              actor: { type: 'SYSTEM' as const, id: 'policy-engine' },
            }
          : decisionEvent(decision);
      const signer = decision !== null && decision.action !== 'BLOCK' ? decision.signer : null;
      const stored = {
        ...r,
        destination_allowlists: destinationLists === null ? null : JSON.stringify(destinationLists),
        decision: JSON.stringify({
          action: decision?.action ?? 'BLOCK',
          rule: decision?.rule?.id ?? null,
          reason: event.reason,
        }),
        signer_type: signer?.type ?? null,
        signer_id: signer?.id ?? null,
        approvals:
          decision?.action === 'REQUIRE_APPROVAL' ? JSON.stringify(decision.approvals) : null,
      };
      await db.insertInto('transactions').values(stored).execute();
      const to = await transition(r.id, event);
      // The answer is the state the decision left, read before signing starts (else it races
      // the signing loop and may say PENDING_SIGNATURE or even COMPLETED).
      const created = await view(await row(p.workspaceId, r.id));
      if (to === 'QUEUED') startSigning(r.id);
      return created;
    },

    async get(workspaceId: string, id: string): Promise<TransactionView> {
      return view(await row(workspaceId, id));
    },

    /** One page, newest first; `next` names where the following (older) page starts, if any. */
    async list(
      workspaceId: string,
      opts: { status?: string; limit?: number; before?: PagePosition } = {},
    ): Promise<{ transactions: TransactionView[]; next: PagePosition | null }> {
      const limit = opts.limit ?? MAX_PAGE;
      let q = db.selectFrom('transactions').selectAll().where('workspace_id', '=', workspaceId);
      if (opts.status !== undefined) q = q.where('status', '=', opts.status);
      const before = opts.before;
      if (before !== undefined)
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAt),
            eb.and([eb('created_at', '=', before.createdAt), eb('id', '>', before.id)]),
          ]),
        );
      // One row more than asked says whether another page follows.
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        transactions: await Promise.all(page.map(view)),
        next:
          rows.length > limit && last !== undefined
            ? { createdAt: last.created_at, id: last.id }
            : null,
      };
    },

    async vote(p: Principal, id: string, vote: 'APPROVE' | 'REJECT'): Promise<TransactionView> {
      const r = await row(p.workspaceId, id);
      if (await timeOutIfDue(r))
        throw new HubError('invalid_state', 'the approval time-out passed: TIMEOUT', 'id');
      if (r.status !== 'PENDING_AUTHORIZATION')
        throw new HubError('invalid_state', `the transaction is ${r.status}`, 'id');
      let state: ApprovalState;
      try {
        state = castVote(await approvalState(r), { approver: p.id, vote, at: now() });
      } catch (e) {
        if (e instanceof ApprovalError) {
          const code =
            e.code === 'NOT_AN_APPROVER' || e.code === 'INITIATOR_CANNOT_APPROVE'
              ? 'forbidden'
              : 'conflict';
          throw new HubError(code, e.message);
        }
        throw e;
      }
      try {
        await db
          .insertInto('transaction_votes')
          .values({ transaction_id: id, approver: p.id, vote, at: now() })
          .execute();
      } catch {
        throw new HubError('conflict', `${p.id} has already voted`);
      }
      const event = approvalEvent(approvalStatus(state));
      const to = event === null ? null : await transition(id, event);
      // As in create: the answer is the state this vote left, read before signing starts.
      const voted = await view(await row(p.workspaceId, id));
      if (to === 'QUEUED') startSigning(id);
      return voted;
    },

    async cancel(p: Principal, id: string): Promise<TransactionView> {
      const r = await row(p.workspaceId, id);
      if (r.initiator_id !== p.id && p.role !== 'owner' && p.role !== 'admin')
        throw new HubError('forbidden', 'only the initiator, the owner or an admin may cancel');
      await transition(id, {
        type: 'CANCEL',
        reason: `cancelled by ${p.id}`,
        actor: { type: 'USER', id: p.id },
      });
      const running = await db
        .selectFrom('jobs')
        .select('id')
        .where('transaction_id', '=', id)
        .where('status', '=', 'RUNNING')
        .execute();
      for (const j of running) relay.cancel(j.id, 'transaction cancelled');
      return view(await row(p.workspaceId, id));
    },

    /** Times out every transaction whose approval deadline passed; returns how many. */
    async sweepApprovalTimeouts(): Promise<number> {
      const waiting = await db
        .selectFrom('transactions')
        .selectAll()
        .where('status', '=', 'PENDING_AUTHORIZATION')
        .execute();
      let n = 0;
      for (const r of waiting) if (await timeOutIfDue(r)) n++;
      return n;
    },

    /**
     * Resumes transactions that no process is signing (QUEUED or PENDING_SIGNATURE, not signed
     * by this process, unchanged for `idleMs`): after a restart, their attempts were closed by
     * the recovery sweep (orchestration/recovery.ts). A PENDING_SIGNATURE one goes back to the
     * queue with `reason`; each then starts a new attempt with a fresh session id, through the
     * usual failover (or ends FAILED when no clique can sign). Returns the ids resumed.
     */
    async resumeOrphans(idleMs: number, reason: string): Promise<string[]> {
      const rows = await db
        .selectFrom('transactions')
        .select(['id', 'status'])
        .where('status', 'in', ['QUEUED', 'PENDING_SIGNATURE'])
        .where('updated_at', '<=', now() - idleMs)
        .orderBy('created_at')
        .execute();
      const resumed: string[] = [];
      for (const r of rows) {
        if (signing.has(r.id)) continue;
        try {
          if (r.status === 'PENDING_SIGNATURE')
            await transition(r.id, { type: 'REQUEUE', reason, actor: HUB });
        } catch (e) {
          if (e instanceof HubError && e.code === 'invalid_state') continue;
          throw e;
        }
        startSigning(r.id);
        resumed.push(r.id);
      }
      return resumed;
    },

    /** Resolves when every signing started so far has ended (tests, shutdown). */
    async settle(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}

export type TransactionService = ReturnType<typeof createTransactionService>;
