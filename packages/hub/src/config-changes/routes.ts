/**
 * Configuration-change routes: list, get, approve, reject, cancel; and the policy, whose
 * changes are configuration changes too (the owner approves them).
 */
import { Type } from 'typebox';
import type { HubApp, HubServices } from '../http/server.ts';
import {
  ConfigChange,
  ConfigChangeQuery,
  IdParams,
  PolicyBody,
  PolicyInForce,
  RejectBody,
  responses,
} from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';

export function registerConfigChangeRoutes(app: HubApp, s: HubServices): void {
  app.get(
    '/v1/config-changes',
    {
      schema: {
        tags: ['config-changes'],
        summary: 'Configuration changes, optionally by status',
        querystring: ConfigChangeQuery,
        response: responses({ 200: Type.Object({ changes: Type.Array(ConfigChange) }) }),
      },
    },
    async (req) => ({
      changes: await s.changes.list(principalOf(req).workspaceId, req.query.status),
    }),
  );

  app.get(
    '/v1/config-changes/:id',
    {
      schema: {
        tags: ['config-changes'],
        summary: 'One configuration change',
        params: IdParams,
        response: responses({ 200: ConfigChange }),
      },
    },
    async (req) => s.changes.get(principalOf(req).workspaceId, req.params.id),
  );

  app.post(
    '/v1/config-changes/:id/approve',
    {
      schema: {
        tags: ['config-changes'],
        summary: 'Approve: the change is applied and COMPLETED',
        params: IdParams,
        response: responses({ 200: ConfigChange }),
      },
    },
    async (req) => s.changes.approve(principalOf(req), req.params.id),
  );

  app.post(
    '/v1/config-changes/:id/reject',
    {
      schema: {
        tags: ['config-changes'],
        summary: 'Reject a waiting change',
        params: IdParams,
        body: RejectBody,
        response: responses({ 200: ConfigChange }),
      },
    },
    async (req) => s.changes.reject(principalOf(req), req.params.id, req.body.reason ?? null),
  );

  app.post(
    '/v1/config-changes/:id/cancel',
    {
      schema: {
        tags: ['config-changes'],
        summary: 'Withdraw a waiting change (requester, owner or admin)',
        params: IdParams,
        response: responses({ 200: ConfigChange }),
      },
    },
    async (req) => s.changes.cancel(principalOf(req), req.params.id),
  );

  app.get(
    '/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'The policy in force (null before the first one)',
        response: responses({ 200: PolicyInForce }),
      },
    },
    async (req) => ({ policy: await s.changes.currentPolicy(principalOf(req).workspaceId) }),
  );

  app.put(
    '/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'Propose a new policy (a configuration change the owner approves)',
        body: PolicyBody,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) => {
      const change = await s.changes.requestPolicy(principalOf(req), req.body.policy);
      return reply.code(202).send(change);
    },
  );
}
