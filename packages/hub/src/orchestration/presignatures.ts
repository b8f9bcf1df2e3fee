/**
 * Presignature pool bookkeeping and background refill per clique (issue 7 "Orchestration": "a
 * presignature pool per clique, with a target size and refill in the background"; issue 6 item 8).
 * CGGMP21 presignatures are bound to the party set that made them, so a pool is per (key, clique).
 * The co-signers hold the presignatures, under the presign job's jobId, and consume each at most
 * once (their one-time store). The hub records each one (`presignatures`, migration
 * 0004_presignatures) and hands it to at most one sign job: `take` marks it TAKEN in a committed
 * transaction before the sign job that names it (`request.presignatureId`) is sent, so a failed or
 * retried attempt never gets it again. The pool row counts `generating` (presign jobs running) and
 * `ready` (READY rows). signing-schema/presignature-pool.ts plans what to refill and which pools
 * to discard (clique gone from the schema, or a member quarantined); a discarded pool's READY
 * presignatures become DROPPED.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import type { HubContext } from '../context.ts';
import { planPresignatureRefill } from '../signing-schema/index.ts';
import type { RefillPolicy } from '../signing-schema/index.ts';
import { cliqueKey, enumerateCliques } from '../signing-schema/index.ts';
import type { Coordinator } from './coordinator.ts';
import './tables.ts';

export interface PresignaturesTable {
  /** The presign job's jobId: what the co-signers stored it under, and a sign job names. */
  id: string;
  workspace_id: string;
  key_id: string;
  clique_key: string;
  status: 'READY' | 'TAKEN' | 'DROPPED';
  created_at: number;
  taken_at: number | null;
  /** The transaction whose sign job was given it. */
  taken_by: string | null;
}

declare module '../storage/schema.ts' {
  interface HubDatabase {
    presignatures: PresignaturesTable;
  }
}

