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
  handlers: HandlerConfig[];
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
    link.handlers =
      pairing.callbackHandler === null
        ? []
        : [handlerConfig(pairing.callbackHandler.url, pairing.callbackHandler.publicKeyPem)];
    link.runner = new JobRunner({
      cosignerId: pairing.cosignerId,
      apiUserIds: () => link.pairing.apiUserIds,
      identity: o.identity,
      store: o.store,
      oneTime: o.oneTime,
      hubJobKey: () => link.hubKey,
      rules: this.#rules,
      callbacks: this.#callbacks,
      handlers: () => link.handlers,
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
    l.handlers =
      pairing.callbackHandler === null
        ? []
        : [handlerConfig(pairing.callbackHandler.url, pairing.callbackHandler.publicKeyPem)];
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

/**
 * Folds the hub's view into the local pairing: API users and the callback handler the hub lists
 * are approved; pending changes they satisfy are dropped.
 */
export function mergeApproved(p: Pairing, view: Record<string, unknown>): Pairing {
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
  const name = typeof view['name'] === 'string' ? view['name'] : p.name;
  const jobKey = view['jobSigningKey'];
  const pending = p.pending.filter((c) => {
    if (c.kind === 'pair_api_user') return !apiUserIds.includes(c.payload['apiUserId'] ?? '');
    if (c.kind === 'set_callback_handler')
      return (callbackHandler?.url ?? null) !== (c.payload['url'] ?? null);
    return view['status'] !== 'unpaired';
  });
  return {
    ...p,
    name,
    apiUserIds,
    callbackHandler,
    pending,
    // Pinned once: a key already pinned is never replaced by what the hub says later.
    hubJobKeyPem:
      p.hubJobKeyPem ?? (typeof jobKey === 'string' && jobKey.length > 0 ? jobKey : null),
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
          const next = updatePairing(cfg.dataDir, p.cosignerId, (cur) => mergeApproved(cur, view));
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
