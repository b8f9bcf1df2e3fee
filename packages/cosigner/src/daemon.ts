/**
 * The co-signer daemon (`quorate cosigner start`; issue 6): opens the sealed store, loads the
 * identity, opens the audit log (fail closed) and the metrics, and runs one hub connection and
 * job loop per pairing (several API users across workspaces). It polls the hub's `whoami` over
 * mTLS so that approved configuration changes (another API user, a callback handler) take effect,
 * and only then.
 */
import https from 'node:https';
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import { AuditLog, FileAuditSink } from '@quorate/cosigner-risk/audit';
import { CallbackClient } from '@quorate/cosigner-risk/callback';
import type { HandlerConfig } from '@quorate/cosigner-risk/callback';
import {
  createCosignerMetrics,
  pointsFromRegistry,
  pushToInflux,
  startMetricsServer,
} from '@quorate/cosigner-risk/metrics';
import type { CosignerMetrics, InfluxTarget } from '@quorate/cosigner-risk/metrics';
import { RiskEngine } from '@quorate/cosigner-risk/rules';
import type { RiskRules } from '@quorate/cosigner-risk/rules';
import type { CallbackAlg } from '@quorate/callback';
import type { OneTimeStore, SecretStore } from '@quorate/secrets';
import type { CosignerConfig } from './config.ts';
import { HubConnection } from './connection.ts';
import type { ConnectionLog } from './connection.ts';
import { callbackSigningKey, loadAuditKey, loadIdentity, publicIdentity } from './identity.ts';
import type { Identity } from './identity.ts';
import { JobRunner } from './jobs.ts';
import { safePrimePool } from './ecdsa.ts';
import type { PrimeSource } from './ecdsa.ts';
import type { JobEvent } from './jobs.ts';
import { auditPath, openStore, readPairings, sealFromConfig, updatePairing } from './state.ts';
import { handlersOf } from './state.ts';
import type { Pairing } from './state.ts';
import { tlsKeyPem } from './pairing.ts';

export interface CosignerOptions {
  readonly identity: Identity;
  readonly store: SecretStore;
  readonly oneTime: OneTimeStore;
  readonly pairings: readonly Pairing[];
  readonly rules: RiskRules;
  readonly audit: AuditLog;
  readonly metrics?: CosignerMetrics;
  readonly callbacks?: { timeoutMs?: number; retryDelaysMs?: readonly number[] };
  readonly heartbeatMs?: number;
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  /** TLS server name override for every pairing (test rigs). */
  readonly servername?: string;
  readonly log?: ConnectionLog;
  readonly onEvent?: (cosignerId: string, e: JobEvent) => void;
  readonly fetch?: typeof fetch;
  /** Safe primes for ECDSA aux-info; without one, aux-info jobs are refused. */
  readonly primes?: PrimeSource;
}

interface Link {
  pairing: Pairing;
  hubKey: KeyObject | undefined;
  handlers: ApiUserHandlerConfig[];
  runner: JobRunner;
  conn: HubConnection;
}

/** The JWT algorithm a handler's public key implies (the hub stores only the PEM). */
export function handlerConfig(url: string, publicKeyPem: string): HandlerConfig {
  const key = createPublicKey(publicKeyPem);
  const ALGS: Record<string, CallbackAlg> = { rsa: 'RS256', ec: 'ES256', ed25519: 'EdDSA' };
  const alg = ALGS[key.asymmetricKeyType ?? ''];
  if (alg === undefined)
    throw new Error(
      `callback handler key type ${key.asymmetricKeyType ?? 'unknown'} is not supported`,
    );
  return { id: new URL(url).host, url, publicKey: { alg, key } };
}

export interface ApiUserHandlerConfig {
  readonly apiUserId: string;
  /** url + newline + public key PEM: the same handler configured for two users is asked once. */
  readonly key: string;
  readonly config: HandlerConfig;
}

function handlerConfigs(p: Pairing): ApiUserHandlerConfig[] {
  return handlersOf(p).map((h) => ({
    apiUserId: h.apiUserId,
    key: `${h.url}\n${h.publicKeyPem}`,
    config: handlerConfig(h.url, h.publicKeyPem),
  }));
}

/**
 * The handlers a job answers to: exactly its API user's when that user is paired here; for a
 * job naming no API user of ours (a guard's part of another user's signature, a hub-internal
 * presign, a keygen asked by a human) every handler configured on this pairing, each once.
 */
