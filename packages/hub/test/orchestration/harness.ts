/**
 * Test harness for signing orchestration: a hub with the signing extension and its mTLS listener,
 * and in-process fake co-signers that pair through the API (P-256 CSR → certificate from the
 * hub's CA) and speak the relay contract over `wss://…/v1/cosigner/ws`. The fakes hold a fixture
 * root key (test only: there is no MPC here, only the wire behaviour), exchange one envelope with
 * every other participant before reporting, and can be told to stay silent, refuse, or abort
 * naming a culprit.
 */
import { KeyObject, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { HDKey } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { HubDb } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/database.ts';
import { createCsr } from '../../src/cosigners/ca.ts';
import { startCosignerListener } from '../../src/cosigners/mtls.ts';
import type { CosignerListener } from '../../src/cosigners/mtls.ts';
import { buildHubServer } from '../../src/http/server.ts';
import type { HubContext } from '../../src/context.ts';
import { DEFAULT_SETTINGS } from '../../src/context.ts';
import { SIGNING_MIGRATIONS, signingExtension } from '../../src/orchestration/extension.ts';
import type { SigningStack } from '../../src/orchestration/stack.ts';
import type { Job } from '../../src/orchestration/frames.ts';
import { FakeClock, call, testCa, testKey } from '../support/hub.ts';
import type { Actor, Json, TestHub } from '../support/hub.ts';

/** Fixture root key of the fake committee (a BIP32 test key; never used outside tests). */
export const ROOT_PRIVATE_KEY = Buffer.from(
  'e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35',
  'hex',
);
export const ROOT_CHAIN_CODE = Buffer.from(
  '873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508',
  'hex',
);
export const ROOT = new HDKey({ privateKey: ROOT_PRIVATE_KEY, chainCode: ROOT_CHAIN_CODE });

export type Behaviour =
  | { readonly kind: 'honest' }
  | { readonly kind: 'silent' }
  | { readonly kind: 'refuse'; readonly reason: string }
  /** Lost its pooled presignatures (restored from a backup): refuses sign jobs naming one. */
  | { readonly kind: 'lost-presignatures' }
  /** Reports done at once, without the protocol messages (a party that committed, the others lost). */
  | { readonly kind: 'done-at-once' }
  /** Report an abort naming these parties whenever they are in the job. */
  | {
      readonly kind: 'blame';
      readonly culprits: readonly number[];
      /** Message ids sent as the abort's evidence (the relay contract's optional field). */
      readonly evidence?: readonly string[];
    };

export interface FakeCosigner {
  readonly id: string;
  readonly apiUser: Actor;
  readonly cert: string;
  readonly key: string;
  readonly identity: { signing: string; encryption: string };
  behaviour: Behaviour;
  readonly jobs: Job[];
  readonly envelopes: { jobId: string; from: string; data: string }[];
  readonly cancels: { jobId: string; reason: string }[];
  onJob?: (job: Job) => void;
  ws: WebSocket | null;
  /** Connects to `to` (another hub on the same database), else to the hub that paired it. */
  connect(to?: SigningHub): Promise<void>;
  send(frame: unknown): void;
  heartbeat(): void;
  close(): void;
}

async function p256(): Promise<{ csr: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const key = KeyObject.from(keys.privateKey as Parameters<typeof KeyObject.from>[0])
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { csr: await createCsr(keys, 'P-256'), key };
}

/** Job time-outs under the test's control: they fire only when a test says so. */
export class ManualTimers {
  private pending: { fire: () => void; live: boolean }[] = [];
  readonly set = (fire: () => void): (() => void) => {
    const t = { fire, live: true };
    this.pending.push(t);
    return () => (t.live = false);
  };
  /** Fires every live time-out; returns how many fired. */
  fireAll(): number {
    const live = this.pending.filter((t) => t.live);
    this.pending = [];
    for (const t of live) {
      t.live = false;
      t.fire();
    }
    return live.length;
  }
}

export interface SigningHub extends TestHub {
  readonly timers: ManualTimers;
  readonly stack: SigningStack;
  readonly listener: CosignerListener;
  readonly port: number;
}

/**
 * `existing`: open a hub on a database that already holds this workspace (a restarted hub)
 * instead of creating one.
 */
export async function startSigningHub(
  db: HubDb,
  existing?: { readonly workspaceId: string; readonly owner: Actor },
): Promise<SigningHub> {
  await migrateToLatest(db, [SIGNING_MIGRATIONS]);
  const clock = new FakeClock();
  const pairing = generateKeyPairSync('ed25519');
  const ctx: HubContext = {
    db,
    now: clock.now,
    ca: await testCa(),
    pairingKey: { privateKey: pairing.privateKey, publicKey: pairing.publicKey },
    masterKey: randomBytes(32),
    settings: DEFAULT_SETTINGS,
  };
  let stack: SigningStack | undefined;
  const timers = new ManualTimers();
  const server = await buildHubServer(ctx, {
    extensions: [
      signingExtension({
        coordinator: { jobTimeoutMs: 30_000, maxAttempts: 3 },
        relay: { setTimer: timers.set },
        webhooks: { backoffMs: 5, maxAttempts: 3, timeoutMs: 10_000 },
        refill: { targetSize: 2, maxPooledCliques: 1, maxBatch: 2 },
        onSetup: (s) => (stack = s),
      }),
    ],
  });
  assert.ok(stack);
  const listener = await startCosignerListener(ctx, server.services.registry, {
    host: '127.0.0.1',
    port: 0,
  });
  for (const rt of server.extensions) rt.attachCosignerListener?.(listener.server);
  const ownerKey = existing?.owner.key ?? testKey('Ed25519');
  const { workspaceId, owner } =
    existing === undefined
      ? await server.services.workspaces.createWorkspace({
          name: `ws-${randomBytes(4).toString('hex')}`,
          ownerName: 'owner',
          ownerPublicKeyPem: ownerKey.publicPem,
        })
      : { workspaceId: existing.workspaceId, owner: { id: existing.owner.id } };
  let n = 0;
  const s = stack;
  return {
    clock,
    ctx,
    server,
    workspaceId,
    owner: { id: owner.id, role: 'owner', key: ownerKey },
    stack: s,
    timers,
    listener,
    port: listener.port,
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
      for (const rt of server.extensions) await rt.close?.();
      await listener.close();
      await server.app.close();
      await db.destroy();
    },
  };
}

