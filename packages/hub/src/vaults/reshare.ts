/**
 * Resharing a vault key to a new committee (issue 9 item 1; docs/recovery.md "Resharing"): the
 * owner or an admin approves a `vault_key.reshare` configuration change naming the new committee
 * (primaries, guard sets with party ids, threshold = 1 + sets); the hub then sends one `reshare`
 * job to the dealers ∪ new co-signers, and only when every participant reported `done` — each
 * co-signer swaps its share only once every new party acknowledged, see the co-signer's
 * lifecycle.ts — or at least the new threshold of new members reported it done before the job
 * ended otherwise (they committed, so the new committee holds the key; the others are named as
 * in doubt) does the hub
 * record the new committee for the key (table `vault_key_committees`, migration
 * `0005_key_committees`). On any other outcome nothing is recorded: the old committee stays the
 * key's, and its shares stay active on the co-signers.
 *
 * Party ids: a co-signer in both committees keeps its party id (its share's x-coordinate);
 * a co-signer joining takes a party id no old member has.
 *
 * Dealers: every old member connected to this hub when the job starts; at least the old threshold
 * of them are needed (any t holders determine the key: the reshare protocol weighs each dealer's
 * share by its Lagrange coefficient over the dealers). So a lost co-signer can be replaced while
 * it is offline, as long as it leaves the committee. A member of the new committee must be online
 * (it receives a new share); an offline one fails the reshare at once, with its name.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { HubDb } from '../storage/database.ts';
import { SigningSchemaError, validateSigningSchema } from '../signing-schema/index.ts';
import type { SigningSchema } from '../signing-schema/index.ts';
import type { JobSigner } from '../orchestration/authorization.ts';
import { newSessionId } from '../orchestration/coordinator.ts';
import { assertPairedCosigner } from '../orchestration/schema-store.ts';
import type { Participant } from '../orchestration/frames.ts';
import { describeOutcome } from '../orchestration/relay.ts';
import type { Relay } from '../orchestration/relay.ts';
import type { VaultKeysTable } from '../orchestration/tables.ts';

export interface VaultKeyCommitteesTable {
  key_id: string;
  version: number;
  /** JSON of the committee (a signing schema) in force for the key from this version on. */
  document: string;
  /** The reshare job that moved the key to it. */
  job_id: string;
  created_at: number;
}

declare module '../storage/schema.ts' {
  interface HubDatabase {
    vault_key_committees: VaultKeyCommitteesTable;
  }
}

export const keyCommitteesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('vault_key_committees')
      .addColumn('key_id', 'text', (c) => c.notNull().references('vault_keys.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('vault_key_committees_pk', ['key_id', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('vault_key_committees').execute();
  },
};

/** The committee recorded by the key's last completed reshare, or null (the workspace's schema). */
export async function keyCommittee(db: HubDb, keyId: string): Promise<SigningSchema | null> {
  const r = await db
    .selectFrom('vault_key_committees')
    .select('document')
    .where('key_id', '=', keyId)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  return r === undefined ? null : validateSigningSchema(JSON.parse(r.document));
}

export interface ReshareProposal {
  readonly threshold: number;
  readonly primaries: readonly { cosignerId: string; party: number }[];
  readonly sets: readonly {
    name: string;
    guards: readonly { cosignerId: string; party: number }[];
  }[];
}

interface Member {
  readonly cosignerId: string;
  readonly party: number;
  readonly role: 'primary' | 'guard';
  readonly set: string | null;
}

function membersOf(s: SigningSchema): Member[] {
  return [
    ...s.primaries.map((m) => ({ ...m, role: 'primary' as const, set: null })),
    ...s.sets.flatMap((g) => g.guards.map((m) => ({ ...m, role: 'guard' as const, set: g.name }))),
  ];
}

export type ReshareResult =
  | {
      readonly ok: true;
      readonly jobId: string;
      readonly committee: SigningSchema;
      /**
       * The job ended without every participant's report, but some reported it done (so it
       * committed there): these co-signers did not report and hold the new share pending, in
       * doubt, under this confirmation digest (quorate cosigner keys resolve --commit).
       */
      readonly inDoubt?: { readonly cosignerIds: readonly string[]; readonly confirmation: string };
    }
  | { readonly ok: false; readonly jobId: string | null; readonly reason: string };