export function handlersFor(
  all: readonly ApiUserHandlerConfig[],
  apiUserId: string | null,
  paired: readonly string[],
): HandlerConfig[] {
  if (apiUserId !== null && paired.includes(apiUserId))
    return all.filter((h) => h.apiUserId === apiUserId).map((h) => h.config);
  const seen = new Set<string>();
  const out: HandlerConfig[] = [];
  for (const h of all) {
    if (seen.has(h.key)) continue;
    seen.add(h.key);
    out.push(h.config);
  }
  return out;
}

export class Cosigner {
  readonly #o: CosignerOptions;
  readonly #links: Link[] = [];
  readonly #rules: RiskEngine;
  readonly #callbacks: CallbackClient;

  constructor(o: CosignerOptions) {
    this.#o = o;
    this.#rules = new RiskEngine(o.rules);
    this.#callbacks = new CallbackClient({
      signingKey: callbackSigningKey(o.identity),
      ...(o.callbacks?.timeoutMs === undefined ? {} : { timeoutMs: o.callbacks.timeoutMs }),
      ...(o.callbacks?.retryDelaysMs === undefined
        ? {}
        : { retryDelaysMs: o.callbacks.retryDelaysMs }),
      ...(o.fetch === undefined ? {} : { fetch: o.fetch }),
      ...(o.metrics === undefined ? {} : { observer: o.metrics.callbackObserver }),
    });
    for (const p of o.pairings) this.#links.push(this.#link(p));
  }

  #link(pairing: Pairing): Link {
    const o = this.#o;
    const link = {} as Link;
    link.pairing = pairing;
    link.hubKey = pairing.hubJobKeyPem === null ? undefined : createPublicKey(pairing.hubJobKeyPem);
    link.handlers = handlerConfigs(pairing);
    link.runner = new JobRunner({
      cosignerId: pairing.cosignerId,
      apiUserIds: () => link.pairing.apiUserIds,
      identity: o.identity,
      store: o.store,
      oneTime: o.oneTime,
      hubJobKey: () => link.hubKey,
      rules: this.#rules,
      callbacks: this.#callbacks,
      handlers: (apiUserId) => handlersFor(link.handlers, apiUserId, link.pairing.apiUserIds),
      audit: o.audit,
      ...(o.metrics === undefined ? {} : { metrics: o.metrics }),
      ...(o.primes === undefined ? {} : { primes: o.primes }),
      send: (f) => link.conn.send(f),
      onEvent: (e) => o.onEvent?.(pairing.cosignerId, e),
    });
    link.conn = new HubConnection({
      url: pairing.cosignerUrl,
      tls: {
        certPem: pairing.certificatePem,
        keyPem: tlsKeyPem(o.store, pairing.workspaceId),
        caPem: pairing.caCertificatePem,
        ...(o.servername === undefined ? {} : { servername: o.servername }),
      },
      cosignerId: pairing.cosignerId,
      identity: publicIdentity(o.identity),
      jobs: link.runner,
      ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }),
      ...(o.backoffMinMs === undefined ? {} : { backoffMinMs: o.backoffMinMs }),
      ...(o.backoffMaxMs === undefined ? {} : { backoffMaxMs: o.backoffMaxMs }),
      ...(o.log === undefined ? {} : { log: o.log }),
    });
    return link;
  }

  start(): void {
    for (const l of this.#links) l.conn.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#links.map((l) => l.conn.stop()));
  }

  get connections(): readonly HubConnection[] {
    return this.#links.map((l) => l.conn);
  }

  /** Applies a pairing as the hub now reports it (approved API users and callback handler). */
  applyApproved(cosignerId: string, pairing: Pairing): void {
    const l = this.#links.find((x) => x.pairing.cosignerId === cosignerId);
    if (!l) return;
    l.pairing = pairing;
    l.hubKey = pairing.hubJobKeyPem === null ? undefined : createPublicKey(pairing.hubJobKeyPem);
    l.handlers = handlerConfigs(pairing);
  }
}

/** GET /cosigner/v1/whoami over mTLS: the co-signer as the hub knows it (approved state). */
export function whoami(
  pairing: Pairing,
  keyPem: string,
  servername?: string,
): Promise<Record<string, unknown>> {
  const u = new URL(pairing.cosignerUrl.replace(/^wss:/, 'https:'));
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port || 443,
        path: '/cosigner/v1/whoami',
        method: 'GET',
        cert: pairing.certificatePem,
        key: keyPem,
        ca: pairing.caCertificatePem,
        minVersion: 'TLSv1.3',
        ...(servername === undefined ? {} : { servername }),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200)
            return reject(new Error(`whoami: HTTP ${res.statusCode ?? 0}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          } catch {
            reject(new Error('whoami: not JSON'));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('whoami: time-out')));
    req.on('error', reject);
    req.end();
  });
}

/** The hub's whoami names another job-signing key than the one pinned at pairing. */
export class HubKeyMismatchError extends Error {
  override readonly name = 'HubKeyMismatchError';
  constructor(readonly cosignerId: string) {
    super(
      `co-signer ${cosignerId}: the hub's whoami names a job-signing key other than the one pinned at pairing; its view is not applied (jobs stay checked against the pinned key)`,
    );
  }
}

