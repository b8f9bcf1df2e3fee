/**
 * The clique rule, checked by the co-signer itself before it joins a session (SYSTEM.md "Roles,
 * sets and cliques"; the relay contract, "Co-signer obligations"): every co-signer refuses a
 * session whose participants are not one primary and one guard from each set, so the rule holds
 * even if the hub is wrong. The rule itself is @quorate/clique, the same code the hub runs; this
 * file turns a job's participants into a schema and checks them.
 */
import type { Participant } from './job.ts';

export {
  checkClique,
  isValidClique,
  MAX_PARTY,
  SigningSchemaError,
  validateSigningSchema,
} from '@quorate/clique';
export type {
  Clique,
  CliqueCheck,
  CliqueProblem,
  GuardSet,
  SchemaMember,
  SigningSchema,
} from '@quorate/clique';
import type { SigningSchema, CliqueCheck } from '@quorate/clique';
import { checkClique, SigningSchemaError, validateSigningSchema } from '@quorate/clique';

/**
 * The signing schema a committee (keygen, aux-info, refresh: every co-signer of the key) declares:
 * primaries, and guards grouped by set, with threshold = 1 + number of sets.
 */
export function schemaOfCommittee(
  participants: readonly Participant[],
  threshold: number | null,
): SigningSchema {
  const primaries = participants
    .filter((p) => p.role === 'primary')
    .map((p) => ({ cosignerId: p.cosignerId, party: p.partyId }));
  const sets = new Map<string, { cosignerId: string; party: number }[]>();
  for (const p of participants) {
    if (p.role !== 'guard') continue;
    if (p.set === null)
      throw new SigningSchemaError('participants.set', `guard ${p.cosignerId} has no set`);
    const list = sets.get(p.set) ?? [];
    list.push({ cosignerId: p.cosignerId, party: p.partyId });
    sets.set(p.set, list);
  }
  return validateSigningSchema({
    version: 1,
    threshold,
    primaries,
    sets: [...sets.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, guards]) => ({ name, guards })),
  });
}

/**
 * Checks a session's participants against the key's schema: a valid clique, and each party id
 * belongs to the same co-signer as in the schema (the hub cannot move a party to another machine).
 */
export function checkParticipants(
  schema: SigningSchema,
  participants: readonly Participant[],
): CliqueCheck {
  const byParty = new Map<number, string>();
  for (const m of [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)])
    byParty.set(m.party, m.cosignerId);
  for (const p of participants) {
    const expected = byParty.get(p.partyId);
    if (expected !== undefined && expected !== p.cosignerId)
      return Object.freeze({
        valid: false as const,
        problem: 'UNKNOWN_PARTY' as const,
        detail: `party ${p.partyId} belongs to ${expected}, not ${p.cosignerId}`,
      });
  }
  return checkClique(
    schema,
    participants.map((p) => p.partyId),
  );
}
