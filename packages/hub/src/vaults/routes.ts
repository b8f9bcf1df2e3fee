/** Routes of vaults (threshold keys created by DKG) and their accounts (non-hardened paths). */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import type { HubApp } from '../http/server.ts';
import { HubError } from '../http/errors.ts';
import { ConfigChange, IdParams, responses } from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import type { SigningStack } from '../orchestration/stack.ts';
import type { ReshareProposal } from './reshare.ts';

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

const Member = Type.Object(
  {
    cosignerId: Type.String({ minLength: 1, maxLength: 128 }),
    party: Type.Integer({ minimum: 1, maximum: 1024 }),
  },
  { additionalProperties: false },
);
const ReshareBody = Type.Object(
  {
    threshold: Type.Integer({ minimum: 1, maximum: 1024, description: '1 + number of sets' }),
    primaries: Type.Array(Member, { minItems: 1, maxItems: 64 }),
    sets: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 128 }),
          guards: Type.Array(Member, { minItems: 1, maxItems: 64 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 64 },
    ),
  },
  {
    additionalProperties: false,
    description:
      'The new committee: a co-signer staying keeps its party id, a new one takes an unused id',
  },
);

export function registerVaultRoutes(app: HubApp, s: SigningStack): void {
  const reshares = s.vaults.reshares({ relay: s.relay, jobSigner: s.jobSigner });
  // An approved reshare runs the job; if it does not complete everywhere, the change stays
  // APPROVED with the reason and the key keeps its old committee.
  s.changes.registerApplier('vault_key.reshare', async (c) => {
    const r = await reshares.run(c.workspaceId, c.targetId, c.payload as ReshareProposal);
    if (!r.ok)
      throw new HubError(
        'invalid_state',
        `the reshare did not complete (${r.reason}); the key keeps its committee`,
        'committee',
      );
    if (r.inDoubt !== undefined)
      return {
        note:
          `the reshare committed, but co-signer ${r.inDoubt.cosignerIds.join(', ')} did not report: ` +
          `on each, stop it and run "quorate cosigner keys resolve --key ${c.targetId} ` +
          `--confirmation ${r.inDoubt.confirmation} --commit" (a leaving one: "keys remove")`,
      };
    return undefined;
  });
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
    '/v1/vaults/:id/reshare',
    {
      schema: {
        tags: ['vaults'],
        summary:
          'Hand the key to a new committee (same public key): a configuration change the owner or an admin approves; on approval the hub runs the reshare job',
        params: IdParams,
        body: ReshareBody,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      // Checked now so a bad proposal fails at once; checked again when it is approved.
      await reshares.check(p.workspaceId, req.params.id, req.body);
      const change = await s.changes.request(p, 'vault_key.reshare', req.params.id, req.body);
      return reply.code(202).send(change);
    },
  );

  app.get(
    '/v1/vaults/:id/committee',
    {
      schema: {
        tags: ['vaults'],
        summary:
          'The committee holding the key: its last reshare, else the signing schema it was created with',
        params: IdParams,
        response: responses({ 200: Type.Object({ committee: Type.Unknown() }) }),
      },
    },
    async (req) => {
      const k = await s.vaults.keyRow(principalOf(req).workspaceId, req.params.id);
      return { committee: await reshares.currentCommittee(k) };
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
