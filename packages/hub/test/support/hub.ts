/**
 * Test helpers: a hub context over a given database with a fake clock, API users with fresh
 * keys, and signed requests (the client side of auth/request-token.ts).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import type { HubDb } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/database.ts';
import { createCaMaterial, loadInternalCa } from '../../src/cosigners/ca.ts';
import type { InternalCa } from '../../src/cosigners/ca.ts';
import { buildHubServer } from '../../src/http/server.ts';
import type { BuiltServer } from '../../src/http/server.ts';
import type { HubContext, HubSettings } from '../../src/context.ts';
import { DEFAULT_SETTINGS } from '../../src/context.ts';
import { sha256Hex } from '../../src/auth/request-token.ts';
import type { Role } from '../../src/storage/schema.ts';
import type { HubExtension } from '../../src/extensions.ts';

// Certificates are checked by TLS against the real clock, so the fake clock starts at "now".
export const T0 = Math.floor(Date.now() / 1000) * 1000;

export class FakeClock {
  t = T0;
  readonly now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

let caCache: Promise<InternalCa> | undefined;
/** One CA per test process: creating it is cheap, but there is no need to repeat it. */
export function testCa(): Promise<InternalCa> {
  caCache ??= createCaMaterial('quorate test CA', T0).then(loadInternalCa);
  return caCache;
}

export type KeyKind = 'Ed25519' | 'P-256' | 'RSA-2048';

export interface TestKey {
  readonly kind: KeyKind;
  readonly alg: 'EdDSA' | 'ES256' | 'RS256';
  readonly privateKey: KeyObject;
  readonly publicPem: string;
}

export function testKey(kind: KeyKind = 'Ed25519'): TestKey {
  if (kind === 'RSA-2048') {
    const privateKey = createPrivateKey(
      readFileSync(new URL('../fixtures/rsa-2048.key.pem', import.meta.url)),
    );
    const publicPem = createPublicKey(privateKey)
      .export({ type: 'spki', format: 'pem' })
      .toString();
    return { kind, alg: 'RS256', privateKey, publicPem };
  }
  const pair =
    kind === 'Ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    kind,
    alg: kind === 'Ed25519' ? 'EdDSA' : 'ES256',
    privateKey: pair.privateKey,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface Actor {
  readonly id: string;
  readonly role: Role;
  readonly key: TestKey;
}

export interface TestHub {
  readonly clock: FakeClock;
  readonly ctx: HubContext;
  readonly server: BuiltServer;
  readonly workspaceId: string;
  readonly owner: Actor;
  /** Creates a user with `role` directly through the service. */
  readonly addUser: (
    role: Role,
    opts?: { kind?: 'human' | 'api'; key?: TestKey; name?: string },
  ) => Promise<Actor>;
  readonly close: () => Promise<void>;
}

/** `extensions` lets feature tests run on the same harness (their migrations, routes, RBAC). */
export async function startTestHub(
  db: HubDb,
  settings: Partial<HubSettings> = {},
  extensions: readonly HubExtension[] = [],
): Promise<TestHub> {
  await migrateToLatest(
    db,
    extensions.flatMap((e) => (e.migrations ? [e.migrations] : [])),
  );
  const clock = new FakeClock();
  const pairing = generateKeyPairSync('ed25519');
  const ctx: HubContext = {
    db,
    now: clock.now,
    ca: await testCa(),
    pairingKey: { privateKey: pairing.privateKey, publicKey: pairing.publicKey },
    masterKey: randomBytes(32),
    settings: { ...DEFAULT_SETTINGS, ...settings },
  };
  const server = await buildHubServer(ctx, { extensions });
  const ownerKey = testKey('Ed25519');
  const { workspaceId, owner } = await server.services.workspaces.createWorkspace({
    name: `ws ${randomUUID().slice(0, 8)}`,
    ownerName: 'owner',
    ownerPublicKeyPem: ownerKey.publicPem,
  });
  let n = 0;
  return {
    clock,
    ctx,
    server,
    workspaceId,
    owner: { id: owner.id, role: 'owner', key: ownerKey },
    async addUser(role, opts = {}) {
      const key = opts.key ?? testKey('Ed25519');
      const u = await server.services.workspaces.createUser(
        { id: owner.id, workspaceId, role: 'owner', name: 'owner' },
        {
          name: opts.name ?? `${role}-${++n}`,
          kind: opts.kind ?? 'api',
          role,
          publicKey: key.publicPem,
        },
      );
      return { id: u.id, role, key };
    },
    async close() {
      await server.app.close();
      await db.destroy();
    },
  };
}

export interface SignOptions {
  readonly uri?: string;
  readonly nonce?: string;
  readonly iat?: number;
  readonly exp?: number;
  readonly sub?: string;
  readonly bodyHash?: string;
  readonly key?: KeyObject;
  readonly alg?: string;
}

export async function signRequest(
  actor: Actor,
  now: number,
  uri: string,
  rawBody: string,
  o: SignOptions = {},
): Promise<string> {
  const iat = o.iat ?? Math.floor(now / 1000);
  const payload = {
    uri: o.uri ?? uri,
    nonce: o.nonce ?? randomUUID(),
    iat,
    exp: o.exp ?? iat + 20,
    sub: o.sub ?? actor.id,
    bodyHash: o.bodyHash ?? sha256Hex(rawBody),
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: o.alg ?? actor.key.alg, typ: 'JWT' })
    .sign(o.key ?? actor.key.privateKey);
}

// Responses are checked field by field in the tests; a loose type keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface CallOptions extends SignOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly unsigned?: boolean;
}

/** Sends a signed request through Fastify's inject; returns status and parsed JSON. */
export async function call(
  hub: TestHub,
  actor: Actor,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  o: CallOptions = {},
) {
  const raw = o.body === undefined ? '' : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (raw !== '') headers['content-type'] = 'application/json';
  if (!o.unsigned)
    headers.authorization = `Bearer ${await signRequest(actor, hub.clock.t, url, raw, o)}`;
  const res = await hub.server.app.inject({
    method,
    url,
    headers,
    ...(raw === '' ? {} : { payload: raw }),
  });
  let json: unknown = undefined;
  try {
    json = res.body === '' ? undefined : JSON.parse(res.body);
  } catch {
    json = res.body;
  }
  return { status: res.statusCode, json: json as Json, headers: res.headers, body: res.body };
}
