/**
 * Co-signer management routes (issue 7): pair (with a pairing token), list, get, rename, and
 * the changes that need approval — pair another API user, set an API user's callback handler,
 * unpair — which answer 202 with the configuration-change request they created.
 */
import { Type } from 'typebox';
import type { HubApp, HubServices } from '../http/server.ts';
import {
  CallbackHandlerBody,
  ConfigChange,
  Cosigner,
  IdParams,
  PairApiUserBody,
  PairBody,
  PairResult,
  RenameBody,
  responses,
} from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import { checkName } from '../workspaces/service.ts';
import { parsePublicKey } from '../auth/public-keys.ts';
import { requirePairableApiUser } from './pairing.ts';
import { HubError } from '../http/errors.ts';

export function registerCosignerRoutes(app: HubApp, s: HubServices): void {
  app.post(
    '/v1/cosigners/pair',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'Redeem a pairing token with a CSR; returns the mTLS client certificate',
        security: [],
        body: PairBody,
        response: responses({ 201: PairResult }),
      },
    },
    async (req, reply) => {
      const r = await s.pairing.redeem(req.body);
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/v1/cosigners',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'Co-signers of the workspace with their health',
        response: responses({ 200: Type.Object({ cosigners: Type.Array(Cosigner) }) }),
      },
    },
    async (req) => ({ cosigners: await s.registry.list(principalOf(req).workspaceId) }),
  );

  app.get(
    '/v1/cosigners/:id',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'One co-signer',
        params: IdParams,
        response: responses({ 200: Cosigner }),
      },
    },
    async (req) => s.registry.get(principalOf(req).workspaceId, req.params.id),
  );

  app.patch(
    '/v1/cosigners/:id',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'Rename a co-signer',
        params: IdParams,
        body: RenameBody,
        response: responses({ 200: Cosigner }),
      },
    },
    async (req) =>
      s.registry.rename(principalOf(req).workspaceId, req.params.id, checkName(req.body.name)),
  );

  app.post(
    '/v1/cosigners/:id/api-users',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'Pair another API user (a configuration change the owner approves)',
        params: IdParams,
        body: PairApiUserBody,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const c = await s.registry.get(p.workspaceId, req.params.id);
      if (c.status !== 'active')
        throw new HubError('invalid_state', 'the co-signer is unpaired', 'id');
      await requirePairableApiUser(s.ctx, p.workspaceId, req.body.apiUserId);
      if (await s.registry.isApiUserPaired(req.body.apiUserId))
        throw new HubError('conflict', 'this API user is already paired', 'apiUserId');
      const change = await s.changes.request(p, 'cosigner.pair_api_user', c.id, {
        apiUserId: req.body.apiUserId,
      });
      return reply.code(202).send(change);
    },
  );

  app.put(
    '/v1/cosigners/:id/callback-handler',
    {
      schema: {
        tags: ['cosigners'],
        summary:
          "Set or clear a paired API user's callback handler (a configuration change the owner approves)",
        params: IdParams,
        body: CallbackHandlerBody,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const c = await s.registry.get(p.workspaceId, req.params.id);
      if (c.status !== 'active')
        throw new HubError('invalid_state', 'the co-signer is unpaired', 'id');
      const publicKey =
        req.body.publicKey === undefined || req.body.publicKey === null
          ? null
          : parsePublicKey(req.body.publicKey, 'publicKey').pem;
      if (req.body.url !== null) {
        try {
          new URL(req.body.url);
        } catch {
          throw new HubError('validation_failed', 'url must be an https:// URL', 'url');
        }
      }
      // Handlers are per (co-signer, API user). Without apiUserId (clients from before), the
      // change applies to every API user paired when it is approved.
      const apiUserId = req.body.apiUserId;
      if (apiUserId !== undefined && !c.apiUserIds.includes(apiUserId))
        throw new HubError(
          'validation_failed',
          `API user ${apiUserId} is not paired with this co-signer`,
          'apiUserId',
        );
      const change = await s.changes.request(p, 'cosigner.set_callback_handler', c.id, {
        ...(apiUserId === undefined ? {} : { apiUserId }),
        url: req.body.url,
        publicKey,
      });
      return reply.code(202).send(change);
    },
  );

  app.delete(
    '/v1/cosigners/:id',
    {
      schema: {
        tags: ['cosigners'],
        summary: 'Unpair a co-signer (a configuration change the owner or an admin approves)',
        params: IdParams,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const c = await s.registry.get(p.workspaceId, req.params.id);
      if (c.status !== 'active')
        throw new HubError('invalid_state', 'the co-signer is already unpaired', 'id');
      const change = await s.changes.request(p, 'cosigner.unpair', c.id, {});
      return reply.code(202).send(change);
    },
  );
}
