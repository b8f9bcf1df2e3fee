/**
 * Configuration-change requests (issue 7; seeds/000 "Pair an additional API user — requires the
 * workspace owner approval … Unpair — requires admin approval"). A change is recorded as
 * WAITING_FOR_APPROVAL, decided (APPROVED | REJECTED | CANCELLED), and an approved change is
 * applied and becomes COMPLETED. Who may decide depends on the kind: the owner for pairing
 * another API user, the callback handler and the policy; the owner or an admin for unpairing.
 * Transitions are checked against one table; the update is conditional on the old status, so
 * two concurrent decisions cannot both win. Kinds owned by an extension (the signing schema, the
 * allow-list) are applied by the applier the extension registers, so the core imports no feature.
 */
import { randomUUID } from 'node:crypto';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { Principal } from '../auth/request-token.ts';
import type {
  ConfigChangeKind,
  ConfigChangeStatus,
  ConfigChangesTable,
  Role,
} from '../storage/schema.ts';
import {
  applyApprovedPolicyChange,
  parsePolicy,
  policyChangeRequest,
  PolicyChangeError,
  PolicyValidationError,
} from '../policy/index.ts';
import type { Policy, PolicyChangeRequest } from '../policy/index.ts';
import { requirePairableApiUser } from '../cosigners/pairing.ts';
import type { CosignerRegistry } from '../cosigners/registry.ts';

export const TRANSITIONS: Readonly<Record<ConfigChangeStatus, readonly ConfigChangeStatus[]>> =
  Object.freeze({
    WAITING_FOR_APPROVAL: ['APPROVED', 'REJECTED', 'CANCELLED'],
    APPROVED: ['COMPLETED'],
    REJECTED: [],
    CANCELLED: [],
    COMPLETED: [],
  });

