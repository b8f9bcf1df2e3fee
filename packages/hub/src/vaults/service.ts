/**
 * Vaults (issue 7 "Vaults"; SYSTEM.md "Main flows" 3): a vault is a threshold key of one
 * algorithm (ecdsa-secp256k1 by CGGMP21, eddsa-ed25519 and schnorr-bip340 by FROST) created by a
 * DKG job among every co-signer of the signing schema (followed by aux-info for CGGMP21). The
 * hub keeps only the public key and chain code the co-signers report (all must report the same).
 * Accounts are non-hardened paths below that root (vaults/derivation.ts). A key may carry a
 * refresh interval: `refreshDue` emits refresh jobs for keys whose last refresh is older (the
 * stack's background timer calls it; it compares with the hub's injectable clock). A key may be
 * reshared to another committee (reshare.ts); its jobs then go to that committee.
 */
import { randomUUID } from 'node:crypto';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { Coordinator } from '../orchestration/coordinator.ts';
import type {
  KeyAlgorithmName,
  VaultAccountsTable,
  VaultKeysTable,
} from '../orchestration/tables.ts';
import { checkName } from '../workspaces/service.ts';
import { checkRootKey, deriveAccount } from './derivation.ts';
import { createReshareService } from './reshare.ts';
import type { ReshareService } from './reshare.ts';
import type { JobSigner } from '../orchestration/authorization.ts';
import type { Relay } from '../orchestration/relay.ts';

export interface VaultView {
  readonly id: string;
  readonly name: string;
  readonly algorithm: KeyAlgorithmName;
  readonly status: 'CREATING' | 'ACTIVE' | 'FAILED';
  readonly publicKey: string | null;
  readonly chainCode: string | null;
  readonly threshold: number;
  readonly schemaVersion: number;
  readonly refreshIntervalMs: number | null;
  readonly lastRefreshAt: number | null;
  readonly createdAt: number;
}

export interface AccountView {
  readonly id: string;
  readonly vaultId: string;
  readonly name: string;
  readonly path: string;
  readonly publicKey: string;
  readonly address: string;
  readonly createdAt: number;
}

export function vaultView(r: VaultKeysTable): VaultView {
  return {
    id: r.id,
    name: r.name,
    algorithm: r.algorithm,
    status: r.status,
    publicKey: r.public_key,
    chainCode: r.chain_code,
    threshold: r.threshold,
    schemaVersion: r.schema_version,
    refreshIntervalMs: r.refresh_interval_ms,
    lastRefreshAt: r.last_refresh_at,
    createdAt: r.created_at,
  };
}

export function accountView(r: VaultAccountsTable): AccountView {
  return {
    id: r.id,
    vaultId: r.key_id,
    name: r.name,
    path: r.path,
    publicKey: r.public_key,
    address: r.address,
    createdAt: r.created_at,
  };
}

