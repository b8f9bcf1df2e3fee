/**
 * `quorate cosigner …` — the co-signer's operator commands (issue 6 "Deliver"):
 *   init, start, pair <token>, unpair, rename <name>, info, print-public-key,
 *   callback set|show|remove, config check, backup export (issue 9 item 2),
 *   keys list|resolve|remove (keys-admin.ts).
 * Same signature as the CLI's other groups (`(argv, io) → exit code`): 0 ok, 1 failed,
 * 2 usage or configuration. Every command takes --config FILE (or QUORATE_COSIGNER_CONFIG),
 * --json and --help. Changes that need the workspace owner's approval (another API user, the
 * callback handler, unpairing) are sent to the hub with an API user's key (--api-user,
 * --api-key) and recorded as pending; the daemon applies them once the hub reports them approved.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CALLBACK_URL_RULE, isAllowedCallbackUrl } from '@quorate/runtime/callback-url';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLog, FileAuditSink } from '@quorate/cosigner-risk/audit';
import {
  KeyFileSeal,
  OneTimeStore,
  SecretStore,
  SqliteBackend,
  fileCounter,
} from '@quorate/secrets';
import { ConfigError, loadConfig, sealSecretSource } from './config.ts';
import type { CosignerConfig } from './config.ts';
import { startDaemon } from './daemon.ts';
import {
  createIdentity,
  identityPublicKeyPem,
  loadAuditKey,
  loadIdentity,
  publicIdentity,
} from './identity.ts';
import {
  createCsr,
  decodePairingToken,
  deleteTlsKey,
  redeemPairingToken,
  signedHubRequest,
  storeTlsKey,
} from './pairing.ts';
import type { ApiCredentials } from './pairing.ts';
import {
  auditPath,
  ensureDataDir,
  handlersOf,
  openStore,
  readPairings,
  sealFromConfig,
  SECRETS_FILE,
  updatePairing,
  writePairings,
} from './state.ts';
import type { Pairing, PendingChange } from './state.ts';
import { KeyStore } from './protocols.ts';
import { BackupExportError, exportBackups, recoveryRecipient } from './backup.ts';
import { KeyAdminError, listKeys, removeKey, resolvePending } from './keys-admin.ts';
import { RecoveryError } from '@quorate/recovery';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

type Env = Readonly<Record<string, string | undefined>>;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const IDENTITY_FILE = 'identity.json';

const COMMON = `  --config FILE    YAML or JSON configuration (or QUORATE_COSIGNER_CONFIG)
  --json           print one JSON object on stdout
  -h, --help       show this help`;
const HUB_AUTH = `  --api-user ID     API user (owner, admin or editor) that requests the change
  --api-key FILE    its private key (PKCS#8 PEM), used to sign the hub request
  --workspace ID    which pairing (default: the only one)`;

const HELP: Record<string, string> = {
  cosigner: `Usage: quorate cosigner <command> [flags]

Commands:
  init               create the data directory, the sealed secrets store and the identity
  start              run the daemon: connect to the hub(s), check and run jobs
  pair <token>       pair with a hub using a pairing token (another API user of a paired
                     workspace: a configuration change the owner approves)
  unpair             ask the hub to unpair (approved by the owner or an admin); --local forgets it
  rename <name>      rename this co-signer on the hub
  info               what this co-signer is: identity, pairings, keys (JSON)
  print-public-key   the identity keys (give the PEM to callback handlers)
  callback set       configure an API user's callback handler (approved by the owner)
  callback show      the approved callback handlers (per API user) and pending changes
  callback remove    remove an API user's callback handler (approved by the owner)
  backup export      export each key share encrypted to the offline recovery key
  keys list          the keys held here, their committees and any pending (in-doubt) share
  keys resolve       commit or discard an in-doubt pending share (co-signer stopped)
  keys remove        erase a key this co-signer no longer belongs to (co-signer stopped)
  config check       validate the configuration and say how to fix it

Run "quorate cosigner <command> --help" for its flags. See docs/cosigner-operator.md.`,
  init: `Usage: quorate cosigner init [flags]

Creates dataDir (0700), secrets.db sealed by the configured seal, the Ed25519 + X25519 identity,
the audit HMAC key and the one-time counter (counterFile).
  --generate-key-file   for seal.kind keyfile: create the key file (0600) if it is missing
${COMMON}`,
  start: `Usage: quorate cosigner start [flags]

Unseals secrets.db, connects to every paired hub over mTLS and runs until SIGINT/SIGTERM.
${COMMON}`,
  pair: `Usage: quorate cosigner pair <token> [flags]

  --name NAME       the co-signer's name on the hub (default: config name)
  --authorization-key FILE   the hub's job-signing public key (PEM), if the hub does not send it
${HUB_AUTH}
${COMMON}`,
  unpair: `Usage: quorate cosigner unpair [flags]

${HUB_AUTH}
  --local           forget the pairing here (after the hub approved the unpairing)
${COMMON}`,
  rename: `Usage: quorate cosigner rename <name> [flags]

${HUB_AUTH}
${COMMON}`,
  info: `Usage: quorate cosigner info [flags]

Prints identity, pairings, pending changes and key ids as JSON (no secret; no unsealing needed
except with --keys).
  --keys           also list the key ids held (unseals the store)
${COMMON}`,
  'print-public-key': `Usage: quorate cosigner print-public-key [flags]

Prints the identity's Ed25519 public key as SPKI PEM (what callback handlers verify requests with);
--json adds the raw signing and encryption keys.
${COMMON}`,
  'callback set': `Usage: quorate cosigner callback set --url https://… --public-key FILE [flags]

Each paired API user has its own handler: jobs for that API user run its handler (and the
embedded rules); jobs naming no API user of this co-signer run every configured handler.
  --url URL          the handler's base URL (…/v2/tx_sign_request is appended)
  --public-key FILE  the handler's public key (SPKI PEM: RSA, P-256 or Ed25519)
  --for-api-user ID  the paired API user whose handler this is (default: --api-user when it is
                     paired here, else the only paired API user)
${HUB_AUTH}
${COMMON}`,
  'callback show': `Usage: quorate cosigner callback show [flags]
  --workspace ID     which pairing (default: all)
  --for-api-user ID  only this API user's handler
${COMMON}`,
  'callback remove': `Usage: quorate cosigner callback remove [flags]

  --for-api-user ID  the paired API user whose handler is removed (default as for set)
${HUB_AUTH}
${COMMON}`,
  'backup export': `Usage: quorate cosigner backup export --recovery-key FILE --out DIR [flags]

Unseals secrets.db and writes one backup file per key share this co-signer holds (CGGMP21 and
FROST), encrypted to the offline recovery public key (X25519 + HKDF-SHA256 + AES-256-GCM; the
key id, public key, chain code, threshold and participants are the authenticated clear header).
Files are DIR/<key id>.party-<party id>.backup.json (0600); an existing file is never
overwritten. Each export is recorded in the audit log before its file is written. Collect the
files of at least t co-signers for "quorate recovery verify | reconstruct" (docs/recovery.md).
  --recovery-key FILE  the recovery public key (recovery-key.pub.pem from "quorate recovery keygen")
  --out DIR            where to write the backups (created 0700)
  --key ID             only this key (key id or public key hex; repeat for several; default all)
${COMMON}`,
  'keys list': `Usage: quorate cosigner keys list [flags]

Unseals secrets.db and lists every key: id, algorithm, public key, the committee of the active
share (threshold, party ids) and a pending share if one waits. A pending share left after its
refresh or reshare job ended is "in doubt": this co-signer acknowledged the new shares but did not
see every other new party's acknowledgement. Learn the outcome (the hub records the key's new
committee only when the job completed: GET /v1/vaults/{id}/committee), then "keys resolve".
${COMMON}`,
  'keys resolve': `Usage: quorate cosigner keys resolve --key ID --confirmation HEX (--commit | --discard) [flags]

Resolves an in-doubt pending share by hand. --commit makes it the active share (the refresh or
reshare did complete: the hub shows the new committee); --discard drops it (it did not: the hub
shows the old committee). --confirmation is the digest "keys list" shows, so the share resolved
is the one you checked. Recorded in the audit log first. Stop the co-signer before running it.
  --key ID             the key id
  --confirmation HEX   the pending share's confirmation digest (from "keys list")
  --commit             make the pending share active
  --discard            drop the pending share
${COMMON}`,
  'keys remove': `Usage: quorate cosigner keys remove --key ID --public-key HEX [flags]

Erases a key's share, its metadata, presignatures and any pending share, e.g. after the key was
reshared to a committee without this co-signer while it was offline. --public-key must be the
key's public key (hex, as "keys list" shows), as a confirmation. Recorded in the audit log first.
Stop the co-signer before running it; export a backup first if in doubt.
  --key ID             the key id
  --public-key HEX     the key's public key
${COMMON}`,
  'config check': `Usage: quorate cosigner config check [flags]

Validates the configuration file and environment; exit code 0 when valid, 2 otherwise.
${COMMON}`,
};

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  name: { type: 'string' },
  'authorization-key': { type: 'string' },
  'api-user': { type: 'string' },
  'for-api-user': { type: 'string' },
  'api-key': { type: 'string' },
  workspace: { type: 'string' },
  local: { type: 'boolean' },
  keys: { type: 'boolean' },
  url: { type: 'string' },
  'public-key': { type: 'string' },
  'generate-key-file': { type: 'boolean' },
  'recovery-key': { type: 'string' },
  out: { type: 'string' },
  key: { type: 'string', multiple: true },
  confirmation: { type: 'string' },
  commit: { type: 'boolean' },
  discard: { type: 'boolean' },
} as const;

type Flags = {
  [K in Exclude<keyof typeof FLAGS, 'key'>]?: (typeof FLAGS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
} & { key?: string[] };

interface Ctx {
  readonly io: Io;
  readonly env: Env;
  readonly flags: Flags;
  readonly args: string[];
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
}

function print(ctx: Ctx, json: unknown, text: string): void {
  ctx.io.out(ctx.flags.json ? JSON.stringify(json, null, 2) : text);
}

function config(ctx: Ctx): CosignerConfig {
  return loadConfig(ctx.flags.config, ctx.env);
}

function pickPairing(cfg: CosignerConfig, ws: string | undefined): Pairing {
  const all = readPairings(cfg.dataDir);
  const list = ws === undefined ? all : all.filter((p) => p.workspaceId === ws);
  if (list.length === 0)
    throw new CliUsageError(
      ws === undefined
        ? 'not paired yet (run "quorate cosigner pair <token>")'
        : `no pairing for workspace ${ws}`,
    );
  if (list.length > 1) throw new CliUsageError('several pairings: choose one with --workspace');
  return list[0] as Pairing;
}

function credentials(ctx: Ctx): ApiCredentials {
  const user = ctx.flags['api-user'];
  const file = ctx.flags['api-key'];
  if (user === undefined || file === undefined)
    throw new CliUsageError(
      'this change is requested from the hub: pass --api-user ID and --api-key FILE (an API user allowed to request it)',
    );
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read --api-key ${file}`);
  }
  try {
    return { userId: user, key: createPrivateKey(pem) };
  } catch {
    throw new CliUsageError(`--api-key ${file} is not a PKCS#8 PEM private key`);
  }
}

function identityFile(cfg: CosignerConfig): {
  signing: string;
  encryption: string;
  publicKeyPem: string;
} {
  const p = join(cfg.dataDir, IDENTITY_FILE);
  if (!existsSync(p)) throw new CliUsageError('not initialized (run "quorate cosigner init")');
  return JSON.parse(readFileSync(p, 'utf8')) as {
    signing: string;
    encryption: string;
    publicKeyPem: string;
  };
}

async function cmdInit(ctx: Ctx): Promise<number> {
  const cfg = config(ctx);
  const file = join(cfg.dataDir, SECRETS_FILE);
  if (existsSync(file))
    throw new CliUsageError(`${file} already exists: this co-signer is initialized`);
  if (cfg.seal.kind === 'keyfile' && !existsSync(cfg.seal.path)) {
    if (!ctx.flags['generate-key-file'])
      throw new CliUsageError(
        `key file ${cfg.seal.path} does not exist: create it or pass --generate-key-file`,
      );
    KeyFileSeal.generate(cfg.seal.path);
  }
  const seal = sealFromConfig(cfg, ctx.env);
  ensureDataDir(cfg.dataDir);
  // The counter lives on other storage (config check enforces it); create its directory first so
  // a failure cannot leave a half-initialized store behind.
  mkdirSync(dirname(cfg.counterFile), { recursive: true, mode: 0o700 });
  const store = await SecretStore.create(new SqliteBackend(file), seal);
  try {
    const identity = createIdentity(store);
    OneTimeStore.open(store, fileCounter(cfg.counterFile)).close();
    const pub = publicIdentity(identity);
    const publicKeyPem = identityPublicKeyPem(identity);
    writeFileSync(
      join(cfg.dataDir, IDENTITY_FILE),
      JSON.stringify({ ...pub, publicKeyPem }, null, 2) + '\n',
      { mode: 0o600 },
    );
    writePairings(cfg.dataDir, []);
    const sink = new FileAuditSink(auditPath(cfg));
    const audit = await AuditLog.open(sink, { mode: 'redact' });
    await audit.append('init', { identity: pub, seal: cfg.seal.kind });
    await sink.close();
    print(
      ctx,
      { dataDir: cfg.dataDir, seal: cfg.seal.kind, identity: pub },
      `initialized ${cfg.dataDir} (seal: ${cfg.seal.kind})\nsigning key:    ${pub.signing}\nencryption key: ${pub.encryption}`,
    );
    return 0;
  } finally {
    store.close();
  }
}

async function cmdStart(ctx: Ctx): Promise<number> {
  const cfg = config(ctx);
  const d = await startDaemon(cfg, ctx.env, (level, event, fields) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
    if (level === 'warn') ctx.io.err(line);
    else ctx.io.out(line);
  });
  await new Promise<void>((resolve) => {
    if (ctx.signal) ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await d.stop();
  return 0;
}

async function cmdPair(ctx: Ctx): Promise<number> {
  const token = ctx.args[0];
  if (token === undefined)
    throw new CliUsageError(`a pairing token is required\n\n${HELP['pair']}`);
  const cfg = config(ctx);
  if (cfg.hub === undefined)
    throw new ConfigError([
      { field: 'hub', problem: 'is required to pair', fix: 'set hub.apiUrl and hub.cosignerUrl' },
    ]);
  const info = decodePairingToken(token);
  const existing = readPairings(cfg.dataDir).find((p) => p.workspaceId === info.workspaceId);
  if (existing !== undefined) {
    if (existing.apiUserIds.includes(info.apiUserId))
      throw new CliUsageError(`API user ${info.apiUserId} is already paired with this co-signer`);
    // Another API user of a paired workspace: a configuration change the owner approves.
    const change = await signedHubRequest(
      existing.hubApiUrl,
      credentials(ctx),
      'POST',
      `/v1/cosigners/${existing.cosignerId}/api-users`,
      { apiUserId: info.apiUserId },
      ctx.fetch,
    );
    const pending = recordPending(cfg, existing, change, 'pair_api_user', {
      apiUserId: info.apiUserId,
    });
    print(
      ctx,
      { status: 'pending-approval', change: pending },
      `requested pairing of API user ${info.apiUserId} (change ${pending.changeId}); it takes effect once the workspace owner approves it`,
    );
    return 0;
  }
  const seal = sealFromConfig(cfg, ctx.env);
  const opened = await openStore(cfg, seal);
  try {
    const identity = loadIdentity(opened.store);
    const name =
      ctx.flags.name ?? cfg.name ?? `cosigner-${publicIdentity(identity).signing.slice(0, 8)}`;
    const { csrPem, pkcs8 } = await createCsr(name);
    const res = await redeemPairingToken(cfg.hub.apiUrl, { token, csr: csrPem, name }, ctx.fetch);
    const keyFile = ctx.flags['authorization-key'];
    let jobKey = res.jobSigningKey ?? null;
    if (keyFile !== undefined) {
      const pem = readFileSync(keyFile, 'utf8');
      createPublicKey(pem); // must parse
      jobKey = pem;
    }
    storeTlsKey(opened.store, res.cosigner.workspaceId, pkcs8);
    const pairing: Pairing = {
      workspaceId: res.cosigner.workspaceId,
      cosignerId: res.cosigner.id,
      name: res.cosigner.name,
      hubApiUrl: cfg.hub.apiUrl,
      cosignerUrl: cfg.hub.cosignerUrl,
      apiUserIds: res.cosigner.apiUserIds,
      certificatePem: res.certificate,
      caCertificatePem: res.caCertificate,
      hubJobKeyPem: jobKey,
      callbackHandler: null,
      callbackHandlers: [],
      pending: [],
      pairedAt: Date.now(),
    };
    writePairings(cfg.dataDir, [...readPairings(cfg.dataDir), pairing]);
    print(
      ctx,
      {
        status: 'paired',
        cosignerId: pairing.cosignerId,
        workspaceId: pairing.workspaceId,
        apiUserIds: pairing.apiUserIds,
        jobKeyPinned: jobKey !== null,
      },
      `paired as ${pairing.cosignerId} in workspace ${pairing.workspaceId} (API user ${info.apiUserId})${jobKey === null ? '\nwarning: no hub job-authorization key pinned yet; jobs are refused until one is (pass --authorization-key)' : ''}`,
    );
    return 0;
  } finally {
    opened.close();
  }
}

function recordPending(
  cfg: CosignerConfig,
  p: Pairing,
  change: Record<string, unknown>,
  kind: PendingChange['kind'],
  payload: Record<string, string | null>,
): PendingChange {
  const pending: PendingChange = {
    changeId: typeof change['id'] === 'string' ? change['id'] : 'unknown',
    kind,
    payload,
    requestedAt: Date.now(),
  };
  updatePairing(cfg.dataDir, p.cosignerId, (cur) => ({
    ...cur,
    pending: [...cur.pending, pending],
  }));
  return pending;
}

async function cmdUnpair(ctx: Ctx): Promise<number> {
  const cfg = config(ctx);
  const p = pickPairing(cfg, ctx.flags.workspace);
  if (ctx.flags.local) {
    const opened = await openStore(cfg, sealFromConfig(cfg, ctx.env));
    try {
      deleteTlsKey(opened.store, p.workspaceId);
    } finally {
      opened.close();
    }
    updatePairing(cfg.dataDir, p.cosignerId, () => undefined);
    print(ctx, { status: 'forgotten', cosignerId: p.cosignerId }, `forgot pairing ${p.cosignerId}`);
    return 0;
  }
  const change = await signedHubRequest(
    p.hubApiUrl,
    credentials(ctx),
    'DELETE',
    `/v1/cosigners/${p.cosignerId}`,
    undefined,
    ctx.fetch,
  );
  const pending = recordPending(cfg, p, change, 'unpair', {});
  print(
    ctx,
    { status: 'pending-approval', change: pending },
    `unpairing requested (change ${pending.changeId})`,
  );
  return 0;
}

async function cmdRename(ctx: Ctx): Promise<number> {
  const name = ctx.args[0];
  if (name === undefined) throw new CliUsageError(`a name is required\n\n${HELP['rename']}`);
  const cfg = config(ctx);
  const p = pickPairing(cfg, ctx.flags.workspace);
  await signedHubRequest(
    p.hubApiUrl,
    credentials(ctx),
    'PATCH',
    `/v1/cosigners/${p.cosignerId}`,
    { name },
    ctx.fetch,
  );
  updatePairing(cfg.dataDir, p.cosignerId, (cur) => ({ ...cur, name }));
  print(ctx, { status: 'renamed', cosignerId: p.cosignerId, name }, `renamed to ${name}`);
  return 0;
}

async function cmdInfo(ctx: Ctx): Promise<number> {
  const cfg = config(ctx);
  const id = identityFile(cfg);
  const pairings = readPairings(cfg.dataDir).map((p) => ({
    workspaceId: p.workspaceId,
    cosignerId: p.cosignerId,
    name: p.name,
    hub: p.hubApiUrl,
    apiUserIds: p.apiUserIds,
    callbackHandlers: handlersOf(p).map((h) => ({ apiUserId: h.apiUserId, url: h.url })),
    jobKeyPinned: p.hubJobKeyPem !== null,
    pending: p.pending,
  }));
  const out: Record<string, unknown> = {
    dataDir: cfg.dataDir,
    seal: cfg.seal.kind,
    identity: { signing: id.signing, encryption: id.encryption },
    pairings,
  };
  if (ctx.flags.keys) {
    const opened = await openStore(cfg, sealFromConfig(cfg, ctx.env));
    try {
      out['keys'] = new KeyStore(opened.store).list().map((k) => ({
        keyId: k.name,
        algorithm: k.meta?.algorithm,
        publicKey: k.meta?.publicKey,
      }));
    } finally {
      opened.close();
    }
  }
  // info is JSON in both modes (issue 6: "info (JSON)").
  ctx.io.out(JSON.stringify(out, null, 2));
  return 0;
}

async function cmdPrintPublicKey(ctx: Ctx): Promise<number> {
  const id = identityFile(config(ctx));
  print(ctx, id, id.publicKeyPem.trimEnd());
  return 0;
}

/** Whose handler a callback command is about (see HELP['callback set']). */
function handlerUser(ctx: Ctx, p: Pairing): string {
  const explicit = ctx.flags['for-api-user'];
  if (explicit !== undefined) {
    if (!p.apiUserIds.includes(explicit))
      throw new CliUsageError(
        `API user ${explicit} is not paired with co-signer ${p.cosignerId} (paired: ${p.apiUserIds.join(', ') || 'none'})`,
      );
    return explicit;
  }
  const requester = ctx.flags['api-user'];
  if (requester !== undefined && p.apiUserIds.includes(requester)) return requester;
  if (p.apiUserIds.length === 1) return p.apiUserIds[0] as string;
  throw new CliUsageError(
    `several API users are paired (${p.apiUserIds.join(', ')}): choose one with --for-api-user`,
  );
}

