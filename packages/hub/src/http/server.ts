/**
 * The hub's HTTP API server (issue 7 "HTTP API"), Fastify 5 with TypeBox schemas for requests
 * and responses. Request pipeline, in order:
 *  1. the JSON body is parsed and its raw text kept (the signature covers its sha256);
 *  2. preValidation: the signed-request JWT is verified (auth/request-token.ts), the route's
 *     roles are checked (auth/rbac.ts), and POSTs with an Idempotency-Key are claimed or
 *     answered from the stored response (http/idempotency.ts);
 *  3. schema validation, the per-principal rate limit (429), the handler;
 *  4. onSend: the response to an idempotent POST is stored.
 * Errors: `HubError` → its status and code; schema failures → 400 `validation_failed` naming
 * the field; anything else → 500 `internal` with no detail.
 */
import Fastify from 'fastify';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import { registerConsoleRoutes } from './console.ts';
import { ERROR_STATUSES, HubError, errorBody } from './errors.ts';
import { createIdempotencyStore } from './idempotency.ts';
import { createNonceStore } from '../auth/nonce-store.ts';
import { createRequestVerifier } from '../auth/request-token.ts';
import type { Principal } from '../auth/request-token.ts';
import { ROUTE_ACCESS, routeKey } from '../auth/rbac.ts';
import type { Access } from '../auth/rbac.ts';
import type { HubExtension, HubExtensionRuntime } from '../extensions.ts';
import type { HubContext } from '../context.ts';
import { createWorkspaceService } from '../workspaces/service.ts';
import { createCosignerRegistry } from '../cosigners/registry.ts';
import { createPairingService } from '../cosigners/pairing.ts';
import { createConfigChangeService } from '../config-changes/service.ts';
import { registerWorkspaceRoutes } from '../workspaces/routes.ts';
import { registerCosignerRoutes } from '../cosigners/routes.ts';
import { registerConfigChangeRoutes } from '../config-changes/routes.ts';
import { Health, responses } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    rawBody: string;
    idempotency: { principal: string; key: string } | null;
  }
}

export type HubApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const API_VERSION = '0.1.0';
const BODY_LIMIT = 1024 * 1024;

export function createServices(ctx: HubContext) {
  const workspaces = createWorkspaceService(ctx);
  const registry = createCosignerRegistry(ctx);
  const pairing = createPairingService(ctx, registry);
  const changes = createConfigChangeService(ctx, registry);
  return { ctx, workspaces, registry, pairing, changes };
}
export type HubServices = ReturnType<typeof createServices>;

export interface BuiltServer {
  readonly app: HubApp;
  readonly services: HubServices;
  /** Every route as `METHOD url`, for the RBAC walk and the docs. */
  readonly routes: readonly string[];
  /** The RBAC table in force: the core's rows and the extensions'. */
  readonly access: Readonly<Record<string, Access>>;
  /** What each extension's setup returned (listener hooks, background work, close). */
  readonly extensions: readonly HubExtensionRuntime[];
}

function fieldOf(e: FastifyError): string | undefined {
  const v = e.validation?.[0];
  if (!v) return undefined;
  const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
  const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const leaf = missing ?? extra;
  return [path, leaf].filter((s) => s !== undefined && s !== '').join('.') || undefined;
}

