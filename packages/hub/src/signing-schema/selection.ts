/**
 * Clique enumeration and selection by health (SYSTEM.md "Roles, sets and cliques": "the hub
 * health-checks co-signers, picks a clique for each request"; "Main flows" step 4: "the hub picks
 * a clique including the designated signer's co-signer").
 *
 * Selection is deterministic: among cliques whose members are all online and not quarantined
 * (and, when the policy designated a signer, whose primary is that signer's co-signer), prefer the
 * clique whose most recent failure is oldest, then one with a ready presignature, then schema
 * order. Determinism keeps the hub's choices reproducible from its stored state.
 */
import type { Clique, SchemaMember, SigningSchema } from './clique.ts';
import { cliqueKey } from './clique.ts';
import type { QuarantineState } from './quarantine.ts';
import { isQuarantined } from './quarantine.ts';

/** What the registry knows about one co-signer (heartbeats, failures). */
export interface CosignerHealth {
  readonly online: boolean;
  /** Unix ms of the last session this co-signer timed out or aborted in, if any. */
  readonly lastFailureAt?: number;
}

/** By co-signer id; a co-signer without an entry counts as offline. */
export type HealthTable = Readonly<Record<string, CosignerHealth>>;

/** Every clique of the schema, in schema order (primaries, then set 1's guards, …). */
export function enumerateCliques(schema: SigningSchema): readonly Clique[] {
  return Object.freeze(
    cliquesOf(
      schema.primaries,
      schema.sets.map((s) => s.guards),
    ),
  );
}

export function countCliques(schema: SigningSchema): number {
  return schema.sets.reduce((n, s) => n * s.guards.length, schema.primaries.length);
}

function cliquesOf(
  primaries: readonly SchemaMember[],
  sets: readonly (readonly SchemaMember[])[],
): Clique[] {
  let partial: SchemaMember[][] = [[]];
  for (const guards of sets) partial = partial.flatMap((acc) => guards.map((g) => [...acc, g]));
  return primaries.flatMap((primary) =>
    partial.map((guards) => Object.freeze({ primary, guards: Object.freeze(guards) })),
  );
}

export interface SelectionOptions {
  readonly health: HealthTable;
  readonly quarantine: QuarantineState;
  /** The co-signer of the policy's designated signer: the clique's primary must be this one. */
  readonly primaryCosignerId?: string;
  /** Keys ({@link cliqueKey}) of cliques not to pick (e.g. already tried for this transaction). */
  readonly exclude?: ReadonlySet<string>;
  /** Ready presignatures by clique key; a tie-break after health. */
  readonly presignaturesReady?: Readonly<Record<string, number>>;
}

export type SelectionFailure =
  'DESIGNATED_PRIMARY_NOT_IN_SCHEMA' | 'DESIGNATED_PRIMARY_UNAVAILABLE' | 'NO_AVAILABLE_CLIQUE';

export type Selection =
  | { readonly ok: true; readonly clique: Clique; readonly key: string }
  | {
      readonly ok: false;
      readonly reason: SelectionFailure;
      /** Co-signers of the schema that are offline or quarantined, sorted. */
      readonly unavailable: readonly string[];
    };

/** Online and not quarantined. */
export function isAvailable(
  cosignerId: string,
  health: HealthTable,
  quarantine: QuarantineState,
): boolean {
  return health[cosignerId]?.online === true && !isQuarantined(quarantine, cosignerId);
}

/** Most recent failure among the clique's members (-Infinity if none ever failed). */
function lastFailure(clique: Clique, health: HealthTable): number {
  return Math.max(
    -Infinity,
    ...[clique.primary, ...clique.guards].map(
      (m) => health[m.cosignerId]?.lastFailureAt ?? -Infinity,
    ),
  );
}

/** The available cliques, best first. */
export function rankCliques(schema: SigningSchema, opts: SelectionOptions): readonly Clique[] {
  const ok = (m: SchemaMember): boolean => isAvailable(m.cosignerId, opts.health, opts.quarantine);
  const primaries = schema.primaries.filter(
    (p) =>
      ok(p) && (opts.primaryCosignerId === undefined || p.cosignerId === opts.primaryCosignerId),
  );
  const candidates = cliquesOf(
    primaries,
    schema.sets.map((s) => s.guards.filter(ok)),
  ).filter((c) => !(opts.exclude?.has(cliqueKey(c)) ?? false));
  const ready = (c: Clique): number => ((opts.presignaturesReady?.[cliqueKey(c)] ?? 0) > 0 ? 1 : 0);
  // Stable sort keeps schema order as the last tie-break.
  return Object.freeze(
    candidates
      .map((c) => ({ c, failed: lastFailure(c, opts.health), ready: ready(c) }))
      .sort((a, b) => (a.failed !== b.failed ? a.failed - b.failed : b.ready - a.ready))
      .map((x) => x.c),
  );
}

/** Picks the best available clique, or says why none can sign. */
export function selectClique(schema: SigningSchema, opts: SelectionOptions): Selection {
  const all = [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)];
  const unavailable = Object.freeze(
    all
      .filter((m) => !isAvailable(m.cosignerId, opts.health, opts.quarantine))
      .map((m) => m.cosignerId)
      .sort(),
  );
  const fail = (reason: SelectionFailure): Selection =>
    Object.freeze({ ok: false as const, reason, unavailable });
  if (opts.primaryCosignerId !== undefined) {
    if (!schema.primaries.some((p) => p.cosignerId === opts.primaryCosignerId))
      return fail('DESIGNATED_PRIMARY_NOT_IN_SCHEMA');
    if (!isAvailable(opts.primaryCosignerId, opts.health, opts.quarantine))
      return fail('DESIGNATED_PRIMARY_UNAVAILABLE');
  }
  const best = rankCliques(schema, opts)[0];
  if (best === undefined) return fail('NO_AVAILABLE_CLIQUE');
  return Object.freeze({ ok: true as const, clique: best, key: cliqueKey(best) });
}
