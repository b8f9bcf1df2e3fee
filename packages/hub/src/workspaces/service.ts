/**
 * Workspaces, users and API users (issue 7 "Co-signer management: workspaces; users and API
 * users"). A user is a human (console, mobile device) or an API user (a program, possibly paired
 * with a co-signer); both sign their requests with a registered public key and hold one role.
 * Disabling a user keeps its row, so audit trails and approvals stay resolvable.
 */
import { randomUUID } from 'node:crypto';
import { HubError } from '../http/errors.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { parsePublicKey, storedPublicKey } from '../auth/public-keys.ts';
import type { HubContext } from '../context.ts';
import type { Principal, PrincipalKey } from '../auth/request-token.ts';
import type { KeyAlgorithm, Role, UserKind, UsersTable } from '../storage/schema.ts';

export interface UserView {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly kind: UserKind;
  readonly role: Role;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly publicKey: string;
  readonly createdAt: number;
  readonly disabled: boolean;
}

export function userView(u: UsersTable): UserView {
  return {
    id: u.id,
    workspaceId: u.workspace_id,
    name: u.name,
    kind: u.kind,
    role: u.role,
    keyAlgorithm: u.key_algorithm,
    publicKey: u.public_key_pem,
    createdAt: u.created_at,
    disabled: u.disabled_at !== null,
  };
}

const NAME = /^[\p{L}\p{N} ._@:-]{1,100}$/u;

export function checkName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw new HubError(
      'validation_failed',
      'names are 1-100 letters, digits, spaces or . _ @ : -',
      field,
    );
  return name;
}

export function createWorkspaceService(ctx: Pick<HubContext, 'db' | 'now'>) {
  const { db, now } = ctx;

  async function audit(workspaceId: string, actor: string, action: string, target: string) {
    await db
      .insertInto('audit')
      .values({ id: randomUUID(), workspace_id: workspaceId, actor, action, target, at: now() })
      .execute();
  }

  async function insertUser(input: {
    workspaceId: string;
    name: string;
    kind: UserKind;
    role: Role;
    publicKeyPem: string;
  }): Promise<UserView> {
    const key = parsePublicKey(input.publicKeyPem);
    const row: UsersTable = {
      id: randomUUID(),
      workspace_id: input.workspaceId,
      name: checkName(input.name),
      kind: input.kind,
      role: input.role,
      public_key_pem: key.pem,
      key_algorithm: key.algorithm,
      created_at: now(),
      disabled_at: null,
    };
    try {
      await db.insertInto('users').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new HubError('conflict', `a user named "${row.name}" already exists`, 'name');
      throw e;
    }
    return userView(row);
  }

  return {
    audit,

    /** `hub init`: the first workspace and its owner. */
    async createWorkspace(input: {
      name: string;
      ownerName: string;
      ownerPublicKeyPem: string;
    }): Promise<{ workspaceId: string; owner: UserView }> {
      const id = randomUUID();
      checkName(input.name);
      await db
        .insertInto('workspaces')
        .values({ id, name: input.name, created_at: now() })
        .execute();
      const owner = await insertUser({
        workspaceId: id,
        name: input.ownerName,
        kind: 'human',
        role: 'owner',
        publicKeyPem: input.ownerPublicKeyPem,
      });
      await audit(id, owner.id, 'workspace.create', id);
      return { workspaceId: id, owner };
    },

    async getWorkspace(id: string) {
      const w = await db
        .selectFrom('workspaces')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!w) throw new HubError('not_found', 'no such workspace');
      return { id: w.id, name: w.name, createdAt: w.created_at };
    },

    async listWorkspaces() {
      return db.selectFrom('workspaces').selectAll().orderBy('created_at').execute();
    },

    /** Only the owner may create another owner or an admin; admins create the other roles. */
    async createUser(
      actor: Principal,
      input: { name: string; kind: UserKind; role: Role; publicKey: string },
    ): Promise<UserView> {
      if ((input.role === 'owner' || input.role === 'admin') && actor.role !== 'owner')
        throw new HubError(
          'forbidden',
          `only the owner may create a user with role ${input.role}`,
          'role',
        );
      const user = await insertUser({
        workspaceId: actor.workspaceId,
        name: input.name,
        kind: input.kind,
        role: input.role,
        publicKeyPem: input.publicKey,
      });
      await audit(actor.workspaceId, actor.id, 'user.create', user.id);
      return user;
    },

    async listUsers(workspaceId: string): Promise<UserView[]> {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(userView);
    },

    async getUser(workspaceId: string, id: string): Promise<UserView> {
      const u = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      if (!u) throw new HubError('not_found', 'no such user', 'id');
      return userView(u);
    },

    async disableUser(actor: Principal, id: string): Promise<UserView> {
      const u = await this.getUser(actor.workspaceId, id);
      if (u.id === actor.id)
        throw new HubError('invalid_state', 'you cannot disable yourself', 'id');
      if (u.role === 'owner' && actor.role !== 'owner')
        throw new HubError('forbidden', 'only the owner may disable an owner', 'id');
      if (!u.disabled)
        await db.updateTable('users').set({ disabled_at: now() }).where('id', '=', id).execute();
      await audit(actor.workspaceId, actor.id, 'user.disable', id);
      return { ...u, disabled: true };
    },

    /** The key lookup of the request verifier: enabled users only. */
    async findKey(subject: string): Promise<PrincipalKey | undefined> {
      const u = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', subject)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!u) return undefined;
      return {
        principal: { id: u.id, workspaceId: u.workspace_id, role: u.role, name: u.name },
        algorithm: u.key_algorithm,
        key: storedPublicKey(u.public_key_pem),
      };
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