export function createReshareService(
  ctx: HubContext,
  deps: { readonly relay: Relay; readonly jobSigner: JobSigner; readonly jobTimeoutMs?: number },
) {
  const { db, now } = ctx;
  const running = new Set<string>();

  /** The key's committee now: its last reshare's, else the schema version it was created with. */
  async function currentCommittee(key: VaultKeysTable): Promise<SigningSchema> {
    const own = await keyCommittee(db, key.id);
    if (own !== null) return own;
    const r = await db
      .selectFrom('signing_schemas')
      .select('document')
      .where('workspace_id', '=', key.workspace_id)
      .where('version', '=', key.schema_version)
      .executeTakeFirst();
    if (r === undefined)
      throw new HubError('invalid_state', 'the key has no recorded committee', 'id');
    return validateSigningSchema(JSON.parse(r.document));
  }

  /** Validates a proposal against the key and the workspace as they are now. */
  async function check(workspaceId: string, vaultId: string, input: ReshareProposal) {
    const key = await db
      .selectFrom('vault_keys')
      .selectAll()
      .where('id', '=', vaultId)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (key === undefined) throw new HubError('not_found', 'no such vault', 'id');
    if (key.status !== 'ACTIVE' || key.public_key === null)
      throw new HubError('invalid_state', `the vault is ${key.status}`, 'id');
    const old = await currentCommittee(key);
    let next: SigningSchema;
    try {
      next = validateSigningSchema({ ...input, version: old.version + 1 });
    } catch (e) {
      if (e instanceof SigningSchemaError)
        throw new HubError('validation_failed', e.message, `committee.${e.field}`);
      throw e;
    }
    const before = new Map(membersOf(old).map((m) => [m.cosignerId, m.party]));
    const oldParties = new Set(before.values());
    for (const m of membersOf(next)) {
      await assertPairedCosigner(db, workspaceId, m.cosignerId, 'committee');
      const was = before.get(m.cosignerId);
      if (was !== undefined && was !== m.party)
        throw new HubError(
          'validation_failed',
          `co-signer ${m.cosignerId} holds party ${was} of this key and must keep it`,
          'committee',
        );
      if (was === undefined && oldParties.has(m.party))
        throw new HubError(
          'validation_failed',
          `party ${m.party} belongs to another member of the current committee`,
          'committee',
        );
    }
    return { key, old, next };
  }

  async function run(
    workspaceId: string,
    vaultId: string,
    input: ReshareProposal,
  ): Promise<ReshareResult> {
    if (running.has(vaultId))
      throw new HubError('conflict', 'a reshare of this vault is running', 'id');
    running.add(vaultId);
    try {
      const { key, old, next } = await check(workspaceId, vaultId, input);
      const newMembers = membersOf(next);
      const offlineNew = newMembers.filter((m) => !deps.relay.isOnline(m.cosignerId));
      if (offlineNew.length > 0)
        return {
          ok: false,
          jobId: null,
          reason: `co-signer ${offlineNew.map((m) => m.cosignerId).join(', ')} of the new committee is offline`,
        };
      const allOld = membersOf(old);
      // Offline old members cannot deal; they are all leaving (the check above), so they are left
      // out of the job altogether.
      const oldMembers = allOld.filter((m) => deps.relay.isOnline(m.cosignerId));
      if (oldMembers.length < old.threshold)
        return {
          ok: false,
          jobId: null,
          reason:
            `only ${oldMembers.length} of the ${allOld.length} current members are online; ` +
            `resharing needs at least ${old.threshold} of them (the key's threshold) to deal`,
        };
      // Roles and sets: the new committee's for its members, the old one's for leavers.
      const byId = new Map<string, Member>(oldMembers.map((m) => [m.cosignerId, m]));
      for (const m of newMembers) byId.set(m.cosignerId, m);
      const participants: Participant[] = [];
      for (const m of [...byId.values()].sort((a, b) => a.party - b.party)) {
        const identity = await deps.relay.identity(m.cosignerId);
        if (identity === null)
          return { ok: false, jobId: null, reason: `co-signer ${m.cosignerId} never said hello` };
        participants.push({
          partyId: m.party,
          cosignerId: m.cosignerId,
          role: m.role,
          set: m.set,
          identity,
        });
      }
      const sessionId = newSessionId();
      const job = await deps.jobSigner.sign(
        {
          jobId: randomUUID(),
          kind: 'reshare',
          algorithm: key.algorithm,
          keyId: key.id,
          sessionId,
          participants,
          threshold: next.threshold,
          request: null,
          reshare: {
            publicKey: key.public_key as string,
            oldThreshold: old.threshold,
            dealers: oldMembers.map((m) => m.party).sort((a, b) => a - b),
            newParties: newMembers.map((m) => m.party).sort((a, b) => a - b),
          },
          timeoutMs: deps.jobTimeoutMs ?? 300_000,
        },
        now(),
      );
      await db
        .insertInto('jobs')
        .values({
          id: job.jobId,
          workspace_id: workspaceId,
          kind: 'reshare',
          algorithm: key.algorithm,
          key_id: key.id,
          transaction_id: null,
          session_id: sessionId,
          clique_key: 'reshare',
          participants: JSON.stringify(participants),
          status: 'RUNNING',
          error: null,
          created_at: now(),
          finished_at: null,
        })
        .execute();
      const outcome = await deps.relay.runJob(job);
      const ok = outcome.status === 'done' && outcome.output['publicKey'] === key.public_key;
      // A co-signer reports a reshare done only after it committed, and it commits only once
      // every new party acknowledged the same result, each after storing its new share. So an
      // honest report means the new committee holds the key, even if others never reported (the
      // commit rule's in-doubt case). The hub records the committee on such reports only when
      // at least the new threshold of new members made them: then at least one is honest unless
      // a threshold of co-signers collude, and those members can sign already. Fewer: the change
      // stays APPROVED, its reason naming who reported done (describeOutcome).
      const newIds = new Set(newMembers.map((m) => m.cosignerId));
      const reports =
        ok || !('doneBy' in outcome) || outcome.doneBy === undefined
          ? []
          : outcome.doneBy.filter(
              (d) =>
                newIds.has(d.cosignerId) &&
                d.output['publicKey'] === key.public_key &&
                typeof d.output['confirmation'] === 'string',
            );
      const confirmations = new Set(reports.map((d) => d.output['confirmation']));
      const committed = reports.length >= next.threshold && confirmations.size === 1 ? reports : [];
      const reason = ok
        ? 'done'
        : outcome.status === 'done'
          ? 'the co-signers reported another public key'
          : describeOutcome(outcome);
      await db
        .updateTable('jobs')
        .set({
          status: ok
            ? 'DONE'
            : outcome.status === 'refused'
              ? 'REFUSED'
              : outcome.status === 'failed' && outcome.kind === 'aborted'
                ? 'ABORTED'
                : outcome.status === 'timeout' || outcome.status === 'unreachable'
                  ? 'TIMEOUT'
                  : 'FAILED',
          error: ok ? null : reason,
          finished_at: now(),
        })
        .where('id', '=', job.jobId)
        .execute();
      if (!ok && committed.length === 0) return { ok: false, jobId: job.jobId, reason };
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('vault_key_committees')
          .values({
            key_id: key.id,
            version: next.version,
            document: JSON.stringify(next),
            job_id: job.jobId,
            created_at: now(),
          })
          .execute();
        await tx
          .updateTable('vault_keys')
          .set({ threshold: next.threshold })
          .where('id', '=', key.id)
          .execute();
      });
      if (ok) return { ok: true, jobId: job.jobId, committee: next };
      const reported = new Set(committed.map((d) => d.cosignerId));
      return {
        ok: true,
        jobId: job.jobId,
        committee: next,
        inDoubt: {
          cosignerIds: participants.map((p) => p.cosignerId).filter((id) => !reported.has(id)),
          confirmation: committed[0]!.output['confirmation'] as string,
        },
      };
    } finally {
      running.delete(vaultId);
    }
  }

  return { check, run, currentCommittee };
}

export type ReshareService = ReturnType<typeof createReshareService>;
