/**
 * Recovery of signing work a hub process left behind (issue 7 "Orchestration": session
 * time-outs; the relay keeps running jobs in memory only). A hub that stops without a clean
 * shutdown leaves `jobs` rows RUNNING, vaults CREATING and transactions QUEUED or
 * PENDING_SIGNATURE that no process drives any more. The sweep, run at start and then
 * periodically by `hub start` (and on demand by tests, with the injected clock):
 *  1. closes RUNNING attempts this process does not run (all of them at start; later only those
 *     older than the job time-out plus a margin) as FAILED with the reason;
 *  2. fails vaults whose DKG was such an attempt, or that were CREATING before this process
 *     started (their DKG died with the previous process); presignature pools stop counting the
 *     presign jobs that died (at start: none is generating; later: one less per closed job);
 *  3. resumes the orphaned transactions: PENDING_SIGNATURE → QUEUED (REQUEUE, with the reason),
 *     then a new attempt with a fresh session id through the usual failover;
 *  4. times out transactions whose approval deadline passed (PENDING_AUTHORIZATION → TIMEOUT).
 * Sweeps never overlap; each step is a conditional update, so racing a live attempt is safe.
 */
import type { HubContext } from '../context.ts';
import type { Relay } from './relay.ts';
import type { TransactionService } from '../transactions/service.ts';
import './tables.ts';

export const RESTART_REASON = 'hub restarted';

export interface RecoveryOptions {
  /** How long one attempt may run (the coordinator's job time-out). */
  readonly jobTimeoutMs: number;
  /** Extra wait before a periodic sweep calls an attempt or a transaction orphaned. */
  readonly marginMs: number;
}

export interface SweepResult {
  /** Attempts closed as FAILED. */
  readonly jobs: number;
  /** Vaults failed because their DKG was lost. */
  readonly vaults: number;
  /** Presign jobs no longer counted as generating in their pool. */
  readonly presigns: number;
  /** Transactions given a new attempt. */
  readonly resumed: readonly string[];
  /** Transactions timed out waiting for approvals. */
  readonly approvalTimeouts: number;
}

export function createRecovery(
  ctx: HubContext,
  deps: { readonly relay: Relay; readonly transactions: TransactionService },
  opts: RecoveryOptions,
) {
  const { db, now } = ctx;
  const startedAt = now();
  let running: Promise<SweepResult> | null = null;

  async function closeJobs(
    startup: boolean,
  ): Promise<{ n: number; keys: Set<string>; presigns: { key: string; clique: string }[] }> {
    const live = new Set(deps.relay.runningJobs());
    let q = db
      .selectFrom('jobs')
      .select(['id', 'kind', 'key_id', 'session_id', 'clique_key'])
      .where('status', '=', 'RUNNING');
    if (!startup) q = q.where('created_at', '<=', now() - opts.jobTimeoutMs - opts.marginMs);
    const rows = (await q.execute()).filter((r) => !live.has(r.id));
    const keys = new Set<string>();
    const presigns: { key: string; clique: string }[] = [];
    let n = 0;
    for (const r of rows) {
      const why = startup
        ? `${RESTART_REASON}: session ${r.session_id} was left running by the previous hub process`
        : `no hub process runs session ${r.session_id} any more (orphaned)`;
      const u = await db
        .updateTable('jobs')
        .set({ status: 'FAILED', error: why, finished_at: now() })
        .where('id', '=', r.id)
        .where('status', '=', 'RUNNING')
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue;
      n++;
      if ((r.kind === 'keygen' || r.kind === 'aux-info') && r.key_id !== null) keys.add(r.key_id);
      if (r.kind === 'presign' && r.key_id !== null)
        presigns.push({ key: r.key_id, clique: r.clique_key });
    }
    return { n, keys, presigns };
  }

  /** Pools count presign jobs in flight; those of a dead process never end by themselves. */
  async function releasePresigns(
    startup: boolean,
    closed: readonly { key: string; clique: string }[],
  ): Promise<number> {
    if (startup) {
      const stuck = await db
        .selectFrom('presignature_pools')
        .select((eb) => eb.fn.sum<number>('generating').as('n'))
        .executeTakeFirst();
      await db
        .updateTable('presignature_pools')
        .set({ generating: 0 })
        .where('generating', '>', 0)
        .execute();
      return Number(stuck?.n ?? 0);
    }
    for (const c of closed)
      await db
        .updateTable('presignature_pools')
        .set((eb) => ({ generating: eb('generating', '-', 1) }))
        .where('key_id', '=', c.key)
        .where('clique_key', '=', c.clique)
        .where('generating', '>', 0)
        .execute();
    return closed.length;
  }

  async function failVaults(keys: Set<string>): Promise<number> {
    const creating = await db
      .selectFrom('vault_keys')
      .select(['id', 'created_at'])
      .where('status', '=', 'CREATING')
      .execute();
    let n = 0;
    for (const k of creating) {
      if (!keys.has(k.id) && k.created_at >= startedAt) continue;
      const u = await db
        .updateTable('vault_keys')
        .set({ status: 'FAILED' })
        .where('id', '=', k.id)
        .where('status', '=', 'CREATING')
        .executeTakeFirst();
      n += Number(u.numUpdatedRows);
    }
    return n;
  }

  async function sweepOnce(startup: boolean): Promise<SweepResult> {
    const { n: jobs, keys, presigns: lost } = await closeJobs(startup);
    const vaults = await failVaults(keys);
    const presigns = await releasePresigns(startup, lost);
    const resumed = await deps.transactions.resumeOrphans(
      startup ? 0 : opts.jobTimeoutMs + opts.marginMs,
      startup
        ? `${RESTART_REASON}: the attempt was lost; failing over with a fresh session`
        : 'no hub process drives this signing any more; failing over with a fresh session',
    );
    const approvalTimeouts = await deps.transactions.sweepApprovalTimeouts();
    return { jobs, vaults, presigns, resumed, approvalTimeouts };
  }

  return {
    /** One sweep; `startup`: everything RUNNING belongs to a previous process. */
    sweep(o: { readonly startup?: boolean } = {}): Promise<SweepResult> {
      const prev = running ?? Promise.resolve(null);
      const next = prev.then(() => sweepOnce(o.startup === true));
      running = next.finally(() => {
        if (running === next) running = null;
      }) as Promise<SweepResult>;
      return next;
    },
  };
}

export type Recovery = ReturnType<typeof createRecovery>;