export function createVaultService(ctx: HubContext, coordinator: Coordinator) {
  const { db, now } = ctx;
  const refreshing = new Set<string>();
  const background = new Set<Promise<unknown>>();

  function track<T>(p: Promise<T>): Promise<T> {
    const q = p.finally(() => background.delete(q));
    background.add(q);
    return q;
  }

  async function keyRow(workspaceId: string, id: string): Promise<VaultKeysTable> {
    const r = await db
      .selectFrom('vault_keys')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!r) throw new HubError('not_found', 'no such vault', 'id');
    return r;
  }

  async function runKeygen(row: VaultKeysTable, apiUserId: string | null): Promise<void> {
    const spec = {
      workspaceId: row.workspace_id,
      kind: 'keygen' as const,
      algorithm: row.algorithm,
      keyId: row.id,
      apiUserId,
    };
    const fail = (why: string) =>
      db
        .updateTable('vault_keys')
        .set({ status: 'FAILED' })
        .where('id', '=', row.id)
        .execute()
        .then(() => why);
    const { outcome, reason } = await coordinator.runCommittee(spec);
    if (outcome.status !== 'done') return void (await fail(reason));
    const { publicKey, chainCode } = outcome.output as { publicKey?: unknown; chainCode?: unknown };
    if (
      typeof publicKey !== 'string' ||
      typeof chainCode !== 'string' ||
      !checkRootKey(row.algorithm, publicKey.toLowerCase(), chainCode.toLowerCase())
    )
      return void (await fail('the DKG output is not a valid public key and chain code'));
    if (row.algorithm === 'ecdsa-secp256k1') {
      const aux = await coordinator.runCommittee({ ...spec, kind: 'aux-info' });
      if (aux.outcome.status !== 'done') return void (await fail(aux.reason));
    }
    await db
      .updateTable('vault_keys')
      .set({
        status: 'ACTIVE',
        public_key: publicKey.toLowerCase(),
        chain_code: chainCode.toLowerCase(),
        last_refresh_at: now(),
      })
      .where('id', '=', row.id)
      .execute();
  }

  async function refreshKey(row: VaultKeysTable): Promise<boolean> {
    if (refreshing.has(row.id)) return false;
    refreshing.add(row.id);
    try {
      const { outcome } = await coordinator.runCommittee({
        workspaceId: row.workspace_id,
        kind: 'refresh',
        algorithm: row.algorithm,
        keyId: row.id,
      });
      if (outcome.status !== 'done') return false;
      await db
        .updateTable('vault_keys')
        .set({ last_refresh_at: now() })
        .where('id', '=', row.id)
        .execute();
      return true;
    } finally {
      refreshing.delete(row.id);
    }
  }

  return {
    keyRow,

    /** Creates the vault (CREATING) and starts the DKG; `done` resolves when it ended. */
    async create(
      workspaceId: string,
      input: {
        name: string;
        algorithm: KeyAlgorithmName;
        refreshIntervalMs?: number;
        /** Who asked: an API user is named in the keygen jobs (their callback handlers answer). */
        requestedBy?: string;
      },
    ): Promise<{ vault: VaultView; done: Promise<void> }> {
      const schema = await coordinator.requireSchema(workspaceId);
      const asker =
        input.requestedBy === undefined
          ? undefined
          : await db
              .selectFrom('users')
              .select(['id', 'kind'])
              .where('id', '=', input.requestedBy)
              .where('workspace_id', '=', workspaceId)
              .executeTakeFirst();
      const apiUserId = asker?.kind === 'api' ? asker.id : null;
      const row: VaultKeysTable = {
        id: randomUUID(),
        workspace_id: workspaceId,
        name: checkName(input.name),
        algorithm: input.algorithm,
        status: 'CREATING',
        public_key: null,
        chain_code: null,
        schema_version: schema.version,
        threshold: schema.threshold,
        refresh_interval_ms: input.refreshIntervalMs ?? null,
        last_refresh_at: null,
        created_at: now(),
      };
      await db.insertInto('vault_keys').values(row).execute();
      const done = track(
        runKeygen(row, apiUserId).catch(async () => {
          await db
            .updateTable('vault_keys')
            .set({ status: 'FAILED' })
            .where('id', '=', row.id)
            .execute();
        }),
      );
      return { vault: vaultView(row), done };
    },

    async list(workspaceId: string): Promise<VaultView[]> {
      const rows = await db
        .selectFrom('vault_keys')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(vaultView);
    },

    async get(workspaceId: string, id: string): Promise<VaultView> {
      return vaultView(await keyRow(workspaceId, id));
    },

    async createAccount(
      workspaceId: string,
      vaultId: string,
      input: { name: string; path: string },
    ): Promise<AccountView> {
      const k = await keyRow(workspaceId, vaultId);
      if (k.status !== 'ACTIVE' || k.public_key === null || k.chain_code === null)
        throw new HubError('invalid_state', `the vault is ${k.status}`, 'id');
      const d = deriveAccount(k.algorithm, k.public_key, k.chain_code, input.path);
      const row: VaultAccountsTable = {
        id: randomUUID(),
        workspace_id: workspaceId,
        key_id: k.id,
        name: checkName(input.name),
        path: input.path,
        public_key: d.publicKey,
        address: d.address,
        created_at: now(),
      };
      const dup = await db
        .selectFrom('vault_accounts')
        .select('id')
        .where('key_id', '=', k.id)
        .where('path', '=', input.path)
        .executeTakeFirst();
      if (dup) throw new HubError('conflict', 'an account with this path exists', 'path');
      await db.insertInto('vault_accounts').values(row).execute();
      return accountView(row);
    },

    async listAccounts(workspaceId: string, vaultId: string): Promise<AccountView[]> {
      await keyRow(workspaceId, vaultId);
      const rows = await db
        .selectFrom('vault_accounts')
        .selectAll()
        .where('key_id', '=', vaultId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(accountView);
    },

    async account(workspaceId: string, vaultId: string, accountId: string) {
      const r = await db
        .selectFrom('vault_accounts')
        .selectAll()
        .where('id', '=', accountId)
        .where('key_id', '=', vaultId)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      if (!r) throw new HubError('not_found', 'no such account in this vault', 'accountId');
      return r;
    },

    /** On demand: starts a refresh job for an ACTIVE key. */
    async refresh(
      workspaceId: string,
      vaultId: string,
    ): Promise<{ vault: VaultView; done: Promise<boolean> }> {
      const k = await keyRow(workspaceId, vaultId);
      if (k.status !== 'ACTIVE')
        throw new HubError('invalid_state', `the vault is ${k.status}`, 'id');
      return { vault: vaultView(k), done: track(refreshKey(k).catch(() => false)) };
    },

    /** The schedule: refreshes every ACTIVE key whose interval has elapsed; returns how many succeeded. */
    async refreshDue(): Promise<number> {
      const rows = await db
        .selectFrom('vault_keys')
        .selectAll()
        .where('status', '=', 'ACTIVE')
        .where('refresh_interval_ms', 'is not', null)
        .execute();
      const due = rows.filter(
        (r) => (r.last_refresh_at ?? r.created_at) + (r.refresh_interval_ms ?? 0) <= now(),
      );
      const done = await Promise.all(due.map((r) => refreshKey(r).catch(() => false)));
      return done.filter(Boolean).length;
    },

    /** Resharing of this workspace's keys (vaults/reshare.ts), over the relay. */
    reshares(deps: { readonly relay: Relay; readonly jobSigner: JobSigner }): ReshareService {
      return createReshareService(ctx, deps);
    },

    async settle(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}

export type VaultService = ReturnType<typeof createVaultService>;
