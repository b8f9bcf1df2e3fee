/**
 * The co-signer's configuration (issue 6 item 12): ONE zod schema, parsed once at start from a
 * file (YAML or JSON) plus the environment (QUORATE_COSIGNER_*); nothing else reads process.env.
 *
 * No secret has a default and no secret is written in the file: the seal's passphrase or PIN comes
 * from an environment variable or a file the operator names; the audit HMAC key and the identity
 * are created by `cosigner init` inside the sealed store. Cross-field checks catch the mistakes
 * that would silently weaken the co-signer (e.g. the one-time counter inside the data directory,
 * where a database restore would roll it back with the database: packages/secrets README,
 * "Rollback"). Every problem is reported with its field and how to fix it (`config check`).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, dirname, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { riskRulesSchema } from '@quorate/cosigner-risk/rules';

export const ENV_PREFIX = 'QUORATE_COSIGNER_';

const path = z.string().min(1).max(4096);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'an environment variable name');
const hostPort = z.string().regex(/^[A-Za-z0-9.:[\]-]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464');

const passphraseSeal = z.strictObject({
  kind: z.literal('passphrase'),
  /** Name of the environment variable holding the passphrase (default QUORATE_COSIGNER_PASSPHRASE). */
  passphraseEnv: envName.optional(),
  /** Or a file holding it (mode 0600). Exactly one source may be given. */
  passphraseFile: path.optional(),
});
const keyFileSeal = z.strictObject({ kind: z.literal('keyfile'), path });
const pkcs11Seal = z.strictObject({
  kind: z.literal('pkcs11'),
  library: path,
  tokenLabel: z.string().min(1).max(32),
  keyLabel: z.string().min(1).max(64),
  /** Environment variable holding the user PIN (default QUORATE_COSIGNER_PKCS11_PIN). */
  pinEnv: envName.optional(),
  pinFile: path.optional(),
});

export const configSchema = z.strictObject({
  /** Holds secrets.db, pairings.json, the audit log. 0700. */
  dataDir: path,
  /** Shown to the hub at pairing (it can be renamed later). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, 'letters, digits, space . _ - (1-100)')
    .optional(),
  seal: z.discriminatedUnion('kind', [passphraseSeal, keyFileSeal, pkcs11Seal]),
  /**
   * The one-time store's external counter (consumed presignatures and nonces). MUST live on other
   * storage than dataDir and stay out of its backups.
   */
  counterFile: path,
  hub: z
    .strictObject({
      /** The hub's REST API, for pairing and configuration-change requests. */
      apiUrl: z.url({ protocol: /^https?$/ }),
      /** The hub's co-signer mTLS listener (wss:// or https://). */
      cosignerUrl: z.url({ protocol: /^(wss|https)$/ }),
      /** The name the hub's TLS certificate is checked against, when it differs from the URL host. */
      tlsServerName: z.string().min(1).max(253).optional(),
    })
    .optional(),
  connection: z
    .strictObject({
      heartbeatSeconds: z.number().int().min(1).max(300).default(10),
      backoffMinMs: z.number().int().min(10).max(600_000).default(1_000),
      backoffMaxMs: z.number().int().min(10).max(3_600_000).default(60_000),
      /** How often approved configuration changes are fetched (whoami). */
      pollSeconds: z.number().int().min(1).max(3600).default(30),
    })
    .prefault({}),
  risk: riskRulesSchema,
  /** CGGMP21: Paillier level of aux-info and how many safe primes are kept ready in the background. */
  ecdsa: z
    .strictObject({
      level: z.enum(['2048', '3072']).default('3072'),
      primePoolSize: z.number().int().min(0).max(64).default(2),
    })
    .prefault({}),
  callbacks: z
    .strictObject({
      timeoutMs: z.number().int().min(100).max(30_000).default(30_000),
      retryDelaysMs: z
        .array(z.number().int().min(0).max(600_000))
        .max(20)
        .default([1_000, 2_000, 5_000, 10_000, 20_000]),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Default: <dataDir>/audit.log. */
      path: path.optional(),
      mode: z.enum(['hmac', 'redact']).default('hmac'),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Serve GET /metrics (Prometheus) on host:port. */
      listen: hostPort.optional(),
      influx: z
        .discriminatedUnion('version', [
          z.strictObject({
            version: z.literal(1),
            url: z.url({ protocol: /^https?$/ }),
            database: z.string().min(1),
            username: z.string().min(1).optional(),
            /** Environment variable holding the password. */
            passwordEnv: envName.optional(),
            intervalSeconds: z.number().int().min(1).max(3600).default(10),
          }),
          z.strictObject({
            version: z.literal(2),
            url: z.url({ protocol: /^https?$/ }),
            org: z.string().min(1),
            bucket: z.string().min(1),
            /** Environment variable holding the API token (required: no default). */
            tokenEnv: envName,
            intervalSeconds: z.number().int().min(1).max(3600).default(10),
          }),
        ])
        .optional(),
    })
    .prefault({}),
});

