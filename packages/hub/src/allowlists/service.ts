/**
 * The allow-list service: entries of trusted destinations per workspace, grouped in named lists
 * that policy rules match with `{"type":"ALLOWLISTED","lists":[…]}`. Adding or removing an entry
 * is a configuration change that the owner or an admin approves (config-changes/service.ts runs
 * the approval; the appliers here make the change). `listsContaining` is what the transaction
 * manager asks before the policy decides: a destination on no list is a one-time address.
 */
import { randomUUID } from 'node:crypto';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { Principal } from '../auth/request-token.ts';
import type { ConfigChangeService, ApprovedChange } from '../config-changes/service.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { assetSchema, idSchema } from '../policy/index.ts';
import { addressKey } from './address.ts';
import type { AllowlistEntriesTable } from './tables.ts';

export interface AllowlistEntryInput {
  readonly list: string;
  readonly asset: string | null;
  readonly address: string;
  readonly label: string;
}

export interface AllowlistEntryView extends AllowlistEntryInput {
  readonly id: string;
  readonly changeId: string;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly createdAt: number;
}

/** The list an entry joins when the request names none. */
export const DEFAULT_LIST = 'default';

function view(r: AllowlistEntriesTable): AllowlistEntryView {
  return {
    id: r.id,
    list: r.list,
    asset: r.asset,
    address: r.address,
    label: r.label,
    changeId: r.change_id,
    requestedBy: r.requested_by,
    approvedBy: r.approved_by,
    createdAt: r.created_at,
  };
}

/** Validates an entry from a request or a stored change payload (both untrusted here). */
export function parseEntryInput(input: unknown): AllowlistEntryInput {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const list = o.list ?? DEFAULT_LIST;
  if (!idSchema.safeParse(list).success)
    throw new HubError('validation_failed', 'expected a list id of 1-128 [A-Za-z0-9._:@-]', 'list');
  const asset = o.asset ?? null;
  if (asset !== null && !assetSchema.safeParse(asset).success)
    throw new HubError('validation_failed', 'expected an asset symbol such as "ETH"', 'asset');
  const address = o.address;
  if (typeof address !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(address))
    throw new HubError(
      'validation_failed',
      'expected an address of 1-256 printable characters without spaces',
      'address',
    );
  const label = o.label;
  if (typeof label !== 'string' || label.trim() === '' || label.length > 200)
    throw new HubError('validation_failed', 'expected a label of 1-200 characters', 'label');
  return { list: list as string, asset: asset as string | null, address, label };
}

async function findSame(db: HubContext['db'], workspaceId: string, e: AllowlistEntryInput) {
  let q = db
    .selectFrom('allowlist_entries')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('list', '=', e.list)
    .where('address_key', '=', addressKey(e.address));
  q = e.asset === null ? q.where('asset', 'is', null) : q.where('asset', '=', e.asset);
  return q.executeTakeFirst();
}

/** Registers the appliers of approved `allowlist.add` and `allowlist.remove` changes. */
export function registerAllowlistAppliers(
  ctx: Pick<HubContext, 'db' | 'now'>,
  changes: ConfigChangeService,
): void {
  const { db, now } = ctx;
  changes.registerApplier('allowlist.add', async (c: ApprovedChange) => {
    const e = parseEntryInput(c.payload);
    const requester = await db
      .selectFrom('config_changes')
      .select('requested_by')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    if ((await findSame(db, c.workspaceId, e)) !== undefined)
      throw new HubError('conflict', 'the address was added to this list meanwhile', 'address');
    try {
      await db
        .insertInto('allowlist_entries')
        .values({
          id: randomUUID(),
          workspace_id: c.workspaceId,
          list: e.list,
          asset: e.asset,
          address: e.address,
          address_key: addressKey(e.address),
          label: e.label,
          change_id: c.id,
          requested_by: requester.requested_by,
          approved_by: c.decidedBy,
          created_at: now(),
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new HubError('conflict', 'the address was added to this list meanwhile', 'address');
      throw err;
    }
  });
  changes.registerApplier('allowlist.remove', async (c: ApprovedChange) => {
    const res = await db
      .deleteFrom('allowlist_entries')
      .where('workspace_id', '=', c.workspaceId)
      .where('id', '=', c.targetId)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1)
      throw new HubError('not_found', 'the entry was removed meanwhile', 'id');
  });
}

export function createAllowlistService(ctx: HubContext, changes: ConfigChangeService) {
  const { db } = ctx;

  async function entry(workspaceId: string, id: string): Promise<AllowlistEntriesTable> {
    const r = await db
      .selectFrom('allowlist_entries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (r === undefined) throw new HubError('not_found', 'no such allow-list entry', 'id');
    return r;
  }

  return {
    async list(
      workspaceId: string,
      filter: { readonly list?: string | undefined; readonly asset?: string | undefined } = {},
    ): Promise<AllowlistEntryView[]> {
      let q = db
        .selectFrom('allowlist_entries')
        .selectAll()
        .where('workspace_id', '=', workspaceId);
      if (filter.list !== undefined) q = q.where('list', '=', filter.list);
      if (filter.asset !== undefined) q = q.where('asset', '=', filter.asset);
      const rows = await q.orderBy('list').orderBy('created_at').orderBy('id').execute();
      return rows.map(view);
    },

    /** A configuration change that, once approved, adds the entry. */
    async proposeAdd(actor: Principal, input: unknown) {
      const e = parseEntryInput(input);
      if ((await findSame(db, actor.workspaceId, e)) !== undefined)
        throw new HubError('conflict', 'the address is already on this list', 'address');
      return changes.request(actor, 'allowlist.add', e.list, e);
    },

    /** A configuration change that, once approved, removes the entry. */
    async proposeRemove(actor: Principal, id: string) {
      const r = await entry(actor.workspaceId, id);
      return changes.request(actor, 'allowlist.remove', r.id, {
        list: r.list,
        asset: r.asset,
        address: r.address,
        label: r.label,
      });
    },

    /**
     * The allow-lists holding `address` for `asset`, sorted. An entry without an asset holds the
     * address for any asset; an entry for an asset does not match a request naming no asset.
     */
    async listsContaining(
      workspaceId: string,
      address: string,
      asset: string | undefined,
    ): Promise<string[]> {
      const rows = await db
        .selectFrom('allowlist_entries')
        .select(['list', 'asset'])
        .where('workspace_id', '=', workspaceId)
        .where('address_key', '=', addressKey(address))
        .execute();
      const lists = rows.filter((r) => r.asset === null || r.asset === asset).map((r) => r.list);
      return [...new Set(lists)].sort();
    },
  };
}

export type AllowlistService = ReturnType<typeof createAllowlistService>;