function sameKey(a: string, b: string): boolean {
  try {
    const da = createPublicKey(a).export({ type: 'spki', format: 'der' });
    const db = createPublicKey(b).export({ type: 'spki', format: 'der' });
    return da.equals(db);
  } catch {
    return false;
  }
}

function viewHandlers(view: Record<string, unknown>): Pairing['callbackHandlers'] {
  const list = view['callbackHandlers'];
  if (!Array.isArray(list)) return undefined;
  const out: NonNullable<Pairing['callbackHandlers']> = [];
  for (const h of list as unknown[]) {
    const x = h as { apiUserId?: unknown; url?: unknown; publicKey?: unknown } | null;
    if (
      x !== null &&
      typeof x === 'object' &&
      typeof x.apiUserId === 'string' &&
      typeof x.url === 'string' &&
      typeof x.publicKey === 'string'
    )
      out.push({ apiUserId: x.apiUserId, url: x.url, publicKeyPem: x.publicKey });
  }
  return out;
}

/**
 * Folds the hub's view (whoami) into the local pairing: API users and callback handlers the hub
 * lists are approved; pending changes they satisfy are dropped. The hub's job-signing key is
 * pinned at pairing: a whoami naming another one throws HubKeyMismatchError and changes nothing.
 */
export function mergeApproved(p: Pairing, view: Record<string, unknown>): Pairing {
  const jobKey = view['jobSigningKey'];
  const hubKey = typeof jobKey === 'string' && jobKey.length > 0 ? jobKey : null;
  if (p.hubJobKeyPem !== null && hubKey !== null && !sameKey(p.hubJobKeyPem, hubKey))
    throw new HubKeyMismatchError(p.cosignerId);
  const apiUserIds = Array.isArray(view['apiUserIds'])
    ? (view['apiUserIds'] as unknown[]).filter((x): x is string => typeof x === 'string')
    : p.apiUserIds;
  const cb = view['callbackHandler'] as { url?: unknown; publicKey?: unknown } | null | undefined;
  const callbackHandler =
    cb === undefined
      ? p.callbackHandler
      : cb === null || typeof cb.url !== 'string' || typeof cb.publicKey !== 'string'
        ? null
        : { url: cb.url, publicKeyPem: cb.publicKey };
  // A hub that lists handlers per API user; an older one only has the legacy single handler.
  const listed = viewHandlers(view);
  const callbackHandlers = listed ?? (cb === undefined ? p.callbackHandlers : undefined);
  const next = { ...p, apiUserIds, callbackHandler };
  if (callbackHandlers === undefined) delete next.callbackHandlers;
  else next.callbackHandlers = callbackHandlers;
  const handlers = handlersOf(next);
  const name = typeof view['name'] === 'string' ? view['name'] : p.name;
  const pending = p.pending.filter((c) => {
    if (c.kind === 'pair_api_user') return !apiUserIds.includes(c.payload['apiUserId'] ?? '');
    if (c.kind === 'set_callback_handler') {
      const user = c.payload['apiUserId'];
      const url = c.payload['url'] ?? null;
      if (user === undefined || user === null) return (callbackHandler?.url ?? null) !== url;
      return (handlers.find((h) => h.apiUserId === user)?.url ?? null) !== url;
    }
    return view['status'] !== 'unpaired';
  });
  return {
    ...next,
    name,
    pending,
    // Pinned once: a key already pinned is never replaced by what the hub says later.
    hubJobKeyPem: p.hubJobKeyPem ?? hubKey,
  };
}

type Env = Readonly<Record<string, string | undefined>>;

export interface RunningDaemon {
  readonly cosigner: Cosigner;
  readonly metricsServer?: Server;
  stop(): Promise<void>;
}

