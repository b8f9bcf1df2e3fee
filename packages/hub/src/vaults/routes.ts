/** Routes of vaults (threshold keys created by DKG) and their accounts (non-hardened paths). */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import type { HubApp } from '../http/server.ts';
import { IdParams, responses } from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import type { SigningStack } from '../orchestration/stack.ts';

const Algorithm = Type.Union([
  Type.Literal('ecdsa-secp256k1'),
  Type.Literal('eddsa-ed25519'),
  Type.Literal('schnorr-bip340'),
]);
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Vault = Type.Object({
  id: Type.String(),
  name: Type.String(),
  algorithm: Algorithm,
  status: Type.Union([Type.Literal('CREATING'), Type.Literal('ACTIVE'), Type.Literal('FAILED')]),
  publicKey: Nullable(Type.String()),
  chainCode: Nullable(Type.String()),
  threshold: Type.Integer(),
  schemaVersion: Type.Integer(),
  refreshIntervalMs: Nullable(Type.Integer()),
  lastRefreshAt: Nullable(Type.Integer()),
  createdAt: Type.Integer(),
});
const Account = Type.Object({
  id: Type.String(),
  vaultId: Type.String(),
  name: Type.String(),
  path: Type.String(),
  publicKey: Type.String(),
  address: Type.String(),
  createdAt: Type.Integer(),
});
const CreateVaultBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    algorithm: Algorithm,
    refreshIntervalSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 366 * 86400 })),
  },
  { additionalProperties: false },
);
const CreateAccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    path: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'non-hardened, e.g. m/44/60/0/0/0',
    }),
  },
  { additionalProperties: false },
);

export function registerVaultRoutes(app: HubApp, s: SigningStack): void {
  app.post(
    '/v1/vaults',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Create a vault key: starts a DKG among the co-signers of the signing schema',
        body: CreateVaultBody,
        response: responses({ 202: Vault }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { vault } = await s.vaults.create(p.workspaceId, {
        requestedBy: p.id,
        name: req.body.name,
        algorithm: req.body.algorithm,
        ...(req.body.refreshIntervalSeconds === undefined
          ? {}
          : { refreshIntervalMs: req.body.refreshIntervalSeconds * 1000 }),
      });
      return reply.code(202).send(vault);
    },
  );

  app.get(
    '/v1/vaults',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Vault keys',
        response: responses({ 200: Type.Object({ vaults: Type.Array(Vault) }) }),
      },
    },
    async (req) => ({ vaults: await s.vaults.list(principalOf(req).workspaceId) }),
  );

  app.get(
    '/v1/vaults/:id',
    {
      schema: {
        tags: ['vaults'],
        summary: 'One vault key',
        params: IdParams,
        response: responses({ 200: Vault }),
      },
    },
    async (req) => s.vaults.get(principalOf(req).workspaceId, req.params.id),
  );

  app.post(
    '/v1/vaults/:id/refresh',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Refresh the key shares now (a refresh job; the public key stays)',
        params: IdParams,
        response: responses({ 202: Vault }),
      },
    },
    async (req, reply) => {
      const { vault } = await s.vaults.refresh(principalOf(req).workspaceId, req.params.id);
      return reply.code(202).send(vault);
    },
  );

  app.post(
    '/v1/vaults/:id/accounts',
    {
      schema: {
        tags: ['vaults'],
        summary:
          'Add an account: a non-hardened path below the root; the hub derives its public key and address',
        params: IdParams,
        body: CreateAccountBody,
        response: responses({ 201: Account }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await s.vaults.createAccount(principalOf(req).workspaceId, req.params.id, req.body)),
  );

  app.get(
    '/v1/vaults/:id/accounts',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Accounts of a vault',
        params: IdParams,
        response: responses({ 200: Type.Object({ accounts: Type.Array(Account) }) }),
      },
    },
    async (req) => ({
      accounts: await s.vaults.listAccounts(principalOf(req).workspaceId, req.params.id),
    }),
  );
}