/** The fixture's child private key for a non-hardened path. */
export function childKey(path: string): Uint8Array {
  const k = ROOT.derive(path).privateKey;
  assert.ok(k);
  return k;
}

function output(job: Job): Record<string, unknown> {
  if (job.kind === 'keygen')
    return {
      publicKey: Buffer.from(ROOT.publicKey!).toString('hex'),
      chainCode: ROOT_CHAIN_CODE.toString('hex'),
    };
  // A reshare keeps the public key; every co-signer reports it with the agreed confirmation.
  if (job.kind === 'reshare' && job.reshare !== undefined)
    return { publicKey: job.reshare.publicKey, confirmation: job.sessionId };
  if (job.kind === 'sign' && job.request !== null) {
    const sig = secp256k1.sign(
      Buffer.from(job.request.digest, 'hex'),
      childKey(job.request.derivationPath ?? 'm'),
      { prehash: false, lowS: true, format: 'compact' },
    );
    return { signature: Buffer.from(sig).toString('hex') };
  }
  return {};
}

export function wsConnect(
  port: number,
  ca: string,
  id: { cert?: string; key?: string },
): WebSocket {
  const options: ClientOptions = {
    ca,
    ...(id.cert === undefined ? {} : { cert: id.cert }),
    ...(id.key === undefined ? {} : { key: id.key }),
  };
  // The listener's certificate names 127.0.0.1 and localhost (ws passes `servername` to TLS).
  return new WebSocket(`wss://127.0.0.1:${port}/v1/cosigner/ws`, {
    ...options,
    servername: 'localhost',
  } as ClientOptions);
}

