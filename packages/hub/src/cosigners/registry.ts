/**
 * The co-signer registry (issue 7 "a co-signer registry with health: heartbeat, last seen,
 * online/offline"). A co-signer is known by its id, its mTLS certificate fingerprint, its
 * workspace and the API users paired with it. Health is derived from the last heartbeat this
 * process received, at read time, so there is no background job to fall behind. Callback handlers are per (co-signer,
 * API user) (issue 6: "every callback handler configured for the API user").
 */
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { CosignersTable } from '../storage/schema.ts';

export type CosignerHealth = 'online' | 'offline' | 'never_seen';

export interface CosignerView {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly status: 'active' | 'unpaired';
  readonly health: CosignerHealth;
  readonly lastSeenAt: number | null;
  readonly apiUserIds: string[];
  /**
   * Legacy (one handler per co-signer): the handler of the first paired API user (by id), as
   * co-signers before per-user handlers used it. Read `callbackHandlers`.
   */
  readonly callbackHandler: { readonly url: string; readonly publicKey: string | null } | null;
  /** The approved callback handler of each paired API user that has one, by API user id. */
  readonly callbackHandlers: CallbackHandlerView[];
  readonly certificateFingerprint: string;
  readonly createdAt: number;
}

export interface CallbackHandlerView {
  readonly apiUserId: string;
  readonly url: string;
  readonly publicKey: string | null;
}

export function createCosignerRegistry(ctx: HubContext) {
  const { db, now } = ctx;
  /**
   * Only a heartbeat this hub process received makes a co-signer online. A last-seen time from
   * before a restart says nothing about the co-signer's link to this process (its WebSocket to the
   * old process is gone), so until it reconnects and speaks it is offline, not online for the rest
   * of the heartbeat window.
   */
  const startedAt = now();

  function health(lastSeen: number | null, status: string): CosignerHealth {
    if (lastSeen === null) return 'never_seen';
    if (status !== 'active' || lastSeen < startedAt) return 'offline';
    return now() - lastSeen <= ctx.settings.heartbeatTimeoutMs ? 'online' : 'offline';
  }

  async function view(row: CosignersTable): Promise<CosignerView> {
    const links = await db
      .selectFrom('cosigner_api_users')
      .select('api_user_id')
      .where('cosigner_id', '=', row.id)
      .orderBy('api_user_id')
      .execute();
    const paired = links.map((l) => l.api_user_id);
    const handlers = (
      await db
        .selectFrom('cosigner_callback_handlers')
        .selectAll()
        .where('cosigner_id', '=', row.id)
        .orderBy('api_user_id')
        .execute()
    )
      .filter((h) => paired.includes(h.api_user_id))
      .map((h) => ({ apiUserId: h.api_user_id, url: h.url, publicKey: h.public_key_pem }));
    const first = handlers.find((h) => h.apiUserId === paired[0]);
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      name: row.name,
      status: row.status,
      health: health(row.last_seen_at, row.status),
      lastSeenAt: row.last_seen_at,
      apiUserIds: paired,
      callbackHandler: first === undefined ? null : { url: first.url, publicKey: first.publicKey },
      callbackHandlers: handlers,
      certificateFingerprint: row.certificate_fingerprint,
      createdAt: row.created_at,
    };
  }

  async function row(workspaceId: string, id: string): Promise<CosignersTable> {
    const r = await db
      .selectFrom('cosigners')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!r) throw new HubError('not_found', 'no such co-signer', 'id');
    return r;
  }

  return {
    view,
    row,

    async register(input: {
      id: string;
      workspaceId: string;
      name: string;
      apiUserId: string;
      certificatePem: string;
      fingerprint: string;
    }): Promise<CosignerView> {
      const r: CosignersTable = {
        id: input.id,
        workspace_id: input.workspaceId,
        name: input.name,
        status: 'active',
        certificate_pem: input.certificatePem,
        certificate_fingerprint: input.fingerprint,
        callback_url: null,
        callback_public_key_pem: null,
        last_seen_at: null,
        created_at: now(),
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('cosigners').values(r).execute();
        await tx
          .insertInto('cosigner_api_users')
          .values({ cosigner_id: r.id, api_user_id: input.apiUserId })
          .execute();
      });
      return view(r);
    },

    async isApiUserPaired(apiUserId: string): Promise<boolean> {
      const r = await db
        .selectFrom('cosigner_api_users')
        .innerJoin('cosigners', 'cosigners.id', 'cosigner_api_users.cosigner_id')
        .select('cosigners.id')
        .where('cosigner_api_users.api_user_id', '=', apiUserId)
        .where('cosigners.status', '=', 'active')
        .executeTakeFirst();
      return r !== undefined;
    },

    async list(workspaceId: string): Promise<CosignerView[]> {
      const rows = await db
        .selectFrom('cosigners')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return Promise.all(rows.map(view));
    },

    async get(workspaceId: string, id: string): Promise<CosignerView> {
      return view(await row(workspaceId, id));
    },

    async rename(workspaceId: string, id: string, name: string): Promise<CosignerView> {
      const r = await row(workspaceId, id);
      await db.updateTable('cosigners').set({ name }).where('id', '=', id).execute();
      return view({ ...r, name });
    },

    /** The co-signer behind an mTLS client certificate, if it is still paired. */
    async byFingerprint(fingerprint: string): Promise<CosignersTable | undefined> {
      return db
        .selectFrom('cosigners')
        .selectAll()
        .where('certificate_fingerprint', '=', fingerprint)
        .where('status', '=', 'active')
        .executeTakeFirst();
    },

    /**
     * Applies an approved `cosigner.set_callback_handler`: sets (url) or removes (null) the
     * handler of one paired API user. A change without an API user (requested before handlers
     * were per API user) applies to every API user paired now.
     */
    async setCallbackHandler(
      cosignerId: string,
      apiUserId: string | null,
      url: string | null,
      publicKeyPem: string | null,
    ): Promise<void> {
      const links = await db
        .selectFrom('cosigner_api_users')
        .select('api_user_id')
        .where('cosigner_id', '=', cosignerId)
        .execute();
      const paired = links.map((l) => l.api_user_id);
      if (apiUserId !== null && !paired.includes(apiUserId))
        throw new HubError(
          'conflict',
          `API user ${apiUserId} is no longer paired with this co-signer`,
          'apiUserId',
        );
      const users = apiUserId === null ? paired : [apiUserId];
      await db.transaction().execute(async (tx) => {
        for (const u of users) {
          await tx
            .deleteFrom('cosigner_callback_handlers')
            .where('cosigner_id', '=', cosignerId)
            .where('api_user_id', '=', u)
            .execute();
          if (url !== null)
            await tx
              .insertInto('cosigner_callback_handlers')
              .values({
                cosigner_id: cosignerId,
                api_user_id: u,
                url,
                public_key_pem: publicKeyPem,
                updated_at: now(),
              })
              .execute();
        }
      });
    },

    async heartbeat(id: string): Promise<void> {
      await db.updateTable('cosigners').set({ last_seen_at: now() }).where('id', '=', id).execute();
    },
  };
}

export type CosignerRegistry = ReturnType<typeof createCosignerRegistry>;