export const presignaturesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('presignatures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('clique_key', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('taken_at', 'bigint')
      .addColumn('taken_by', 'text')
      .execute();
    await db.schema
      .createIndex('presignatures_pool')
      .on('presignatures')
      .columns(['key_id', 'clique_key', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('presignatures').execute();
  },
};

export const DEFAULT_REFILL_POLICY: RefillPolicy = Object.freeze({
  targetSize: 4,
  maxPooledCliques: 2,
  maxBatch: 2,
});

/** Only CGGMP21 (ECDSA) signs from presignatures; FROST nonces are per signature. */
const POOLED_ALGORITHMS = ['ecdsa-secp256k1'] as const;

export function createPresignaturePools(
  ctx: Pick<HubContext, 'db' | 'now'>,
  coordinator: Coordinator,
  policy: RefillPolicy = DEFAULT_REFILL_POLICY,
) {
  const { db, now } = ctx;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  async function bump(keyId: string, key: string, ready: number, generating: number) {
    await db
      .updateTable('presignature_pools')
      .set((eb) => ({
        ready: eb('ready', '+', ready),
        generating: eb('generating', '+', generating),
      }))
      .where('key_id', '=', keyId)
      .where('clique_key', '=', key)
      .execute();
  }

  /** A presign job succeeded: its presignature is READY under its jobId. */
  async function ready(workspaceId: string, keyId: string, key: string, jobId: string) {
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('presignatures')
        .values({
          id: jobId,
          workspace_id: workspaceId,
          key_id: keyId,
          clique_key: key,
          status: 'READY',
          created_at: now(),
          taken_at: null,
          taken_by: null,
        })
        .execute();
      await tx
        .updateTable('presignature_pools')
        .set((eb) => ({ ready: eb('ready', '+', 1), generating: eb('generating', '-', 1) }))
        .where('key_id', '=', keyId)
        .where('clique_key', '=', key)
        .execute();
    });
  }

  async function refillWorkspace(workspaceId: string): Promise<number> {
    const schema = await coordinator.schemaOf(workspaceId);
    if (schema === null) return 0;
    const keys = await db
      .selectFrom('vault_keys')
      .select(['id', 'algorithm'])
      .where('workspace_id', '=', workspaceId)
      .where('status', '=', 'ACTIVE')
      .where('algorithm', 'in', POOLED_ALGORITHMS)
      .execute();
    const cliques = new Map(enumerateCliques(schema).map((c) => [cliqueKey(c), c]));
    const quarantine = await coordinator.quarantineOf(workspaceId);
    let started = 0;
    const jobs: Promise<void>[] = [];
    for (const k of keys) {
      const pools = await db
        .selectFrom('presignature_pools')
        .selectAll()
        .where('key_id', '=', k.id)
        .execute();
      const plan = planPresignatureRefill(
        schema,
        {
          pools: pools.map((p) => ({
            cliqueKey: p.clique_key,
            ready: p.ready,
            generating: p.generating,
          })),
          health: coordinator.health(schema),
          quarantine,
        },
        policy,
      );
      if (plan.discard.length > 0) {
        await db
          .deleteFrom('presignature_pools')
          .where('key_id', '=', k.id)
          .where('clique_key', 'in', plan.discard)
          .execute();
        await db
          .updateTable('presignatures')
          .set({ status: 'DROPPED' })
          .where('key_id', '=', k.id)
          .where('clique_key', 'in', plan.discard)
          .where('status', '=', 'READY')
          .execute();
      }
      for (const job of plan.refill) {
        const clique = cliques.get(job.cliqueKey);
        if (clique === undefined) continue;
        if (!pools.some((p) => p.clique_key === job.cliqueKey))
          await db
            .insertInto('presignature_pools')
            .values({
              key_id: k.id,
              clique_key: job.cliqueKey,
              workspace_id: workspaceId,
              ready: 0,
              generating: 0,
            })
            .execute();
        await bump(k.id, job.cliqueKey, 0, job.count);
        for (let i = 0; i < job.count; i++) {
          started++;
          const jobId = randomUUID();
          jobs.push(
            coordinator
              .runOnClique(
                { workspaceId, kind: 'presign', algorithm: 'ecdsa-secp256k1', keyId: k.id },
                schema,
                clique,
                jobId,
              )
              .then((o) =>
                o.status === 'done'
                  ? ready(workspaceId, k.id, job.cliqueKey, jobId)
                  : bump(k.id, job.cliqueKey, 0, -1),
              )
              .catch(() => bump(k.id, job.cliqueKey, 0, -1)),
          );
        }
      }
    }
    await Promise.all(jobs);
    return started;
  }

  return {
    /** One planning round for every workspace; resolves when its presign jobs ended. */
    async refill(): Promise<number> {
      const ws = await db.selectFrom('signing_schemas').select('workspace_id').distinct().execute();
      let n = 0;
      for (const w of ws) n += await refillWorkspace(w.workspace_id);
      return n;
    },

    async levels(keyId: string) {
      const rows = await db
        .selectFrom('presignature_pools')
        .selectAll()
        .where('key_id', '=', keyId)
        .orderBy('clique_key')
        .execute();
      return rows.map((r) => ({
        cliqueKey: r.clique_key,
        ready: r.ready,
        generating: r.generating,
      }));
    },

    /**
     * Hands out one READY presignature of (key, clique) — the oldest — to the sign job of
     * `transactionId`, or null when the pool has none. Marked TAKEN (and the pool's ready count
     * lowered) in one committed transaction before the caller sends the job; the update is
     * conditional on READY, so two concurrent takers never get the same one.
     */
    async take(keyId: string, key: string, transactionId: string): Promise<string | null> {
      for (;;) {
        const next = await db
          .selectFrom('presignatures')
          .select('id')
          .where('key_id', '=', keyId)
          .where('clique_key', '=', key)
          .where('status', '=', 'READY')
          .orderBy('created_at')
          .orderBy('id')
          .executeTakeFirst();
        if (next === undefined) return null;
        const won = await db.transaction().execute(async (tx) => {
          const r = await tx
            .updateTable('presignatures')
            .set({ status: 'TAKEN', taken_at: now(), taken_by: transactionId })
            .where('id', '=', next.id)
            .where('status', '=', 'READY')
            .executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) return false;
          await tx
            .updateTable('presignature_pools')
            .set((eb) => ({ ready: eb('ready', '-', 1) }))
            .where('key_id', '=', keyId)
            .where('clique_key', '=', key)
            .where('ready', '>', 0)
            .execute();
          return true;
        });
        if (won) return next.id;
      }
    },

    /** Refills every `intervalMs` in the background (one round at a time). */
    start(intervalMs: number): void {
      timer = setInterval(() => {
        if (running !== null) return;
        running = this.refill()
          .then(() => undefined)
          .catch(() => undefined)
          .finally(() => (running = null));
      }, intervalMs);
      timer.unref();
    },

    stop(): void {
      clearInterval(timer);
    },
  };
}

export type PresignaturePools = ReturnType<typeof createPresignaturePools>;