async function cmdCallback(ctx: Ctx, sub: string): Promise<number> {
  const cfg = config(ctx);
  if (sub === 'show') {
    const only = ctx.flags['for-api-user'];
    const list = readPairings(cfg.dataDir)
      .filter((p) => ctx.flags.workspace === undefined || p.workspaceId === ctx.flags.workspace)
      .map((p) => {
        const approved = handlersOf(p);
        return {
          workspaceId: p.workspaceId,
          cosignerId: p.cosignerId,
          apiUsers: p.apiUserIds
            .filter((u) => only === undefined || u === only)
            .map((apiUserId) => {
              const h = approved.find((x) => x.apiUserId === apiUserId);
              return {
                apiUserId,
                approved: h === undefined ? null : { url: h.url, publicKeyPem: h.publicKeyPem },
                pending: p.pending.filter(
                  (c) =>
                    c.kind === 'set_callback_handler' &&
                    (c.payload['apiUserId'] ?? apiUserId) === apiUserId,
                ),
              };
            }),
        };
      });
    const text = list
      .flatMap((c) =>
        c.apiUsers.map(
          (u) =>
            `${c.workspaceId} ${u.apiUserId}: ${u.approved ? u.approved.url : 'no callback handler (the embedded rules alone decide)'}${u.pending.length ? ` (pending: ${u.pending.map((x) => x.payload['url'] ?? 'remove').join(', ')})` : ''}`,
        ),
      )
      .join('\n');
    print(ctx, { callbacks: list }, text || 'not paired');
    return 0;
  }
  const p = pickPairing(cfg, ctx.flags.workspace);
  const apiUserId = handlerUser(ctx, p);
  let body: { apiUserId: string; url: string | null; publicKey: string | null };
  if (sub === 'set') {
    const url = ctx.flags.url;
    const keyFile = ctx.flags['public-key'];
    if (url === undefined || keyFile === undefined)
      throw new CliUsageError(`--url and --public-key are required\n\n${HELP['callback set']}`);
    if (!isAllowedCallbackUrl(url)) throw new CliUsageError(`--url must be ${CALLBACK_URL_RULE}`);
    const pem = readFileSync(keyFile, 'utf8');
    try {
      createPublicKey(pem);
    } catch {
      throw new CliUsageError(`--public-key ${keyFile} is not a public key PEM`);
    }
    body = { apiUserId, url, publicKey: pem };
  } else body = { apiUserId, url: null, publicKey: null };
  const change = await signedHubRequest(
    p.hubApiUrl,
    credentials(ctx),
    'PUT',
    `/v1/cosigners/${p.cosignerId}/callback-handler`,
    body,
    ctx.fetch,
  );
  const pending = recordPending(cfg, p, change, 'set_callback_handler', {
    apiUserId,
    url: body.url,
  });
  print(
    ctx,
    { status: 'pending-approval', apiUserId, change: pending },
    `callback handler change for API user ${apiUserId} requested (change ${pending.changeId}); it takes effect once the workspace owner approves it`,
  );
  return 0;
}