export function canTransition(from: ConfigChangeStatus, to: ConfigChangeStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const APPROVERS: Readonly<Record<ConfigChangeKind, readonly Role[]>> = Object.freeze({
  'cosigner.pair_api_user': ['owner'],
  'cosigner.set_callback_handler': ['owner'],
  'cosigner.unpair': ['owner', 'admin'],
  'policy.set': ['owner'],
  // Which co-signers sign, and which destinations policies trust: the owner or an admin decides.
  'signing_schema.set': ['owner', 'admin'],
  'allowlist.add': ['owner', 'admin'],
  'allowlist.remove': ['owner', 'admin'],
  // Handing a key to another committee, like changing the signing schema.
  'vault_key.reshare': ['owner', 'admin'],
});

/** What an extension's applier receives: the approved change. Throws a HubError to refuse. */
export interface ApprovedChange {
  readonly id: string;
  readonly workspaceId: string;
  readonly targetId: string;
  readonly payload: unknown;
  /** Who approved it. */
  readonly decidedBy: string;
}
/** Applies a change; it may return a note, kept as the COMPLETED change's reason (a warning). */
export type ChangeApplier = (change: ApprovedChange) => Promise<void | { readonly note: string }>;

export interface ConfigChangeView {
  readonly id: string;
  readonly kind: ConfigChangeKind;
  readonly targetId: string;
  readonly payload: unknown;
  readonly status: ConfigChangeStatus;
  readonly requestedBy: string;
  readonly decidedBy: string | null;
  readonly reason: string | null;
  readonly approverRoles: Role[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

function view(r: ConfigChangesTable): ConfigChangeView {
  return {
    id: r.id,
    kind: r.kind,
    targetId: r.target_id,
    payload: JSON.parse(r.payload) as unknown,
    status: r.status,
    requestedBy: r.requested_by,
    decidedBy: r.decided_by,
    reason: r.reason,
    approverRoles: [...APPROVERS[r.kind]],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function policyError(e: unknown): never {
  if (e instanceof PolicyValidationError)
    throw new HubError('validation_failed', e.message, `policy.${e.field}`);
  if (e instanceof PolicyChangeError)
    throw new HubError('conflict', e.message, `policy.${e.field}`);
  throw e;
}

export function createConfigChangeService(ctx: HubContext, registry: CosignerRegistry) {
  const { db, now } = ctx;
  const appliers = new Map<ConfigChangeKind, ChangeApplier>();

  async function load(workspaceId: string, id: string): Promise<ConfigChangesTable> {
    const r = await db
      .selectFrom('config_changes')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!r) throw new HubError('not_found', 'no such configuration change', 'id');
    return r;
  }

  async function move(
    r: ConfigChangesTable,
    to: ConfigChangeStatus,
    set: { decided_by?: string; reason?: string | null },
  ): Promise<ConfigChangesTable> {
    if (!canTransition(r.status, to))
      throw new HubError(
        'invalid_state',
        `the change is ${r.status}; it cannot become ${to}`,
        'status',
      );
    const t = now();
    const res = await db
      .updateTable('config_changes')
      .set({ status: to, updated_at: t, ...set })
      .where('id', '=', r.id)
      .where('status', '=', r.status)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw new HubError('invalid_state', 'the change was decided concurrently', 'status');
    return { ...r, status: to, updated_at: t, ...set };
  }

  async function currentPolicy(workspaceId: string): Promise<Policy | null> {
    const r = await db
      .selectFrom('policies')
      .select('document')
      .where('workspace_id', '=', workspaceId)
      .orderBy('version', 'desc')
      .executeTakeFirst();
    return r ? parsePolicy(JSON.parse(r.document)) : null;
  }

  async function apply(r: ConfigChangesTable): Promise<void | { readonly note: string }> {
    const p = JSON.parse(r.payload) as Record<string, unknown>;
    switch (r.kind) {
      case 'cosigner.pair_api_user': {
        const apiUserId = String(p.apiUserId);
        await requirePairableApiUser(ctx, r.workspace_id, apiUserId);
        if (await registry.isApiUserPaired(apiUserId))
          throw new HubError('conflict', 'the API user was paired meanwhile', 'apiUserId');
        await db
          .insertInto('cosigner_api_users')
          .values({ cosigner_id: r.target_id, api_user_id: apiUserId })
          .execute();
        return;
      }
      case 'cosigner.set_callback_handler':
        // Per API user; a change requested before handlers were per API user names none.
        await registry.setCallbackHandler(
          r.target_id,
          typeof p.apiUserId === 'string' ? p.apiUserId : null,
          (p.url as string | null) ?? null,
          (p.publicKey as string | null) ?? null,
        );
        return;
      case 'cosigner.unpair':
        await db
          .updateTable('cosigners')
          .set({ status: 'unpaired' })
          .where('id', '=', r.target_id)
          .execute();
        return;
      case 'policy.set': {
        const change = p as unknown as PolicyChangeRequest;
        let next: Policy;
        try {
          next = applyApprovedPolicyChange(await currentPolicy(r.workspace_id), change);
        } catch (e) {
          policyError(e);
        }
        await db
          .insertInto('policies')
          .values({
            workspace_id: r.workspace_id,
            version: next.version,
            document: JSON.stringify(next),
            created_at: now(),
            change_id: r.id,
          })
          .execute();
        return;
      }
      default: {
        const applier = appliers.get(r.kind);
        if (applier === undefined)
          throw new HubError('invalid_state', `no feature applies ${r.kind} changes`, 'kind');
        return applier({
          id: r.id,
          workspaceId: r.workspace_id,
          targetId: r.target_id,
          payload: JSON.parse(r.payload) as unknown,
          decidedBy: r.decided_by ?? '',
        });
      }
    }
  }

  async function audit(r: ConfigChangesTable, actor: string, action: string) {
    await db
      .insertInto('audit')
      .values({
        id: randomUUID(),
        workspace_id: r.workspace_id,
        actor,
        action: `config_change.${action}`,
        target: r.id,
        at: now(),
      })
      .execute();
  }

  return {
    currentPolicy,

    /** An extension applies its own kinds of change (one applier per kind). */
    registerApplier(kind: ConfigChangeKind, applier: ChangeApplier): void {
      if (appliers.has(kind)) throw new Error(`${kind} changes already have an applier`);
      appliers.set(kind, applier);
    },

    async request(
      actor: Principal,
      kind: ConfigChangeKind,
      targetId: string,
      payload: unknown,
    ): Promise<ConfigChangeView> {
      const t = now();
      const r: ConfigChangesTable = {
        id: randomUUID(),
        workspace_id: actor.workspaceId,
        kind,
        target_id: targetId,
        payload: JSON.stringify(payload),
        status: 'WAITING_FOR_APPROVAL',
        requested_by: actor.id,
        decided_by: null,
        reason: null,
        created_at: t,
        updated_at: t,
      };
      await db.insertInto('config_changes').values(r).execute();
      await audit(r, actor.id, 'request');
      return view(r);
    },

    async requestPolicy(actor: Principal, proposed: unknown): Promise<ConfigChangeView> {
      let change: PolicyChangeRequest;
      try {
        change = policyChangeRequest(await currentPolicy(actor.workspaceId), proposed, {
          requestedBy: { type: 'API_USER', id: actor.id },
          at: now(),
        });
      } catch (e) {
        policyError(e);
      }
      return this.request(actor, 'policy.set', actor.workspaceId, change);
    },

    async list(workspaceId: string, status?: ConfigChangeStatus): Promise<ConfigChangeView[]> {
      let q = db.selectFrom('config_changes').selectAll().where('workspace_id', '=', workspaceId);
      if (status !== undefined) q = q.where('status', '=', status);
      const rows = await q.orderBy('created_at').orderBy('id').execute();
      return rows.map(view);
    },

    async get(workspaceId: string, id: string): Promise<ConfigChangeView> {
      return view(await load(workspaceId, id));
    },

    /** APPROVED, then applied and COMPLETED. A failed application leaves it APPROVED with the reason. */
    async approve(actor: Principal, id: string): Promise<ConfigChangeView> {
      const r = await load(actor.workspaceId, id);
      if (!APPROVERS[r.kind].includes(actor.role))
        throw new HubError(
          'forbidden',
          `a ${r.kind} change must be approved by: ${APPROVERS[r.kind].join(' or ')}`,
        );
      const approved = await move(r, 'APPROVED', { decided_by: actor.id });
      await audit(r, actor.id, 'approve');
      let applied: void | { readonly note: string };
      try {
        applied = await apply(approved);
      } catch (e) {
        const reason = e instanceof HubError ? e.message : 'the change could not be applied';
        await db.updateTable('config_changes').set({ reason }).where('id', '=', r.id).execute();
        throw e;
      }
      const done = await move(approved, 'COMPLETED', applied ? { reason: applied.note } : {});
      return view(done);
    },

    async reject(actor: Principal, id: string, reason: string | null): Promise<ConfigChangeView> {
      const r = await load(actor.workspaceId, id);
      if (!APPROVERS[r.kind].includes(actor.role))
        throw new HubError(
          'forbidden',
          `a ${r.kind} change must be decided by: ${APPROVERS[r.kind].join(' or ')}`,
        );
      const out = await move(r, 'REJECTED', { decided_by: actor.id, reason });
      await audit(r, actor.id, 'reject');
      return view(out);
    },

    /** The requester, the owner or an admin may withdraw a pending change. */
    async cancel(actor: Principal, id: string): Promise<ConfigChangeView> {
      const r = await load(actor.workspaceId, id);
      if (r.requested_by !== actor.id && actor.role !== 'owner' && actor.role !== 'admin')
        throw new HubError('forbidden', 'only the requester, the owner or an admin may cancel');
      const out = await move(r, 'CANCELLED', { decided_by: actor.id });
      await audit(r, actor.id, 'cancel');
      return view(out);
    },
  };
}

export type ConfigChangeService = ReturnType<typeof createConfigChangeService>;
