/**
 * Routes of workspaces, users and API users, and pairing tokens. Thin: schema in, service call,
 * schema out. Roles are in auth/rbac.ts.
 */
import { Type } from 'typebox';
import type { HubApp, HubServices } from '../http/server.ts';
import type { HubContext } from '../context.ts';
import type { Access } from '../auth/rbac.ts';
import type { Role } from '../storage/schema.ts';
import {
  CreatePairingTokenBody,
  CreateUserBody,
  IdParams,
  Me,
  PairingToken,
  User,
  Workspace,
  responses,
} from '../http/schemas.ts';
import type { Principal } from '../auth/request-token.ts';
import type { FastifyRequest } from 'fastify';

export function principalOf(req: FastifyRequest): Principal {
  // preValidation sets it on every route that is not public; its absence is a bug.
  if (req.principal === null) throw new Error('no principal on an authenticated route');
  return req.principal;
}

export function registerWorkspaceRoutes(
  app: HubApp,
  s: HubServices,
  _ctx: HubContext,
  access: Readonly<Record<string, Access>>,
): void {
  // Per role, the routes it may call (signed routes only): computed once, the table is fixed.
  const mayByRole = new Map<Role, readonly string[]>();
  const mayFor = (role: Role): readonly string[] => {
    let may = mayByRole.get(role);
    if (may === undefined) {
      may = Object.entries(access)
        .filter(([, a]) => Array.isArray(a) && a.includes(role))
        .map(([route]) => route)
        .sort();
      mayByRole.set(role, may);
    }
    return may;
  };
  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['workspace'],
        summary: 'The calling user',
        response: responses({ 200: Me }),
      },
    },
    async (req) => {
      const p = principalOf(req);
      return {
        id: p.id,
        workspaceId: p.workspaceId,
        name: p.name,
        role: p.role,
        may: [...mayFor(p.role)],
      };
    },
  );

  app.get(
    '/v1/workspace',
    {
      schema: {
        tags: ['workspace'],
        summary: 'The caller’s workspace',
        response: responses({ 200: Workspace }),
      },
    },
    async (req) => s.workspaces.getWorkspace(principalOf(req).workspaceId),
  );

  app.get(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Users and API users of the workspace',
        response: responses({ 200: Type.Object({ users: Type.Array(User) }) }),
      },
    },
    async (req) => ({ users: await s.workspaces.listUsers(principalOf(req).workspaceId) }),
  );

  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user or API user with its public key and role',
        body: CreateUserBody,
        response: responses({ 201: User }),
      },
    },
    async (req, reply) => {
      const u = await s.workspaces.createUser(principalOf(req), req.body);
      return reply.code(201).send(u);
    },
  );

  app.get(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user',
        params: IdParams,
        response: responses({ 200: User }),
      },
    },
    async (req) => s.workspaces.getUser(principalOf(req).workspaceId, req.params.id),
  );

  app.delete(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Disable a user (its key stops working; its history stays)',
        params: IdParams,
        response: responses({ 200: User }),
      },
    },
    async (req) => s.workspaces.disableUser(principalOf(req), req.params.id),
  );

  app.post(
    '/v1/pairing-tokens',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'A single-use pairing token (1 h) for an API user with role signer or admin',
        body: CreatePairingTokenBody,
        response: responses({ 201: PairingToken }),
      },
    },
    async (req, reply) => {
      const t = await s.pairing.issue(principalOf(req), req.body.apiUserId);
      return reply.code(201).send(t);
    },
  );
}
