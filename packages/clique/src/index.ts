/**
 * The signing schema and the clique rule (SYSTEM.md "Roles, sets and cliques (Hosted MPC)";
 * seed 003 "Sets and Cliques Explained"):
 *  - a workspace's co-signers have a role: **primary** (an API co-signer paired with API users, or
 *    a human's device) or **guard**; guards are grouped in **sets**;
 *  - a **clique** is a group that may sign: exactly one primary and exactly one guard from each
 *    set, so two guards of the same set are never in one clique;
 *  - keys are t-of-n over all co-signers of the schema, and a clique has exactly t members.
 *
 * The hub (which picks cliques) and every co-signer (which refuses a session whose participants do
 * not form a valid clique, "so the rule holds even if the hub is wrong") run this same code. It has
 * no dependency at all, which is why the hub may import it (docs/ARCHITECTURE.md). Keep it that way.
 */

/** One co-signer in the schema: its registry id and its party index in the key's committee. */
export interface SchemaMember {
  readonly cosignerId: string;
  /** Party id (1..1024) of this co-signer in the threshold key, as in protocol envelopes. */
  readonly party: number;
}

export interface GuardSet {
  readonly name: string;
  readonly guards: readonly SchemaMember[];
}

export interface SigningSchema {
  /** Increases on every change; a clique is always checked against one version. */
  readonly version: number;
  /** Signers per session: 1 primary + 1 guard per set. */
  readonly threshold: number;
  readonly primaries: readonly SchemaMember[];
  readonly sets: readonly GuardSet[];
}

/** A clique as the hub picks it: the primary and one guard per set, in set order. */
export interface Clique {
  readonly primary: SchemaMember;
  readonly guards: readonly SchemaMember[];
}

export const MAX_PARTY = 1024;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** An invalid signing schema; names the field. */
export class SigningSchemaError extends Error {
  override readonly name = 'SigningSchemaError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function onlyKeys(x: Record<string, unknown>, keys: readonly string[], field: string): void {
  for (const k of Object.keys(x))
    if (!keys.includes(k)) throw new SigningSchemaError(`${field}.${k}`, 'unknown field');
}

function member(x: unknown, field: string): SchemaMember {
  if (!isRecord(x)) throw new SigningSchemaError(field, 'expected an object');
  onlyKeys(x, ['cosignerId', 'party'], field);
  const { cosignerId, party } = x;
  if (typeof cosignerId !== 'string' || !ID_PATTERN.test(cosignerId))
    throw new SigningSchemaError(`${field}.cosignerId`, 'expected an id of 1-128 [A-Za-z0-9._:-]');
  if (typeof party !== 'number' || !Number.isSafeInteger(party) || party < 1 || party > MAX_PARTY)
    throw new SigningSchemaError(`${field}.party`, `expected an integer in 1..${MAX_PARTY}`);
  return Object.freeze({ cosignerId, party });
}

/**
 * Validates untrusted data into a frozen {@link SigningSchema}: at least one primary and one set,
 * no empty set, unique set names, every co-signer id and party index used once, and
 * threshold = 1 + number of sets (a clique is exactly the signing quorum).
 */
export function validateSigningSchema(input: unknown): SigningSchema {
  if (!isRecord(input)) throw new SigningSchemaError('schema', 'expected an object');
  onlyKeys(input, ['version', 'threshold', 'primaries', 'sets'], 'schema');
  const { version, threshold, primaries, sets } = input;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    throw new SigningSchemaError('version', 'expected a positive integer');
  if (!Array.isArray(primaries) || primaries.length === 0)
    throw new SigningSchemaError('primaries', 'expected at least one primary');
  if (!Array.isArray(sets) || sets.length === 0)
    throw new SigningSchemaError('sets', 'expected at least one guard set');

  const seenIds = new Set<string>();
  const seenParties = new Set<number>();
  const register = (m: SchemaMember, field: string): SchemaMember => {
    if (seenIds.has(m.cosignerId))
      throw new SigningSchemaError(
        `${field}.cosignerId`,
        `co-signer ${m.cosignerId} appears twice`,
      );
    if (seenParties.has(m.party))
      throw new SigningSchemaError(`${field}.party`, `party ${m.party} appears twice`);
    seenIds.add(m.cosignerId);
    seenParties.add(m.party);
    return m;
  };

  const ps = primaries.map((p, i) => register(member(p, `primaries[${i}]`), `primaries[${i}]`));
  const setNames = new Set<string>();
  const gs = sets.map((s, i): GuardSet => {
    const field = `sets[${i}]`;
    if (!isRecord(s)) throw new SigningSchemaError(field, 'expected an object');
    onlyKeys(s, ['name', 'guards'], field);
    if (typeof s.name !== 'string' || !ID_PATTERN.test(s.name))
      throw new SigningSchemaError(`${field}.name`, 'expected a name of 1-128 [A-Za-z0-9._:-]');
    if (setNames.has(s.name))
      throw new SigningSchemaError(`${field}.name`, `set ${s.name} appears twice`);
    setNames.add(s.name);
    if (!Array.isArray(s.guards) || s.guards.length === 0)
      throw new SigningSchemaError(`${field}.guards`, 'expected at least one guard');
    const guards = s.guards.map((g, j) =>
      register(member(g, `${field}.guards[${j}]`), `${field}.guards[${j}]`),
    );
    return Object.freeze({ name: s.name, guards: Object.freeze(guards) });
  });
  if (typeof threshold !== 'number' || threshold !== 1 + gs.length)
    throw new SigningSchemaError(
      'threshold',
      `expected ${1 + gs.length} (one primary and one guard from each of ${gs.length} sets)`,
    );
  return Object.freeze({
    version,
    threshold,
    primaries: Object.freeze(ps),
    sets: Object.freeze(gs),
  });
}

