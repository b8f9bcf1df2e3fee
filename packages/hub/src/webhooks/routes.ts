/** Routes of webhook endpoints (signed deliveries of transaction transitions). */
import { Type } from 'typebox';
import type { HubApp } from '../http/server.ts';
import { IdParams, responses } from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import type { SigningStack } from '../orchestration/stack.ts';

const Webhook = Type.Object({ id: Type.String(), url: Type.String(), createdAt: Type.Integer() });

export function registerWebhookRoutes(app: HubApp, s: SigningStack): void {
  app.post(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'Add an endpoint; the answer carries the HMAC-SHA256 secret once (Quorate-Signature: t=…,v1=…)',
        body: Type.Object(
          { url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' }) },
          { additionalProperties: false },
        ),
        response: responses({
          201: Type.Object({
            id: Type.String(),
            url: Type.String(),
            createdAt: Type.Integer(),
            secret: Type.String(),
          }),
        }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await s.webhooks.create(principalOf(req).workspaceId, req.body.url)),
  );

  app.get(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook endpoints',
        response: responses({ 200: Type.Object({ webhooks: Type.Array(Webhook) }) }),
      },
    },
    async (req) => ({ webhooks: await s.webhooks.list(principalOf(req).workspaceId) }),
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Remove an endpoint',
        params: IdParams,
        response: responses({ 200: Type.Object({ removed: Type.String() }) }),
      },
    },
    async (req) => {
      await s.webhooks.remove(principalOf(req).workspaceId, req.params.id);
      return { removed: req.params.id };
    },
  );
}