export async function buildHubServer(
  ctx: HubContext,
  opts: { readonly logger?: boolean; readonly extensions?: readonly HubExtension[] } = {},
): Promise<BuiltServer> {
  const table: Record<string, Access> = { ...ROUTE_ACCESS };
  for (const ext of opts.extensions ?? [])
    for (const [route, a] of Object.entries(ext.access ?? {})) {
      if (route in table)
        throw new Error(`extension ${ext.name}: route ${route} is already in the RBAC table`);
      table[route] = a;
    }
  const accessOf = (method: string, url: string): Access | undefined =>
    table[routeKey(method, url)];
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    exposeHeadRoutes: false,
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const services = createServices(ctx);
  const verifier = createRequestVerifier({
    findKey: (s) => services.workspaces.findKey(s),
    nonces: createNonceStore(ctx.db, ctx.now),
    now: ctx.now,
  });
  const idempotency = createIdempotencyStore(ctx.db, ctx.now);
  const routes: string[] = [];

  app.decorateRequest('principal', null);
  app.decorateRequest('rawBody', '');
  app.decorateRequest('idempotency', null);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    req.rawBody = text;
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HubError('validation_failed', 'the body is not valid JSON', 'body'), undefined);
    }
  });

  // Fail closed: a route without an entry in the RBAC table stops the server from starting.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (accessOf(m, route.url) === undefined)
        throw new Error(`route ${routeKey(m, route.url)} has no entry in auth/rbac.ts`);
      routes.push(routeKey(m, route.url));
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quorate hub API',
        version: API_VERSION,
        description:
          'Every request except the public ones carries `Authorization: Bearer <JWT>` signed by the API user key, with claims uri, nonce, iat, exp (≤ iat + 30 s), sub and bodyHash (sha256 hex of the raw body).',
      },
      components: {
        securitySchemes: { signedRequest: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ signedRequest: [] }],
    },
  });
  app.addSchema({
    $id: 'ErrorResponse',
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: Object.keys(ERROR_STATUSES) },
          message: { type: 'string' },
          field: { type: 'string' },
        },
        required: ['code', 'message'],
      },
    },
    required: ['error'],
  });

  await app.register(rateLimit, {
    global: true,
    max: ctx.settings.rateLimit.max,
    timeWindow: ctx.settings.rateLimit.windowMs,
    hook: 'preHandler',
    keyGenerator: (req) => req.principal?.id ?? `ip:${req.ip}`,
    errorResponseBuilder: (_req, c) =>
      new HubError('rate_limited', `too many requests; retry in ${Math.ceil(c.ttl / 1000)} s`),
  });

  app.addHook('preValidation', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined) return;
    const access = accessOf(req.method, url);
    if (access === undefined || access === 'public' || access === 'pairing') return;
    const principal = await verifier.verify({
      authorization: req.headers.authorization,
      uri: req.url,
      rawBody: req.rawBody,
    });
    req.principal = principal;
    if (!access.includes(principal.role))
      throw new HubError('forbidden', `role ${principal.role} may not call ${req.method} ${url}`);
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined) return;
    const k = idempotency.checkKey(Array.isArray(key) ? (key[0] ?? '') : key);
    const claim = await idempotency.claim(
      principal.id,
      k,
      idempotency.fingerprint(req.method, req.url, req.rawBody),
    );
    if (claim.kind === 'replay') {
      return reply
        .code(claim.response.status)
        .header('content-type', 'application/json; charset=utf-8')
        .header('idempotent-replayed', 'true')
        .send(claim.response.body);
    }
    req.idempotency = { principal: principal.id, key: k };
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotency;
    if (claim === null) return payload;
    req.idempotency = null;
    await idempotency.complete(
      claim.principal,
      claim.key,
      reply.statusCode,
      typeof payload === 'string' ? payload : '',
    );
    return payload;
  });

  app.setErrorHandler((error: FastifyError | HubError, req, reply) => {
    if (error instanceof HubError) {
      if (error.code === 'rate_limited')
        reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
      return reply.code(error.status).send(errorBody(error));
    }
    if (error.validation)
      return reply
        .code(400)
        .send(
          errorBody(
            new HubError(
              'validation_failed',
              `${error.validationContext ?? 'request'} ${error.validation[0]?.message ?? 'is invalid'}`,
              fieldOf(error),
            ),
          ),
        );
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply
        .code(413)
        .send(errorBody(new HubError('payload_too_large', 'the body is too large')));
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500)
      return reply
        .code(400)
        .send(errorBody(new HubError('validation_failed', 'the request is malformed')));
    req.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(new HubError('internal', 'internal error')));
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send(errorBody(new HubError('not_found', 'no such route'))),
  );

  app.get(
    '/health',
    {
      schema: { security: [], response: responses({ 200: Health }) },
      config: { rateLimit: false },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );
  registerWorkspaceRoutes(app, services, ctx, table);
  registerCosignerRoutes(app, services);
  registerConfigChangeRoutes(app, services);
  registerConsoleRoutes(app);
  const runtimes: HubExtensionRuntime[] = [];
  for (const ext of opts.extensions ?? []) {
    const rt = (await ext.setup?.(ctx, services)) ?? {};
    rt.registerRoutes?.(app);
    runtimes.push(rt);
  }

  await app.ready();
  return {
    app,
    services,
    routes: Object.freeze(routes),
    access: Object.freeze(table),
    extensions: Object.freeze(runtimes),
  };
}
