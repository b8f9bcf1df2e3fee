/**
 * Presignature pool bookkeeping and background refill per clique (issue 7 "Orchestration": "a
 * presignature pool per clique, with a target size and refill in the background"). CGGMP21
 * presignatures are bound to the party set that made them, so a pool is per (key, clique). The
 * co-signers hold the presignatures and consume each at most once (their one-time store); the
 * hub only counts: `generating` while a presign job runs, `ready` after it succeeded, one fewer
 * after a signature on that clique. signing-schema/presignature-pool.ts plans what to refill and
 * which pools to discard (clique gone from the schema, or a member quarantined).
 */
import type { HubContext } from '../context.ts';
import { planPresignatureRefill } from '../signing-schema/index.ts';
import type { RefillPolicy } from '../signing-schema/index.ts';
import { cliqueKey, enumerateCliques } from '../signing-schema/index.ts';
import type { Coordinator } from './coordinator.ts';
import './tables.ts';

export const DEFAULT_REFILL_POLICY: RefillPolicy = Object.freeze({
  targetSize: 4,
  maxPooledCliques: 2,
  maxBatch: 2,
});

/** Only CGGMP21 (ECDSA) signs from presignatures; FROST nonces are per signature. */
const POOLED_ALGORITHMS = ['ecdsa-secp256k1'] as const;

export function createPresignaturePools(
  ctx: Pick<HubContext, 'db'>,
  coordinator: Coordinator,
  policy: RefillPolicy = DEFAULT_REFILL_POLICY,
) {
  const { db } = ctx;
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
      if (plan.discard.length > 0)
        await db
          .deleteFrom('presignature_pools')
          .where('key_id', '=', k.id)
          .where('clique_key', 'in', plan.discard)
          .execute();
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
          jobs.push(
            coordinator
              .runOnClique(
                { workspaceId, kind: 'presign', algorithm: 'ecdsa-secp256k1', keyId: k.id },
                schema,
                clique,
              )
              .then((o) => bump(k.id, job.cliqueKey, o.status === 'done' ? 1 : 0, -1))
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

    /** A signature on `clique` used one presignature, if the pool had one. */
    async consume(keyId: string, key: string): Promise<boolean> {
      const r = await db
        .updateTable('presignature_pools')
        .set((eb) => ({ ready: eb('ready', '-', 1) }))
        .where('key_id', '=', keyId)
        .where('clique_key', '=', key)
        .where('ready', '>', 0)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
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