/** Why a group of participants is not a valid clique. */
export type CliqueProblem =
  | 'NOT_A_LIST'
  | 'UNKNOWN_PARTY'
  | 'DUPLICATE_PARTY'
  | 'NO_PRIMARY'
  | 'TWO_PRIMARIES'
  | 'TWO_FROM_SET'
  | 'SET_MISSING';

export type CliqueCheck =
  | { readonly valid: true }
  | { readonly valid: false; readonly problem: CliqueProblem; readonly detail: string };

/**
 * Checks that the session's participants (party ids, as in the envelopes) are exactly one primary
 * and one guard from each set of `schema`. `schema` must come from {@link validateSigningSchema}.
 * With every party known and distinct, "one primary and one guard per set" also fixes the size at
 * the threshold, so no separate size check is needed.
 */
export function checkClique(schema: SigningSchema, participants: readonly unknown[]): CliqueCheck {
  const fail = (problem: CliqueProblem, detail: string): CliqueCheck =>
    Object.freeze({ valid: false as const, problem, detail });
  if (!Array.isArray(participants)) return fail('NOT_A_LIST', 'participants: expected a list');
  // Role of each party: null for a primary, else the index of its set.
  const roleOf = new Map<number, number | null>();
  for (const p of schema.primaries) roleOf.set(p.party, null);
  schema.sets.forEach((s, i) => s.guards.forEach((g) => roleOf.set(g.party, i)));

  const seen = new Set<number>();
  let primaries = 0;
  const perSet = new Array<number>(schema.sets.length).fill(0);
  for (const p of participants) {
    const role = typeof p === 'number' ? roleOf.get(p) : undefined;
    if (role === undefined) return fail('UNKNOWN_PARTY', `party ${String(p)} is not in the schema`);
    const party = p as number;
    if (seen.has(party)) return fail('DUPLICATE_PARTY', `party ${party} appears twice`);
    seen.add(party);
    if (role === null) primaries++;
    else perSet[role] = (perSet[role] ?? 0) + 1;
  }
  if (primaries === 0) return fail('NO_PRIMARY', 'no primary');
  if (primaries > 1) return fail('TWO_PRIMARIES', `${primaries} primaries`);
  const twice = perSet.findIndex((n) => n > 1);
  if (twice >= 0)
    return fail('TWO_FROM_SET', `several guards from set ${schema.sets[twice]?.name ?? ''}`);
  const missing = perSet.findIndex((n) => n === 0);
  if (missing >= 0)
    return fail('SET_MISSING', `no guard from set ${schema.sets[missing]?.name ?? ''}`);
  return Object.freeze({ valid: true as const });
}

/** The co-signer's check before it joins a session: true iff `participants` form a clique. */
export function isValidClique(schema: SigningSchema, participants: readonly unknown[]): boolean {
  return checkClique(schema, participants).valid;
}

/** The party ids of a clique, sorted (the session's participant list). */
export function cliqueParties(clique: Clique): readonly number[] {
  return Object.freeze(
    [clique.primary.party, ...clique.guards.map((g) => g.party)].sort((a, b) => a - b),
  );
}

/** A stable key for a clique: its co-signer ids in role order, e.g. "p1|g1a|g2b". */
export function cliqueKey(clique: Clique): string {
  return [clique.primary.cosignerId, ...clique.guards.map((g) => g.cosignerId)].join('|');
}