export async function addCosigner(hub: SigningHub): Promise<FakeCosigner> {
  const apiUser = await hub.addUser('signer');
  const t = await call(hub, hub.owner, 'POST', '/v1/pairing-tokens', {
    body: { apiUserId: apiUser.id },
  });
  assert.equal(t.status, 201, t.body);
  const { csr, key } = await p256();
  const r = await call(hub, hub.owner, 'POST', '/v1/cosigners/pair', {
    unsigned: true,
    body: { token: t.json.token, csr },
  });
  assert.equal(r.status, 201, r.body);
  let target = hub;
  const f: FakeCosigner = {
    id: r.json.cosigner.id,
    apiUser,
    cert: r.json.certificate,
    key,
    identity: {
      signing: randomBytes(32).toString('hex'),
      encryption: randomBytes(32).toString('hex'),
    },
    behaviour: { kind: 'honest' },
    jobs: [],
    envelopes: [],
    cancels: [],
    ws: null,
    async connect(to?: SigningHub) {
      if (to !== undefined) target = to;
      const ws = wsConnect(target.port, target.ctx.ca.certificatePem, {
        cert: f.cert,
        key: f.key,
      });
      f.ws = ws;
      await once(ws, 'open');
      const got = new Map<string, Set<string>>();
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as Json;
        if (m.type === 'cancel') return f.cancels.push({ jobId: m.jobId, reason: m.reason });
        if (m.type === 'envelope') {
          f.envelopes.push({ jobId: m.jobId, from: m.from, data: m.data });
          const job = f.jobs.find((j) => j.jobId === m.jobId);
          const set = got.get(m.jobId) ?? new Set<string>();
          set.add(m.from);
          got.set(m.jobId, set);
          if (job) maybeFinish(job);
          return;
        }
        if (m.type !== 'job') return;
        const job = m.job as Job;
        f.jobs.push(job);
        f.onJob?.(job);
        const b = f.behaviour;
        if (b.kind === 'silent') return;
        if (b.kind === 'refuse')
          return f.send({ type: 'job-refused', jobId: job.jobId, reason: b.reason });
        const named = job.request?.presignatureId;
        if (b.kind === 'lost-presignatures' && named !== undefined)
          return f.send({
            type: 'job-refused',
            jobId: job.jobId,
            reason: `unknown presignature ${named}`,
            check: 'presignature',
          });
        f.send({ type: 'job-accepted', jobId: job.jobId });
        if (b.kind === 'done-at-once')
          return f.send({
            type: 'job-result',
            jobId: job.jobId,
            status: 'done',
            output: output(job),
          });
        if (b.kind === 'blame' && job.participants.some((p) => b.culprits.includes(p.partyId)))
          return f.send({
            type: 'job-result',
            jobId: job.jobId,
            status: 'failed',
            error: {
              kind: 'aborted',
              culprits: [...b.culprits],
              reason: 'Π^enc proof failed',
              ...(b.evidence === undefined ? {} : { evidence: [...b.evidence] }),
            },
          });
        for (const p of job.participants)
          if (p.cosignerId !== f.id)
            f.send({
              type: 'envelope',
              jobId: job.jobId,
              to: p.cosignerId,
              data: Buffer.from(`round 1 from ${f.id}`).toString('base64'),
            });
        maybeFinish(job);
      });
      const finished = new Set<string>();
      function maybeFinish(job: Job) {
        const b = f.behaviour;
        const honest =
          b.kind === 'honest' ||
          b.kind === 'lost-presignatures' ||
          (b.kind === 'blame' && !job.participants.some((p) => b.culprits.includes(p.partyId)));
        if (finished.has(job.jobId) || !honest) return;
        if (!f.jobs.includes(job)) return;
        const others = job.participants.filter((p) => p.cosignerId !== f.id).length;
        if ((got.get(job.jobId)?.size ?? 0) < others) return;
        finished.add(job.jobId);
        f.send({ type: 'job-result', jobId: job.jobId, status: 'done', output: output(job) });
      }
      f.send({ type: 'hello', cosignerId: f.id, version: 1, identity: f.identity });
      const hubNow = target;
      await until(() => hubNow.stack.relay.isOnline(f.id));
    },
    send(frame) {
      f.ws?.send(JSON.stringify(frame));
    },
    heartbeat() {
      f.send({ type: 'heartbeat', at: new Date(target.clock.t).toISOString() });
    },
    close() {
      f.ws?.close();
    },
  };
  return f;
}

/** Waits (by polling) for a condition the hub reaches asynchronously. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what = 'condition',
): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
