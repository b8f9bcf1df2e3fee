/**
 * Role-based access control (issue 7 "roles owner, admin, signer, editor, viewer, with RBAC on
 * every route"). One table names, for every route of the API, who may call it. The server
 * refuses to start if a route is missing from the table, so a new route cannot ship
 * unprotected by accident. `public` routes need no signed request; `pairing` routes are
 * authenticated by a pairing token in the body instead.
 */
import type { Role } from '../storage/schema.ts';

export const ROLES: readonly Role[] = Object.freeze([
  'owner',
  'admin',
  'signer',
  'editor',
  'viewer',
]);

export type Access = readonly Role[] | 'public' | 'pairing';

const EVERYONE = ROLES;
const MANAGERS: readonly Role[] = ['owner', 'admin'];
const EDITORS: readonly Role[] = ['owner', 'admin', 'editor'];

/** Keyed by `METHOD path` with Fastify's route syntax. */
export const ROUTE_ACCESS: Readonly<Record<string, Access>> = Object.freeze({
  'GET /openapi.json': 'public',
  'GET /health': 'public',
  // The web console's static files (http/console.ts); its API calls are signed like any other.
  'GET /console': 'public',
  'GET /console/*': 'public',
  'POST /v1/cosigners/pair': 'pairing',
  'GET /v1/me': EVERYONE,
  'GET /v1/workspace': EVERYONE,
  'GET /v1/users': EVERYONE,
  'POST /v1/users': MANAGERS,
  'GET /v1/users/:id': EVERYONE,
  'DELETE /v1/users/:id': MANAGERS,
  'POST /v1/pairing-tokens': MANAGERS,
  'GET /v1/cosigners': EVERYONE,
  'GET /v1/cosigners/:id': EVERYONE,
  'PATCH /v1/cosigners/:id': EDITORS,
  'POST /v1/cosigners/:id/api-users': EDITORS,
  'PUT /v1/cosigners/:id/callback-handler': EDITORS,
  'DELETE /v1/cosigners/:id': EDITORS,
  'GET /v1/config-changes': EVERYONE,
  'GET /v1/config-changes/:id': EVERYONE,
  'POST /v1/config-changes/:id/approve': MANAGERS,
  'POST /v1/config-changes/:id/reject': MANAGERS,
  'POST /v1/config-changes/:id/cancel': EDITORS,
  'GET /v1/policy': EVERYONE,
  'PUT /v1/policy': EDITORS,
});

export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}

export function accessOf(method: string, url: string): Access | undefined {
  return ROUTE_ACCESS[routeKey(method, url)];
}
