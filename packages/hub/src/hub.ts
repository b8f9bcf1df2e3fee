/**
 * Assembling a hub from its data directory: `initHub` (what `hub init` does — the first
 * workspace, its owner, the internal CA and the pairing key) and `openHub` (the context a
 * running hub or an operator command works with).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createCaMaterial, loadInternalCa } from './cosigners/ca.ts';
import { migrateToLatest, openDatabase } from './storage/database.ts';
import type { DatabaseConfig } from './storage/database.ts';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  CONFIG_FILE,
  ConfigError,
  MASTER_KEY_FILE,
  PAIRING_KEY_FILE,
  loadHubConfig,
} from './config.ts';
import type { ConfigFile, HubConfig } from './config.ts';
import type { HubContext } from './context.ts';
import type { HubExtension } from './extensions.ts';
import { createWorkspaceService } from './workspaces/service.ts';
import { MASTER_KEY_BYTES, parseMasterKey } from './storage/sealed.ts';

export interface InitResult {
  readonly dataDir: string;
  readonly workspaceId: string;
  readonly ownerId: string;
  /** Set when init generated the owner's key (no --owner-public-key given). */
  readonly ownerKeyFile: string | null;
  readonly caCertificateFile: string;
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export async function initHub(input: {
  readonly dataDir: string;
  readonly workspaceName: string;
  readonly ownerName: string;
  readonly ownerPublicKeyPem?: string;
  readonly databaseUrl?: string;
  readonly now?: () => number;
}): Promise<InitResult> {
  const now = input.now ?? Date.now;
  const dataDir = resolve(input.dataDir);
  if (existsSync(join(dataDir, CONFIG_FILE)))
    throw new ConfigError(`${dataDir} already holds a hub; choose another --data-dir`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const database: DatabaseConfig =
    input.databaseUrl === undefined
      ? { kind: 'sqlite', path: join(dataDir, 'hub.sqlite') }
      : { kind: 'postgres', url: input.databaseUrl };
  const db = openDatabase(database);
  try {
    await migrateToLatest(db);
    const ca = await createCaMaterial('Quorate hub internal CA', now());
    const pairing = generateKeyPairSync('ed25519');
    let ownerKeyFile: string | null = null;
    let ownerPublicKeyPem = input.ownerPublicKeyPem;
    if (ownerPublicKeyPem === undefined) {
      const k = generateKeyPairSync('ed25519');
      ownerKeyFile = join(dataDir, 'owner-key.pem');
      writeSecret(ownerKeyFile, k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      ownerPublicKeyPem = k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    }
    const ws = createWorkspaceService({ db, now });
    const { workspaceId, owner } = await ws.createWorkspace({
      name: input.workspaceName,
      ownerName: input.ownerName,
      ownerPublicKeyPem,
    });
    writeFileSync(join(dataDir, CA_CERT_FILE), ca.certificatePem, { flag: 'wx' });
    writeSecret(join(dataDir, CA_KEY_FILE), ca.privateKeyPem);
    writeSecret(
      join(dataDir, MASTER_KEY_FILE),
      randomBytes(MASTER_KEY_BYTES).toString('hex') + '\n',
    );
    writeSecret(
      join(dataDir, PAIRING_KEY_FILE),
      pairing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    const file: ConfigFile = {
      workspaceId,
      ownerId: owner.id,
      database:
        database.kind === 'sqlite' ? { kind: 'sqlite', path: 'hub.sqlite' } : { kind: 'postgres' },
      api: { host: '127.0.0.1', port: 8080 },
      cosigners: { host: '127.0.0.1', port: 8443 },
    };
    writeFileSync(join(dataDir, CONFIG_FILE), JSON.stringify(file, null, 2) + '\n', { flag: 'wx' });
    return {
      dataDir,
      workspaceId,
      ownerId: owner.id,
      ownerKeyFile,
      caCertificateFile: join(dataDir, CA_CERT_FILE),
    };
  } finally {
    await db.destroy();
  }
}

export interface OpenHub {
  readonly config: HubConfig;
  readonly ctx: HubContext;
  readonly close: () => Promise<void>;
}

export async function openHub(
  config: HubConfig,
  now: () => number = Date.now,
  extensions: readonly HubExtension[] = [],
): Promise<OpenHub> {
  const read = (f: string) => readFileSync(join(config.dataDir, f), 'utf8');
  const ca = await loadInternalCa({
    certificatePem: read(CA_CERT_FILE),
    privateKeyPem: read(CA_KEY_FILE),
  });
  const privateKey = createPrivateKey(read(PAIRING_KEY_FILE));
  const masterKey = parseMasterKey(read(MASTER_KEY_FILE));
  if (masterKey === null)
    throw new ConfigError(
      `${join(config.dataDir, MASTER_KEY_FILE)} must hold 64 hex digits (32 random bytes); restore it from your backup`,
    );
  const db = openDatabase(config.database);
  await migrateToLatest(
    db,
    extensions.flatMap((e) => (e.migrations ? [e.migrations] : [])),
  );
  const ctx: HubContext = {
    db,
    now,
    ca,
    pairingKey: { privateKey, publicKey: createPublicKey(privateKey) },
    masterKey,
    settings: {
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      rateLimit: config.rateLimit,
      issuer: config.issuer,
      approvalTimeoutMs: config.approvalTimeoutMs,
      ...(config.presignaturePool === undefined
        ? {}
        : { presignaturePool: config.presignaturePool }),
    },
  };
  return { config, ctx, close: () => db.destroy() };
}

export { loadHubConfig };