/** Opens the sealed store and the audit log for an offline command, and closes both after. */
async function withKeysAndAudit<T>(
  ctx: Ctx,
  f: (keys: KeyStore, audit: AuditLog) => Promise<T>,
): Promise<T> {
  const cfg = config(ctx);
  const opened = await openStore(cfg, sealFromConfig(cfg, ctx.env));
  const sink = new FileAuditSink(auditPath(cfg));
  try {
    const audit = await AuditLog.open(
      sink,
      cfg.audit.mode === 'hmac'
        ? { mode: 'hmac', hmacKey: loadAuditKey(opened.store) }
        : { mode: 'redact' },
    );
    return await f(new KeyStore(opened.store), audit);
  } finally {
    await sink.close();
    opened.close();
  }
}

async function cmdKeys(ctx: Ctx, sub: 'list' | 'resolve' | 'remove'): Promise<number> {
  const only = (ctx.flags.key ?? [])[0];
  if (sub === 'list')
    return withKeysAndAudit(ctx, async (keys) => {
      const list = listKeys(keys);
      print(
        ctx,
        { keys: list },
        list.length === 0
          ? 'no key on this co-signer'
          : list
              .map(
                (k) =>
                  `${k.keyId} ${k.algorithm ?? '?'} ${k.publicKey ?? '?'}` +
                  (k.threshold === null
                    ? ' (no active share)'
                    : ` ${k.threshold}-of-[${k.parties.join(',')}]`) +
                  (k.pending === null
                    ? ''
                    : `\n  pending share of job ${k.pending.jobId}: ${k.pending.threshold}-of-` +
                      `[${k.pending.parties.join(',')}], confirmation ${k.pending.confirmation}`),
              )
              .join('\n'),
      );
      return 0;
    });
  if (only === undefined || (ctx.flags.key ?? []).length !== 1)
    throw new CliUsageError(`--key ID is required, once\n\n${HELP[`keys ${sub}`] as string}`);
  if (sub === 'resolve') {
    const confirmation = ctx.flags.confirmation;
    if (confirmation === undefined || ctx.flags.commit === ctx.flags.discard)
      throw new CliUsageError(
        `--confirmation and exactly one of --commit, --discard are required\n\n${HELP['keys resolve'] as string}`,
      );
    const decision = ctx.flags.commit ? 'commit' : 'discard';
    return withKeysAndAudit(ctx, async (keys, audit) => {
      const r = await resolvePending({ keys, keyId: only, decision, confirmation, audit });
      print(
        ctx,
        r,
        decision === 'commit'
          ? `key ${only}: the pending share of job ${r.jobId} is now the active share`
          : `key ${only}: the pending share of job ${r.jobId} was dropped; the active share stays`,
      );
      return 0;
    });
  }
  const publicKey = ctx.flags['public-key'];
  if (publicKey === undefined)
    throw new CliUsageError(`--public-key HEX is required\n\n${HELP['keys remove'] as string}`);
  return withKeysAndAudit(ctx, async (keys, audit) => {
    const r = await removeKey({ keys, keyId: only, publicKey, audit });
    print(ctx, r, `key ${only} (${r.publicKey}) erased from this co-signer`);
    return 0;
  });
}

