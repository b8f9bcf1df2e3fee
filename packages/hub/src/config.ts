/**
 * The hub's configuration: one schema, parsed once at start from the data directory's hub.json
 * and the environment (QUORATE_HUB_*); nothing else reads process.env. No secret has a default:
 * the CA and pairing keys are files that `hub init` creates, and a PostgreSQL URL (which may
 * hold a password) must be given explicitly. Errors say what to do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatabaseConfig } from './storage/database.ts';

export const CONFIG_FILE = 'hub.json';
export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';
export const PAIRING_KEY_FILE = 'pairing-key.pem';
/** 32 random bytes, hex: encrypts secrets the hub stores (webhook keys). Mode 0600. */
export const MASTER_KEY_FILE = 'master.key';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface HubConfig {
  readonly dataDir: string;
  readonly workspaceId: string;
  readonly ownerId: string;
  readonly database: DatabaseConfig;
  readonly api: Endpoint;
  readonly cosigners: Endpoint;
  readonly issuer: string;
  readonly heartbeatTimeoutMs: number;
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** Approval time-out when the policy rule names none (hub.json `approvalTimeoutSeconds`). */
  readonly approvalTimeoutMs: number;
  /** ECDSA presignature pools (hub.json `presignaturePool`); absent: the built-in defaults. */
  readonly presignaturePool?: PresignaturePoolSettings;
}

/** hub.json `presignaturePool`: the refill policy per clique and how often the refill runs. */
export interface PresignaturePoolSettings {
  /** Presignatures each pooled clique should hold (0: no pool, every signature presigns). */
  readonly targetSize: number;
  /** How many of the best-ranked available cliques keep a pool. */
  readonly maxPooledCliques: number;
  /** Most presign jobs to start for one clique in one refill round. */
  readonly maxBatch: number;
  readonly refillIntervalMs: number;
}

