/**
 * Presignature pool bookkeeping per clique (issue 7 "Orchestration": "a presignature pool per
 * clique, with a target size and refill in the background"). A CGGMP21 presignature is bound to
 * the exact party set that made it, so pools are per clique.
 *
 * Pure planning: given what each pool holds (ready, being generated) and the current health and
 * quarantine, say how many presignatures to generate for which clique, and which pools to drop
 * (a clique that no longer exists in the schema, or that has a quarantined member, can never use
 * them). Consuming a presignature at most once is the store's job (SYSTEM.md "Properties").
 */
import type { SigningSchema } from './clique.ts';
import { cliqueKey, cliqueParties } from './clique.ts';
import type { QuarantineState } from './quarantine.ts';
import { isQuarantined } from './quarantine.ts';
import type { HealthTable } from './selection.ts';
import { enumerateCliques, rankCliques } from './selection.ts';

export interface PoolLevel {
  readonly cliqueKey: string;
  readonly ready: number;
  readonly generating: number;
}

export interface RefillPolicy {
  /** Presignatures each pooled clique should hold. */
  readonly targetSize: number;
  /** How many of the best-ranked available cliques keep a pool (0 disables pooling). */
  readonly maxPooledCliques: number;
  /** Most presignatures to start for one clique in one planning round. */
  readonly maxBatch: number;
}

export interface RefillJob {
  readonly cliqueKey: string;
  readonly parties: readonly number[];
  readonly count: number;
}

export interface RefillPlan {
  /** Largest deficit first, then by clique key. */
  readonly refill: readonly RefillJob[];
  /** Pools whose presignatures can never be used; the store deletes them. */
  readonly discard: readonly string[];
}

export class PoolPlanError extends Error {
  override readonly name = 'PoolPlanError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

function count(x: number, field: string): void {
  if (!Number.isSafeInteger(x) || x < 0)
    throw new PoolPlanError(field, 'expected a non-negative integer');
}

export function planPresignatureRefill(
  schema: SigningSchema,
  state: {
    readonly pools: readonly PoolLevel[];
    readonly health: HealthTable;
    readonly quarantine: QuarantineState;
  },
  policy: RefillPolicy,
): RefillPlan {
  count(policy.targetSize, 'targetSize');
  count(policy.maxPooledCliques, 'maxPooledCliques');
  count(policy.maxBatch, 'maxBatch');
  const levels = new Map<string, PoolLevel>();
  state.pools.forEach((p, i) => {
    count(p.ready, `pools[${i}].ready`);
    count(p.generating, `pools[${i}].generating`);
    if (levels.has(p.cliqueKey))
      throw new PoolPlanError(`pools[${i}].cliqueKey`, `pool ${p.cliqueKey} listed twice`);
    levels.set(p.cliqueKey, p);
  });

  const existing = new Map(enumerateCliques(schema).map((c) => [cliqueKey(c), c]));
  const discard = [...levels.keys()]
    .filter((key) => {
      const c = existing.get(key);
      if (c === undefined) return true;
      return [c.primary, ...c.guards].some((m) => isQuarantined(state.quarantine, m.cosignerId));
    })
    .sort();

  const pooled = rankCliques(schema, { health: state.health, quarantine: state.quarantine }).slice(
    0,
    policy.maxPooledCliques,
  );
  const refill = pooled
    .map((c) => {
      const key = cliqueKey(c);
      const level = levels.get(key);
      const deficit = policy.targetSize - (level?.ready ?? 0) - (level?.generating ?? 0);
      return {
        cliqueKey: key,
        parties: cliqueParties(c),
        count: Math.min(deficit, policy.maxBatch),
      };
    })
    .filter((j) => j.count > 0)
    .sort((a, b) => (a.count !== b.count ? b.count - a.count : a.cliqueKey < b.cliqueKey ? -1 : 1))
    .map((j) => Object.freeze(j));
  return Object.freeze({ refill: Object.freeze(refill), discard: Object.freeze(discard) });
}
