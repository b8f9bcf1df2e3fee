/**
 * The stored signing schema (issue 7 "Signing schema"): the version in force, the check of a
 * proposal against the workspace (shape and threshold by signing-schema/clique.ts, every member a
 * paired co-signer of the workspace), and putting an approved proposal in force as the next
 * version. Database only, no relay: an operator command that approves a change applies it too.
 */
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import { SigningSchemaError, validateSigningSchema } from '../signing-schema/index.ts';
import type { SigningSchema } from '../signing-schema/index.ts';
import './tables.ts';

/** A member of a proposed schema or committee must be an active co-signer of the workspace. */
export async function assertPairedCosigner(
  db: HubContext['db'],
  workspaceId: string,
  cosignerId: string,
  field: string,
): Promise<void> {
  const c = await db
    .selectFrom('cosigners')
    .select(['id', 'status'])
    .where('id', '=', cosignerId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (c === undefined || c.status !== 'active')
    throw new HubError('validation_failed', `no paired co-signer ${cosignerId}`, field);
}

export function createSchemaStore(ctx: Pick<HubContext, 'db' | 'now'>) {
  const { db, now } = ctx;

  async function schemaOf(workspaceId: string): Promise<SigningSchema | null> {
    const r = await db
      .selectFrom('signing_schemas')
      .select('document')
      .where('workspace_id', '=', workspaceId)
      .orderBy('version', 'desc')
      .executeTakeFirst();
    return r === undefined ? null : validateSigningSchema(JSON.parse(r.document));
  }

  /** The proposal as the next version, or a `validation_failed` naming the field. */
  async function checkSchema(workspaceId: string, input: unknown): Promise<SigningSchema> {
    const prev = await schemaOf(workspaceId);
    const version = (prev?.version ?? 0) + 1;
    let schema: SigningSchema;
    try {
      schema = validateSigningSchema({ ...(input as object), version });
    } catch (e) {
      if (e instanceof SigningSchemaError)
        throw new HubError('validation_failed', e.message, `schema.${e.field}`);
      throw e;
    }
    const members = [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)];
    for (const m of members) await assertPairedCosigner(db, workspaceId, m.cosignerId, 'schema');
    return schema;
  }

  /** Checks again (co-signers may have been unpaired since the proposal) and stores it. */
  async function setSchema(workspaceId: string, input: unknown): Promise<SigningSchema> {
    const schema = await checkSchema(workspaceId, input);
    await db
      .insertInto('signing_schemas')
      .values({
        workspace_id: workspaceId,
        version: schema.version,
        document: JSON.stringify(schema),
        created_at: now(),
      })
      .execute();
    return schema;
  }

  return { schemaOf, checkSchema, setSchema };
}

export type SchemaStore = ReturnType<typeof createSchemaStore>;
