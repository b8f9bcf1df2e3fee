/**
 * Allow-list routes: list the entries in force; propose adding or removing one (each a
 * configuration change the owner or an admin approves, answered 202 with the change).
 */
import { Type } from 'typebox';
import type { HubApp } from '../http/server.ts';
import { ConfigChange, IdParams, responses } from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import type { AllowlistService } from './service.ts';

const ListId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$',
});
const Asset = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });

const Entry = Type.Object({
  id: Type.String(),
  list: Type.String(),
  asset: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  label: Type.String(),
  changeId: Type.String(),
  requestedBy: Type.String(),
  approvedBy: Type.String(),
  createdAt: Type.Integer(),
});

const AddBody = Type.Object(
  {
    list: Type.Optional(ListId),
    asset: Type.Optional(Type.Union([Asset, Type.Null()])),
    address: Type.String({ minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  { list: Type.Optional(ListId), asset: Type.Optional(Asset) },
  { additionalProperties: false },
);

export function registerAllowlistRoutes(app: HubApp, allowlists: AllowlistService): void {
  app.get(
    '/v1/allowlist',
    {
      schema: {
        tags: ['allowlist'],
        summary: 'Allow-list entries in force (approved), optionally of one list or asset',
        querystring: ListQuery,
        response: responses({ 200: Type.Object({ entries: Type.Array(Entry) }) }),
      },
    },
    async (req) => ({
      entries: await allowlists.list(principalOf(req).workspaceId, req.query),
    }),
  );

  app.post(
    '/v1/allowlist',
    {
      schema: {
        tags: ['allowlist'],
        summary:
          'Propose an entry (list defaults to "default"; no asset = any asset): a configuration change the owner or an admin approves',
        body: AddBody,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) =>
      reply.code(202).send(await allowlists.proposeAdd(principalOf(req), req.body)),
  );

  app.delete(
    '/v1/allowlist/:id',
    {
      schema: {
        tags: ['allowlist'],
        summary: 'Propose removing an entry: a configuration change the owner or an admin approves',
        params: IdParams,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) =>
      reply.code(202).send(await allowlists.proposeRemove(principalOf(req), req.params.id)),
  );
}