export type CosignerConfigInput = z.input<typeof configSchema>;
export type CosignerConfig = z.output<typeof configSchema> & {
  /** Where the file was read from (undefined when built from the environment only). */
  readonly file?: string;
};

export interface ConfigIssue {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid co-signer configuration:\n${issues.map((i) => `  - ${i.field}: ${i.problem} (fix: ${i.fix})`).join('\n')}`,
    );
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Environment overrides of plain (non-secret) settings. Secrets are read later, by name. */
const ENV_FIELDS: readonly (readonly [string, readonly string[], 'string' | 'int'])[] = [
  ['DATA_DIR', ['dataDir'], 'string'],
  ['NAME', ['name'], 'string'],
  ['COUNTER_FILE', ['counterFile'], 'string'],
  ['HUB_API_URL', ['hub', 'apiUrl'], 'string'],
  ['HUB_COSIGNER_URL', ['hub', 'cosignerUrl'], 'string'],
  ['METRICS_LISTEN', ['metrics', 'listen'], 'string'],
  ['HEARTBEAT_SECONDS', ['connection', 'heartbeatSeconds'], 'int'],
];

function setPath(obj: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1] as string] = value;
}

const FIXES: Record<string, string> = {
  dataDir: 'set dataDir to an absolute directory, e.g. /var/lib/quorate-cosigner',
  counterFile:
    'set counterFile to a path on other storage than dataDir, e.g. /var/lib/quorate-counter/consumed.ctr',
  seal: 'choose seal.kind passphrase, keyfile or pkcs11 (see docs/cosigner-operator.md "Seals")',
  risk: 'see docs/cosigner-operator.md "Embedded rules"; unknown rule names are refused',
  hub: 'set hub.apiUrl (https://hub:8080) and hub.cosignerUrl (wss://hub:8443)',
};

function fixFor(field: string): string {
  const top = field.split('.')[0] ?? field;
  return FIXES[top] ?? 'correct the value or remove the field (see docs/cosigner-operator.md)';
}

/** Parses already-loaded input (file contents merged with the environment). */
export function parseConfig(input: unknown, env: Env = {}, file?: string): CosignerConfig {
  const raw: Record<string, unknown> =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? structuredClone(input as Record<string, unknown>)
      : {};
  const issues: ConfigIssue[] = [];
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input)))
    issues.push({
      field: '(root)',
      problem: 'expected a mapping',
      fix: 'the file must hold one YAML/JSON object',
    });
  for (const [suffix, keys, kind] of ENV_FIELDS) {
    const v = env[ENV_PREFIX + suffix];
    if (v === undefined || v === '') continue;
    if (kind === 'int') {
      if (!/^\d+$/.test(v)) {
        issues.push({
          field: keys.join('.'),
          problem: `${ENV_PREFIX}${suffix} is not a whole number`,
          fix: `set ${ENV_PREFIX}${suffix} to digits only`,
        });
        continue;
      }
      setPath(raw, keys, Number(v));
    } else setPath(raw, keys, v);
  }
  const r = configSchema.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const p = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys)
          issues.push({
            field: [...p, k].join('.'),
            problem: 'unknown field',
            fix:
              /passphrase$|pin$|token$|password$/i.test(k) && !/(Env|File)$/.test(k)
                ? 'secrets never go in the file: use the *Env or *File field instead'
                : 'remove it or correct its spelling',
          });
        continue;
      }
      const field = p.join('.') || '(root)';
      issues.push({ field, problem: issue.message, fix: fixFor(field) });
    }
    throw new ConfigError(issues);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const cfg = r.data;
  const base = file ? dirname(file) : process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const out: CosignerConfig = {
    ...cfg,
    dataDir: abs(cfg.dataDir),
    counterFile: abs(cfg.counterFile),
    audit: cfg.audit.path === undefined ? cfg.audit : { ...cfg.audit, path: abs(cfg.audit.path) },
    ...(file === undefined ? {} : { file }),
  };
  crossChecks(out, env, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

function inside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Checks that span fields, and that every secret the configuration names is actually there. */
function crossChecks(cfg: CosignerConfig, env: Env, issues: ConfigIssue[]): void {
  if (inside(cfg.dataDir, cfg.counterFile))
    issues.push({
      field: 'counterFile',
      problem: 'is inside dataDir, so restoring a backup of dataDir would roll it back too',
      fix: FIXES['counterFile'] as string,
    });
  if (cfg.connection.backoffMinMs > cfg.connection.backoffMaxMs)
    issues.push({
      field: 'connection.backoffMinMs',
      problem: `${cfg.connection.backoffMinMs} is larger than backoffMaxMs ${cfg.connection.backoffMaxMs}`,
      fix: 'make backoffMinMs ≤ backoffMaxMs',
    });
  const s = cfg.seal;
  if (s.kind === 'passphrase') {
    if (s.passphraseEnv !== undefined && s.passphraseFile !== undefined)
      issues.push({
        field: 'seal',
        problem: 'both passphraseEnv and passphraseFile are set',
        fix: 'keep exactly one source of the passphrase',
      });
  }
  if (s.kind === 'pkcs11' && s.pinEnv !== undefined && s.pinFile !== undefined)
    issues.push({
      field: 'seal',
      problem: 'both pinEnv and pinFile are set',
      fix: 'keep exactly one source of the PIN',
    });
  const influx = cfg.metrics.influx;
  if (influx?.version === 2 && !env[influx.tokenEnv])
    issues.push({
      field: 'metrics.influx.tokenEnv',
      problem: `environment variable ${influx.tokenEnv} is not set`,
      fix: `export ${influx.tokenEnv}=<InfluxDB API token>`,
    });
  if (influx?.version === 1 && influx.username !== undefined && influx.passwordEnv === undefined)
    issues.push({
      field: 'metrics.influx.passwordEnv',
      problem: 'a username is set without a password source',
      fix: 'name the environment variable holding the password in passwordEnv',
    });
  if (cfg.audit.path !== undefined && inside(dirname(cfg.counterFile), cfg.audit.path))
    issues.push({
      field: 'audit.path',
      problem: 'is next to the one-time counter',
      fix: 'keep the audit log in dataDir or on its own volume',
    });
}

/** Where the secret of the seal comes from: checked at start (and by `config check --secrets`). */
export function sealSecretSource(
  cfg: CosignerConfig,
): { kind: 'env'; name: string } | { kind: 'file'; path: string } | undefined {
  const s = cfg.seal;
  if (s.kind === 'passphrase')
    return s.passphraseFile !== undefined
      ? { kind: 'file', path: s.passphraseFile }
      : { kind: 'env', name: s.passphraseEnv ?? `${ENV_PREFIX}PASSPHRASE` };
  if (s.kind === 'pkcs11')
    return s.pinFile !== undefined
      ? { kind: 'file', path: s.pinFile }
      : { kind: 'env', name: s.pinEnv ?? `${ENV_PREFIX}PKCS11_PIN` };
  return undefined;
}

/** Reads the file named by `--config` or QUORATE_COSIGNER_CONFIG, then parses it with `env`. */
export function loadConfig(file: string | undefined, env: Env): CosignerConfig {
  const f = file ?? env[`${ENV_PREFIX}CONFIG`];
  if (f === undefined || f === '') return parseConfig({}, env);
  let text: string;
  try {
    text = readFileSync(f, 'utf8');
  } catch (e) {
    throw new ConfigError([
      {
        field: '(file)',
        problem: `cannot read ${f} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        fix: 'pass --config with a readable YAML or JSON file',
      },
    ]);
  }
  let data: unknown;
  try {
    data = extname(f) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError([
      {
        field: '(file)',
        problem: `${f} is not valid ${extname(f) === '.json' ? 'JSON' : 'YAML'}: ${e instanceof Error ? e.message.split('\n')[0] : ''}`,
        fix: 'correct the syntax',
      },
    ]);
  }
  return parseConfig(data ?? {}, env, resolve(f));
}