/** `cosigner start`: everything from the configuration; resolves once connections are started. */
export async function startDaemon(
  cfg: CosignerConfig,
  env: Env,
  log: ConnectionLog,
): Promise<RunningDaemon> {
  const seal = sealFromConfig(cfg, env);
  const opened = await openStore(cfg, seal);
  const identity = loadIdentity(opened.store);
  const sink = new FileAuditSink(auditPath(cfg));
  const audit = await AuditLog.open(
    sink,
    cfg.audit.mode === 'hmac'
      ? { mode: 'hmac', hmacKey: loadAuditKey(opened.store) }
      : { mode: 'redact' },
  );
  await audit.append('daemon.start', { identity: publicIdentity(identity) });
  const metrics = createCosignerMetrics();
  let metricsServer: Server | undefined;
  if (cfg.metrics.listen !== undefined) {
    const i = cfg.metrics.listen.lastIndexOf(':');
    metricsServer = await startMetricsServer(
      metrics.registry,
      Number(cfg.metrics.listen.slice(i + 1)),
      cfg.metrics.listen.slice(0, i),
    );
  }
  let influxTimer: NodeJS.Timeout | undefined;
  const influx = cfg.metrics.influx;
  if (influx !== undefined) {
    const target: InfluxTarget =
      influx.version === 1
        ? {
            version: 1,
            url: influx.url,
            database: influx.database,
            ...(influx.username === undefined ? {} : { username: influx.username }),
            ...(influx.passwordEnv === undefined || env[influx.passwordEnv] === undefined
              ? {}
              : { password: env[influx.passwordEnv] as string }),
          }
        : {
            version: 2,
            url: influx.url,
            org: influx.org,
            bucket: influx.bucket,
            token: env[influx.tokenEnv] ?? '',
          };
    influxTimer = setInterval(() => {
      void pointsFromRegistry(metrics.registry, BigInt(Date.now()) * 1_000_000n)
        .then((pts) => pushToInflux(target, pts))
        .catch((e: unknown) =>
          log('warn', 'influx-push-failed', { error: e instanceof Error ? e.message : 'error' }),
        );
    }, influx.intervalSeconds * 1000);
  }
  const pairings = readPairings(cfg.dataDir);
  if (pairings.length === 0) log('warn', 'no-pairing', { hint: 'run "quorate cosigner pair"' });
  const primes = safePrimePool(cfg.ecdsa.level, cfg.ecdsa.primePoolSize);
  const cosigner = new Cosigner({
    primes,
    identity,
    store: opened.store,
    oneTime: opened.oneTime,
    pairings,
    rules: cfg.risk,
    audit,
    metrics,
    callbacks: cfg.callbacks,
    heartbeatMs: cfg.connection.heartbeatSeconds * 1000,
    backoffMinMs: cfg.connection.backoffMinMs,
    backoffMaxMs: cfg.connection.backoffMaxMs,
    ...(cfg.hub?.tlsServerName === undefined ? {} : { servername: cfg.hub.tlsServerName }),
    log,
    onEvent: (id, e) => log('info', `job-${e.type}`, { cosignerId: id, jobId: e.jobId }),
  });
  cosigner.start();
  const poll = setInterval(() => {
    for (const p of readPairings(cfg.dataDir)) {
      whoami(p, tlsKeyPem(opened.store, p.workspaceId), cfg.hub?.tlsServerName).then(
        (view) => {
          let next: Pairing | undefined;
          try {
            next = updatePairing(cfg.dataDir, p.cosignerId, (cur) => mergeApproved(cur, view));
          } catch (e) {
            if (!(e instanceof HubKeyMismatchError))
              return log('warn', 'whoami-apply-failed', {
                error: e instanceof Error ? e.message : 'error',
              });
            void audit
              .append('hub.job-key-mismatch', { cosignerId: p.cosignerId })
              .catch(() => undefined);
            return log('warn', 'hub-job-key-mismatch', {
              cosignerId: p.cosignerId,
              error: e.message,
            });
          }
          if (next) cosigner.applyApproved(p.cosignerId, next);
        },
        (e: unknown) =>
          log('warn', 'whoami-failed', { error: e instanceof Error ? e.message : 'error' }),
      );
    }
  }, cfg.connection.pollSeconds * 1000);
  return {
    cosigner,
    ...(metricsServer === undefined ? {} : { metricsServer }),
    async stop() {
      clearInterval(poll);
      clearInterval(influxTimer);
      primes.close();
      await cosigner.stop();
      await audit.append('daemon.stop', {}).catch(() => undefined);
      await sink.close();
      await new Promise<void>((r) => (metricsServer ? metricsServer.close(() => r()) : r()));
      opened.close();
    },
  };
}
