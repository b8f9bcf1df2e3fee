/**
 * `quorate hub …` — the hub's operator commands (issue 7 "CLI"):
 *   init, start, api-user create, pairing-token, approve, policy set.
 * Same signature as the CLI's other groups (`(argv, io) → exit code`); the app layer wires it
 * into `quorate`. Operator commands act directly on the data directory as the workspace owner
 * (or `--as <user id>`): whoever holds the data directory holds the CA key anyway. Remote
 * clients use the signed HTTP API instead. Exit codes: 0 ok, 1 failed, 2 usage or configuration.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadHubConfig } from './config.ts';
import { initHub, openHub } from './hub.ts';
import type { OpenHub } from './hub.ts';
import { buildHubServer, createServices } from './http/server.ts';
import { startCosignerListener } from './cosigners/mtls.ts';
import { HubError } from './http/errors.ts';
import { ROLES } from './auth/rbac.ts';
import type { Principal } from './auth/request-token.ts';
import type { Role } from './storage/schema.ts';
import { DEFAULT_EXTENSIONS } from './extensions.ts';
import type { HubExtension } from './extensions.ts';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

class UsageError extends Error {}

const COMMON = `  --data-dir DIR   the hub's data directory (or QUORATE_HUB_DATA_DIR)
  --json           print one JSON object on stdout
  -h, --help       show this help`;

const HELP: Record<string, string> = {
  hub: `Usage: quorate hub <command> [flags]

Commands:
  init              create the data directory: first workspace, owner, internal CA
  start             run the API and the co-signers' mTLS listener
  api-user create   register an API user (or human user) with its public key and role
  pairing-token     issue a single-use pairing token (1 h) for an API user
  approve           approve (or --reject) a configuration change
  policy set        propose a policy document (the owner approves it)

Run "quorate hub <command> --help" for its flags.`,
  init: `Usage: quorate hub init --data-dir DIR [flags]

  --workspace NAME          workspace name (default "default")
  --owner NAME              owner's user name (default "owner")
  --owner-public-key FILE   owner's public key (SPKI PEM); without it an Ed25519 key is
                            generated into DIR/owner-key.pem (mode 0600)
  --database-url URL        use PostgreSQL (postgres://…) instead of DIR/hub.sqlite;
                            "hub start" then needs QUORATE_HUB_DATABASE_URL
${COMMON}`,
  start: `Usage: quorate hub start --data-dir DIR [flags]

Listens on hub.json's "api" (default 127.0.0.1:8080, or QUORATE_HUB_LISTEN=host:port) and
"cosigners" (default 127.0.0.1:8443, or QUORATE_HUB_COSIGNER_LISTEN) until SIGINT/SIGTERM.
${COMMON}`,
  'api-user create': `Usage: quorate hub api-user create --name NAME --role ROLE --public-key FILE [flags]

  --name NAME         unique in the workspace
  --role ROLE         ${ROLES.join(' | ')}
  --public-key FILE   SPKI PEM: RSA-2048, P-256 or Ed25519
  --human             a human user instead of an API user
  --as USER_ID        act as this user (default: the owner)
${COMMON}`,
  'pairing-token': `Usage: quorate hub pairing-token --api-user ID [flags]

  --api-user ID    an API user with role signer or admin
  --as USER_ID     act as this user (default: the owner)
${COMMON}`,
  approve: `Usage: quorate hub approve <change-id> [flags]

  --reject         reject instead of approving
  --reason TEXT    why (with --reject)
  --as USER_ID     act as this user (default: the owner)
${COMMON}`,
  'policy set': `Usage: quorate hub policy set --file POLICY.json [flags]

Proposes the policy as a configuration change; it is in force once the owner runs
"quorate hub approve <change-id>".
  --file FILE      a quorate.policy/v1 document (docs/policy-language.md)
  --as USER_ID     act as this user (default: the owner)
${COMMON}`,
};

type Flags = Record<string, string | boolean | undefined>;

function parse(
  argv: readonly string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
  help: string,
) {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        ...options,
      },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Flags, positionals };
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${help}`);
  }
}

function required(v: Flags, name: string, help: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${name} is required\n\n${help}`);
  return x;
}

function readFileFlag(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--${flag}: cannot read ${path}`);
  }
}

async function withHub<T>(
  v: Flags,
  env: NodeJS.ProcessEnv,
  f: (hub: OpenHub) => Promise<T>,
  extensions: readonly HubExtension[] = DEFAULT_EXTENSIONS,
): Promise<T> {
  const config = loadHubConfig({ dataDir: v['data-dir'] as string | undefined, env });
  const hub = await openHub(config, Date.now, extensions);
  try {
    return await f(hub);
  } finally {
    await hub.close();
  }
}

async function actor(hub: OpenHub, as: unknown): Promise<Principal> {
  const id = typeof as === 'string' ? as : hub.config.ownerId;
  const key = await createServices(hub.ctx).workspaces.findKey(id);
  if (!key || key.principal.workspaceId !== hub.config.workspaceId)
    throw new UsageError(`--as ${id}: no such enabled user in this workspace`);
  return key.principal;
}

function print(io: Io, json: boolean, value: unknown, text: string): void {
  io.out(json ? JSON.stringify(value) : text);
}

/** Waits for SIGINT/SIGTERM (or the signal given by an embedding program or test). */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