/** Used for the fields of hub.json `presignaturePool` that are left out. */
export const DEFAULT_PRESIGNATURE_POOL: PresignaturePoolSettings = Object.freeze({
  targetSize: 4,
  maxPooledCliques: 2,
  maxBatch: 2,
  refillIntervalMs: 30_000,
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What `hub init` writes: every non-secret setting, so `hub start` needs nothing else. */
export interface ConfigFile {
  readonly workspaceId: string;
  readonly ownerId: string;
  readonly database:
    { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres' };
  readonly api?: Endpoint;
  readonly cosigners?: Endpoint;
  readonly issuer?: string;
  readonly heartbeatTimeoutMs?: number;
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  readonly approvalTimeoutSeconds?: number;
  readonly presignaturePool?: {
    readonly targetSize?: number;
    readonly maxPooledCliques?: number;
    readonly maxBatch?: number;
    readonly refillIntervalSeconds?: number;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

function endpoint(v: unknown, where: string, fallback: Endpoint): Endpoint {
  if (v === undefined) return fallback;
  if (typeof v === 'string') {
    const m = /^(.+):(\d{1,5})$/.exec(v);
    if (!m) throw new ConfigError(`${where} must be host:port, e.g. 127.0.0.1:8080 (got "${v}")`);
    return endpoint({ host: m[1], port: Number(m[2]) }, where, fallback);
  }
  const e = v as Partial<Endpoint>;
  if (typeof e !== 'object' || e === null || typeof e.host !== 'string' || e.host === '')
    throw new ConfigError(`${where}.host must be a host name or address`);
  if (!Number.isInteger(e.port) || (e.port as number) < 0 || (e.port as number) > 65535)
    throw new ConfigError(`${where}.port must be 0..65535`);
  return { host: e.host, port: e.port as number };
}

function positiveInt(v: unknown, where: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new ConfigError(`${where} must be a whole number ≥ 1`);
  return v;
}

function wholeNumber(v: unknown, where: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new ConfigError(`${where} must be a whole number ≥ 0`);
  return v;
}

function presignaturePool(v: unknown): PresignaturePoolSettings {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError(
      'presignaturePool must be an object: {"targetSize", "maxPooledCliques", "maxBatch", "refillIntervalSeconds"}',
    );
  const p = v as Record<string, unknown>;
  const d = DEFAULT_PRESIGNATURE_POOL;
  return Object.freeze({
    targetSize: wholeNumber(p['targetSize'], 'presignaturePool.targetSize', d.targetSize),
    maxPooledCliques: wholeNumber(
      p['maxPooledCliques'],
      'presignaturePool.maxPooledCliques',
      d.maxPooledCliques,
    ),
    maxBatch: positiveInt(p['maxBatch'], 'presignaturePool.maxBatch', d.maxBatch),
    refillIntervalMs:
      positiveInt(
        p['refillIntervalSeconds'],
        'presignaturePool.refillIntervalSeconds',
        d.refillIntervalMs / 1000,
      ) * 1000,
  });
}

export function loadHubConfig(input: {
  readonly dataDir: string | undefined;
  readonly env: Env;
}): HubConfig {
  const dir = input.dataDir ?? input.env.QUORATE_HUB_DATA_DIR;
  if (dir === undefined || dir === '')
    throw new ConfigError('no data directory: pass --data-dir DIR or set QUORATE_HUB_DATA_DIR');
  const dataDir = resolve(dir);
  const file = join(dataDir, CONFIG_FILE);
  if (!existsSync(file))
    throw new ConfigError(`${file} does not exist: run "quorate hub init --data-dir ${dir}" first`);
  let raw: Partial<ConfigFile>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<ConfigFile>;
  } catch {
    throw new ConfigError(`${file} is not valid JSON: fix it or run "hub init" in a new directory`);
  }
  for (const f of [CA_CERT_FILE, CA_KEY_FILE, PAIRING_KEY_FILE])
    if (!existsSync(join(dataDir, f)))
      throw new ConfigError(
        `${join(dataDir, f)} is missing: restore it from your backup of the data directory`,
      );
  const masterKeyFile = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(masterKeyFile))
    throw new ConfigError(
      `${masterKeyFile} is missing: restore it from your backup (without it stored webhook secrets are lost), or for a hub initialised before it existed create one: (umask 077; openssl rand -hex 32 > ${masterKeyFile})`,
    );
  if (typeof raw.workspaceId !== 'string' || typeof raw.ownerId !== 'string')
    throw new ConfigError(`${file}: workspaceId and ownerId are required (written by "hub init")`);
  let database: DatabaseConfig;
  const url = input.env.QUORATE_HUB_DATABASE_URL;
  if (raw.database?.kind === 'postgres') {
    if (url === undefined || !/^postgres(ql)?:\/\//.test(url))
      throw new ConfigError(
        'this hub uses PostgreSQL: set QUORATE_HUB_DATABASE_URL=postgres://user:password@host:port/db',
      );
    database = { kind: 'postgres', url };
  } else if (raw.database?.kind === 'sqlite' && typeof raw.database.path === 'string') {
    database = { kind: 'sqlite', path: resolve(dataDir, raw.database.path) };
  } else {
    throw new ConfigError(
      `${file}: database must be {"kind":"sqlite","path":…} or {"kind":"postgres"}`,
    );
  }
  const env = input.env;
  return Object.freeze({
    dataDir,
    workspaceId: raw.workspaceId,
    ownerId: raw.ownerId,
    database,
    api: endpoint(env.QUORATE_HUB_LISTEN ?? raw.api, 'api (QUORATE_HUB_LISTEN)', {
      host: '127.0.0.1',
      port: 8080,
    }),
    cosigners: endpoint(
      env.QUORATE_HUB_COSIGNER_LISTEN ?? raw.cosigners,
      'cosigners (QUORATE_HUB_COSIGNER_LISTEN)',
      {
        host: '127.0.0.1',
        port: 8443,
      },
    ),
    issuer: typeof raw.issuer === 'string' && raw.issuer !== '' ? raw.issuer : 'quorate-hub',
    heartbeatTimeoutMs: positiveInt(raw.heartbeatTimeoutMs, 'heartbeatTimeoutMs', 60_000),
    approvalTimeoutMs:
      positiveInt(raw.approvalTimeoutSeconds, 'approvalTimeoutSeconds', 24 * 3600) * 1000,
    rateLimit: {
      max: positiveInt(raw.rateLimit?.max, 'rateLimit.max', 600),
      windowMs: positiveInt(raw.rateLimit?.windowMs, 'rateLimit.windowMs', 60_000),
    },
    ...(raw.presignaturePool === undefined
      ? {}
      : { presignaturePool: presignaturePool(raw.presignaturePool) }),
  });
}