async function cmdBackupExport(ctx: Ctx): Promise<number> {
  const keyFile = ctx.flags['recovery-key'];
  const outDir = ctx.flags.out;
  if (keyFile === undefined || outDir === undefined)
    throw new CliUsageError(
      `--recovery-key and --out are required\n\n${HELP['backup export'] as string}`,
    );
  config(ctx); // a configuration error is reported before the key file is read
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read --recovery-key ${keyFile}`);
  }
  const recipient = recoveryRecipient(text, keyFile);
  return withKeysAndAudit(ctx, async (keys, audit) => {
    const exported = await exportBackups({
      keys,
      recipient,
      outDir,
      keyIds: ctx.flags.key ?? [],
      audit,
    });
    print(
      ctx,
      { recipient: recipient.fingerprint, outDir, backups: exported },
      exported.length === 0
        ? 'no key share on this co-signer: nothing exported'
        : exported
            .map((b) => `${b.keyId} (${b.algorithm}, party ${b.partyId}) → ${b.file}`)
            .join('\n') + `\nencrypted to recovery key ${recipient.fingerprint}`,
    );
    return 0;
  });
}

function cmdConfigCheck(ctx: Ctx): number {
  let cfg: CosignerConfig;
  try {
    cfg = config(ctx);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    print(ctx, { valid: false, issues: e.issues }, e.message);
    return 2;
  }
  const warnings: { field: string; problem: string; fix: string }[] = [];
  const src = sealSecretSource(cfg);
  if (src?.kind === 'env' && !ctx.env[src.name])
    warnings.push({
      field: 'seal',
      problem: `environment variable ${src.name} is not set (needed by init and start)`,
      fix: `export ${src.name}=… in the service environment`,
    });
  if (src?.kind === 'file' && !existsSync(src.path))
    warnings.push({
      field: 'seal',
      problem: `${src.path} does not exist`,
      fix: 'create it (mode 0600)',
    });
  if (cfg.hub === undefined)
    warnings.push({
      field: 'hub',
      problem: 'not set: pair cannot run',
      fix: 'set hub.apiUrl and hub.cosignerUrl',
    });
  print(
    ctx,
    { valid: true, file: cfg.file ?? null, warnings },
    `configuration is valid${cfg.file ? ` (${cfg.file})` : ''}${warnings.map((w) => `\n  warning: ${w.field}: ${w.problem} (fix: ${w.fix})`).join('')}`,
  );
  return 0;
}

export interface CosignerCliOptions {
  readonly env?: Env;
  readonly fetch?: typeof fetch;
  /** Stops `start` (tests). */
  readonly signal?: AbortSignal;
}

/** Entry point of `quorate cosigner`. */
export async function cosignerCommand(
  argv: readonly string[],
  io: Io,
  opts: CosignerCliOptions = {},
): Promise<number> {
  const [cmd, maybeSub, ...restAll] = argv;
  const twoWord = cmd === 'callback' || cmd === 'config' || cmd === 'backup' || cmd === 'keys';
  const name = twoWord ? `${cmd} ${maybeSub ?? ''}`.trim() : (cmd ?? '');
  const rest = twoWord ? restAll : argv.slice(1);
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP['cosigner'] as string);
    return cmd === undefined ? 2 : 0;
  }
  const help = HELP[name];
  if (help === undefined) {
    io.err(`quorate cosigner: unknown command "${name}"\n\n${HELP['cosigner']}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: FLAGS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`quorate cosigner ${name}: ${e instanceof Error ? e.message : String(e)}\n\n${help}`);
    return 2;
  }
  const ctx: Ctx = {
    io,
    env: opts.env ?? process.env,
    flags: parsed.values as Flags,
    args: parsed.positionals,
    fetch: opts.fetch ?? fetch,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  };
  if (ctx.flags.help) {
    io.out(help);
    return 0;
  }
  try {
    switch (name) {
      case 'init':
        return await cmdInit(ctx);
      case 'start':
        return await cmdStart(ctx);
      case 'pair':
        return await cmdPair(ctx);
      case 'unpair':
        return await cmdUnpair(ctx);
      case 'rename':
        return await cmdRename(ctx);
      case 'info':
        return await cmdInfo(ctx);
      case 'print-public-key':
        return await cmdPrintPublicKey(ctx);
      case 'callback set':
        return await cmdCallback(ctx, 'set');
      case 'callback show':
        return await cmdCallback(ctx, 'show');
      case 'callback remove':
        return await cmdCallback(ctx, 'remove');
      case 'config check':
        return cmdConfigCheck(ctx);
      case 'backup export':
        return await cmdBackupExport(ctx);
      case 'keys list':
        return await cmdKeys(ctx, 'list');
      case 'keys resolve':
        return await cmdKeys(ctx, 'resolve');
      case 'keys remove':
        return await cmdKeys(ctx, 'remove');
    }
  } catch (e) {
    if (
      e instanceof CliUsageError ||
      e instanceof ConfigError ||
      e instanceof BackupExportError ||
      e instanceof RecoveryError ||
      e instanceof KeyAdminError
    ) {
      if (ctx.flags.json && e instanceof ConfigError)
        io.out(JSON.stringify({ error: 'config', issues: e.issues }, null, 2));
      io.err(`quorate cosigner ${name}: ${e.message}`);
      return 2;
    }
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (ctx.flags.json)
      io.out(JSON.stringify({ error: e instanceof Error ? e.name : 'error', message: msg }));
    io.err(`quorate cosigner ${name}: ${msg}`);
    return 1;
  }
  return 2;
}