export async function hubCommand(
  argv: readonly string[],
  io: Io,
  opts: {
    readonly env?: NodeJS.ProcessEnv;
    readonly signal?: AbortSignal;
    readonly onListening?: (ports: { api: number; cosigners: number }) => void;
    /** Features mounted by `start` (default: DEFAULT_EXTENSIONS). */
    readonly extensions?: readonly HubExtension[];
  } = {},
): Promise<number> {
  const env = opts.env ?? process.env;
  let [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP.hub!);
    return cmd === undefined ? 2 : 0;
  }
  if (
    (cmd === 'api-user' || cmd === 'policy') &&
    rest[0] !== undefined &&
    !rest[0].startsWith('-')
  ) {
    cmd = `${cmd} ${rest[0]}`;
    rest = rest.slice(1);
  }
  const help = HELP[cmd];
  try {
    if (help === undefined) throw new UsageError(`unknown command "${cmd}"\n\n${HELP.hub}`);
    switch (cmd) {
      case 'init': {
        const { values: v } = parse(
          rest,
          {
            workspace: { type: 'string' },
            owner: { type: 'string' },
            'owner-public-key': { type: 'string' },
            'database-url': { type: 'string' },
          },
          help,
        );
        if (v.help) return (io.out(help), 0);
        const dataDir = (v['data-dir'] as string | undefined) ?? env.QUORATE_HUB_DATA_DIR;
        if (dataDir === undefined) throw new UsageError(`--data-dir is required\n\n${help}`);
        const r = await initHub({
          dataDir,
          workspaceName: (v.workspace as string | undefined) ?? 'default',
          ownerName: (v.owner as string | undefined) ?? 'owner',
          ...(typeof v['owner-public-key'] === 'string'
            ? { ownerPublicKeyPem: readFileFlag(v['owner-public-key'], 'owner-public-key') }
            : {}),
          ...(typeof v['database-url'] === 'string' ? { databaseUrl: v['database-url'] } : {}),
        });
        print(
          io,
          v.json === true,
          r,
          [
            `hub initialised in ${r.dataDir}`,
            `workspace ${r.workspaceId}, owner ${r.ownerId}`,
            r.ownerKeyFile
              ? `owner's private key: ${r.ownerKeyFile} (keep it safe; it signs the owner's requests)`
              : '',
            `internal CA certificate: ${r.caCertificateFile}`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
        return 0;
      }
      case 'start': {
        const { values: v } = parse(rest, {}, help);
        if (v.help) return (io.out(help), 0);
        const extensions = opts.extensions ?? DEFAULT_EXTENSIONS;
        return await withHub(
          v,
          env,
          async (hub) => {
            const {
              app,
              services,
              extensions: runtimes,
            } = await buildHubServer(hub.ctx, {
              extensions,
            });
            await app.listen({ host: hub.config.api.host, port: hub.config.api.port });
            const api = (app.server.address() as { port: number }).port;
            const listener = await startCosignerListener(
              hub.ctx,
              services.registry,
              hub.config.cosigners,
            );
            print(
              io,
              v.json === true,
              {
                api: { host: hub.config.api.host, port: api },
                cosigners: { host: hub.config.cosigners.host, port: listener.port },
                console: `http://${hub.config.api.host}:${api}/console/`,
              },
              `hub API on http://${hub.config.api.host}:${api} (web console: /console/), co-signers (mTLS) on ${hub.config.cosigners.host}:${listener.port}`,
            );
            for (const rt of runtimes) rt.attachCosignerListener?.(listener.server);
            for (const rt of runtimes) rt.start?.();
            opts.onListening?.({ api, cosigners: listener.port });
            await untilStopped(opts.signal);
            for (const rt of runtimes) await rt.close?.();
            await listener.close();
            await app.close();
            return 0;
          },
          extensions,
        );
      }
      case 'api-user create': {
        const { values: v } = parse(
          rest,
          {
            name: { type: 'string' },
            role: { type: 'string' },
            'public-key': { type: 'string' },
            human: { type: 'boolean' },
            as: { type: 'string' },
          },
          help,
        );
        if (v.help) return (io.out(help), 0);
        const name = required(v, 'name', help);
        const role = required(v, 'role', help);
        if (!ROLES.includes(role as Role))
          throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const publicKey = readFileFlag(required(v, 'public-key', help), 'public-key');
        return await withHub(v, env, async (hub) => {
          const u = await createServices(hub.ctx).workspaces.createUser(await actor(hub, v.as), {
            name,
            kind: v.human === true ? 'human' : 'api',
            role: role as Role,
            publicKey,
          });
          print(
            io,
            v.json === true,
            u,
            `created ${u.kind === 'api' ? 'API user' : 'user'} ${u.name} (${u.role}): ${u.id}`,
          );
          return 0;
        });
      }
      case 'pairing-token': {
        const { values: v } = parse(
          rest,
          { 'api-user': { type: 'string' }, as: { type: 'string' } },
          help,
        );
        if (v.help) return (io.out(help), 0);
        const apiUser = required(v, 'api-user', help);
        return await withHub(v, env, async (hub) => {
          const t = await createServices(hub.ctx).pairing.issue(await actor(hub, v.as), apiUser);
          print(
            io,
            v.json === true,
            t,
            `${t.token}\n(single use, expires ${new Date(t.expiresAt).toISOString()})`,
          );
          return 0;
        });
      }
      case 'approve': {
        const { values: v, positionals } = parse(
          rest,
          {
            reject: { type: 'boolean' },
            reason: { type: 'string' },
            as: { type: 'string' },
          },
          help,
        );
        if (v.help) return (io.out(help), 0);
        const id = positionals[0];
        if (id === undefined || positionals.length !== 1)
          throw new UsageError(`give exactly one change id\n\n${help}`);
        return await withHub(v, env, async (hub) => {
          const s = createServices(hub.ctx).changes;
          // Changes of a feature (signing schema, allow-list) are applied by the feature.
          for (const e of opts.extensions ?? DEFAULT_EXTENSIONS)
            e.registerChangeAppliers?.(hub.ctx, s);
          const who = await actor(hub, v.as);
          const c =
            v.reject === true
              ? await s.reject(who, id, (v.reason as string | undefined) ?? null)
              : await s.approve(who, id);
          print(io, v.json === true, c, `${c.kind} ${c.id}: ${c.status}`);
          return 0;
        });
      }
      case 'policy set': {
        const { values: v } = parse(
          rest,
          { file: { type: 'string' }, as: { type: 'string' } },
          help,
        );
        if (v.help) return (io.out(help), 0);
        const text = readFileFlag(required(v, 'file', help), 'file');
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          throw new UsageError(`--file: ${String(v.file)} is not JSON`);
        }
        return await withHub(v, env, async (hub) => {
          const c = await createServices(hub.ctx).changes.requestPolicy(
            await actor(hub, v.as),
            doc,
          );
          print(
            io,
            v.json === true,
            c,
            `policy change ${c.id} is ${c.status}; approve it with "quorate hub approve ${c.id}"`,
          );
          return 0;
        });
      }
    }
    return 2;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.err(`quorate hub: ${e.message}`);
      return 2;
    }
    if (e instanceof HubError) {
      io.err(`quorate hub: ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
