/**
 * The co-signer's data directory (docs/cosigner-operator.md "Files"):
 *   secrets.db      the sealed store (identity, TLS client keys, key shares, nonces, pins)
 *   pairings.json   public pairing state: hub URLs, certificates, the pinned hub keys, paired API
 *                   users, the approved callback handlers (one per API user), pending changes
 *   audit.log       the hash-chained audit log (unless audit.path says otherwise)
 * pairings.json holds nothing secret (the TLS private keys stay in secrets.db) and is validated
 * strictly when read; it is written atomically (temp file + rename, 0600).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  KeyFileSeal,
  OneTimeStore,
  PassphraseSeal,
  Pkcs11Seal,
  SecretStore,
  SqliteBackend,
  fileCounter,
} from '@quorate/secrets';
import type { Seal } from '@quorate/secrets';
import type { CosignerConfig } from './config.ts';
import { sealSecretSource } from './config.ts';

export const SECRETS_FILE = 'secrets.db';
export const PAIRINGS_FILE = 'pairings.json';
export const AUDIT_FILE = 'audit.log';

const pendingSchema = z.strictObject({
  changeId: z.string().min(1).max(128),
  kind: z.enum(['pair_api_user', 'set_callback_handler', 'unpair']),
  payload: z.record(z.string(), z.string().nullable()),
  requestedAt: z.number().int().nonnegative(),
});

export const pairingSchema = z.strictObject({
  workspaceId: z.string().min(1).max(128),
  cosignerId: z.string().min(1).max(128),
  name: z.string().min(1).max(100),
  hubApiUrl: z.string().min(1),
  cosignerUrl: z.string().min(1),
  apiUserIds: z.array(z.string().min(1).max(128)),
  certificatePem: z.string().min(1),
  caCertificatePem: z.string().min(1),
  /** The hub's job-authorization public key (SPKI PEM), pinned at pairing. */
  hubJobKeyPem: z.string().min(1).nullable(),
  /** Legacy (one handler for the whole pairing): read when `callbackHandlers` is absent. */
  callbackHandler: z
    .strictObject({ url: z.string().min(1), publicKeyPem: z.string().min(1) })
    .nullable(),
  /** The approved callback handler of each paired API user that has one. */
  callbackHandlers: z
    .array(
      z.strictObject({
        apiUserId: z.string().min(1).max(128),
        url: z.string().min(1),
        publicKeyPem: z.string().min(1),
      }),
    )
    .optional(),
  pending: z.array(pendingSchema),
  pairedAt: z.number().int().nonnegative(),
});
export type Pairing = z.output<typeof pairingSchema>;
export type ApiUserHandler = NonNullable<Pairing['callbackHandlers']>[number];

/**
 * The approved handler of each API user. A pairings.json written before handlers were per API
 * user has one `callbackHandler`, which applied to every job: it now applies to every paired user.
 */
export function handlersOf(p: Pairing): ApiUserHandler[] {
  if (p.callbackHandlers !== undefined) return p.callbackHandlers;
  const h = p.callbackHandler;
  return h === null ? [] : p.apiUserIds.map((apiUserId) => ({ apiUserId, ...h }));
}
export type PendingChange = z.output<typeof pendingSchema>;

const fileSchema = z.strictObject({ version: z.literal(1), pairings: z.array(pairingSchema) });

export class StateError extends Error {
  override readonly name = 'StateError';
}

export function readPairings(dataDir: string): Pairing[] {
  const p = join(dataDir, PAIRINGS_FILE);
  if (!existsSync(p)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    throw new StateError(`${p} is not valid JSON`);
  }
  const r = fileSchema.safeParse(json);
  if (!r.success)
    throw new StateError(
      `${p}: invalid ${r.error.issues[0]?.path.join('.') ?? ''}: ${r.error.issues[0]?.message ?? ''}`,
    );
  return r.data.pairings;
}

export function writePairings(dataDir: string, pairings: readonly Pairing[]): void {
  const p = join(dataDir, PAIRINGS_FILE);
  const tmp = `${p}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, pairings }, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, p);
}

export function updatePairing(
  dataDir: string,
  cosignerId: string,
  f: (p: Pairing) => Pairing | undefined,
): Pairing | undefined {
  const all = readPairings(dataDir);
  const i = all.findIndex((p) => p.cosignerId === cosignerId);
  if (i < 0) throw new StateError(`no pairing with co-signer id ${cosignerId}`);
  const next = f(all[i] as Pairing);
  if (next === undefined) all.splice(i, 1);
  else all[i] = next;
  writePairings(dataDir, all);
  return next;
}

export function auditPath(cfg: CosignerConfig): string {
  return cfg.audit.path ?? join(cfg.dataDir, AUDIT_FILE);
}

type Env = Readonly<Record<string, string | undefined>>;

/** Builds the configured seal; the secret is read from its named source, never defaulted. */
export function sealFromConfig(cfg: CosignerConfig, env: Env): Seal {
  const s = cfg.seal;
  if (s.kind === 'keyfile') return new KeyFileSeal(s.path);
  const src = sealSecretSource(cfg);
  let secret: string | undefined;
  if (src?.kind === 'env') secret = env[src.name];
  else if (src?.kind === 'file') {
    try {
      secret = readFileSync(src.path, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new StateError(`cannot read the seal secret file ${src.path}`);
    }
  }
  if (secret === undefined || secret === '')
    throw new StateError(
      src?.kind === 'env'
        ? `the seal secret is missing: set the environment variable ${src.name}`
        : 'the seal secret is missing',
    );
  if (s.kind === 'passphrase') return new PassphraseSeal(secret);
  return new Pkcs11Seal({
    library: s.library,
    tokenLabel: s.tokenLabel,
    pin: secret,
    keyLabel: s.keyLabel,
  });
}

export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

export interface OpenedStore {
  readonly store: SecretStore;
  readonly oneTime: OneTimeStore;
  close(): void;
}

/** Opens (unseals) secrets.db and its one-time store. */
export async function openStore(cfg: CosignerConfig, seal: Seal): Promise<OpenedStore> {
  const file = join(cfg.dataDir, SECRETS_FILE);
  if (!existsSync(file))
    throw new StateError(`${file} does not exist (run "quorate cosigner init" first)`);
  const store = await SecretStore.open(new SqliteBackend(file), seal);
  let oneTime: OneTimeStore;
  try {
    oneTime = OneTimeStore.open(store, fileCounter(cfg.counterFile));
  } catch (e) {
    store.close();
    throw e;
  }
  return {
    store,
    oneTime,
    close() {
      oneTime.close();
      store.close();
    },
  };
}
