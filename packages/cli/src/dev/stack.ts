/**
 * `quorate dev up`: a whole self-hosted stack on this machine (issue 8 "npx quorate dev up
 * --demo"). The hub (SQLite) and three co-signers run as separate `quorate … start` processes on
 * loopback; the co-signers reach the hub over mTLS with certificates from pairing, exactly as in a
 * production layout; the primary co-signer has the example callback handler (its own process).
 *
 * First run (nothing in the data directory): `hub init`, API users, `cosigner init` + `pair` for
 * each co-signer, the callback handler (a change the owner approves), the signing schema (one
 * primary, two guards in two sets, 2 signers), an ALLOW policy for the demo API user, and one
 * vault per algorithm created by DKG through the hub. All of it through the public API or the
 * same CLI commands an operator runs. A later run finds `dev.json` and only starts the processes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hubCommand } from '@quorate/hub/cli';
import { cosignerCommand } from '@quorate/cosigner/cli';
import type { QuorateClient } from '@quorate/sdk';
import { freePort, startQuorate, startTypeScript } from './processes.ts';
import type { ManagedProcess } from './processes.ts';
import { applyAsOwner, call, clientFor, StackError, unlessAborted, waitFor } from './hub-client.ts';
import { readDevState, writeDevState } from './state.ts';
import type { DevCosigner, DevState } from './state.ts';

/** The example callback handler of @quorate/callback (its own process in the stack). */
const CALLBACK_SERVER = fileURLToPath(
  new URL('../../../callback/src/example/server.ts', import.meta.url),
);

/** Where the demo's transfers go; the only destination the example callback handler allows. */
export const DEMO_DESTINATION = '0x000000000000000000000000000000000000dEaD';

export interface StackOptions {
  readonly dataDir: string;
  readonly progress: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: the stack stops whatever it started and gives up. */
  readonly signal?: AbortSignal;
  /** Every process started is added here as soon as it is spawned (for a forced kill). */
  readonly started?: ManagedProcess[];
}

export interface RunningStack {
  readonly dataDir: string;
  readonly hubUrl: string;
  readonly state: DevState & { vaults: NonNullable<DevState['vaults']> };
  readonly owner: QuorateClient;
  readonly apiUser: QuorateClient;
  readonly processes: readonly ManagedProcess[];
  readonly logs: Record<string, string>;
  /** Resolves when any process of the stack exits on its own (a crash). */
  readonly crashed: Promise<string>;
  stop(): Promise<void>;
}

const COSIGNERS: readonly Omit<DevCosigner, 'id' | 'configFile'>[] = [
  { name: 'primary', role: 'primary', set: null, party: 1 },
  { name: 'guard-a', role: 'guard', set: 'A', party: 2 },
  { name: 'guard-b', role: 'guard', set: 'B', party: 3 },
];

const abortable = (o: StackOptions) => (o.signal === undefined ? {} : { signal: o.signal });

/** Where the stack keeps the key pair called `name` (the same on every run). */
function keyFiles(dir: string, name: string): { privateFile: string; publicFile: string } {
  return { privateFile: join(dir, `${name}-key.pem`), publicFile: join(dir, `${name}-public.pem`) };
}

function writeKeyPair(
  dir: string,
  name: string,
): { privateFile: string; publicFile: string; publicPem: string } {
  const k = generateKeyPairSync('ed25519');
  const files = keyFiles(dir, name);
  const publicPem = k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(files.privateFile, k.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  writeFileSync(files.publicFile, publicPem);
  return { ...files, publicPem };
}

type Io = { out: (t: string) => void; err: (t: string) => void };

/** Runs a `quorate …` command in this process (same code as the CLI) and returns its JSON answer. */
async function runJson(
  what: string,
  run: (io: Io) => Promise<number>,
): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run({ out: (t) => out.push(t), err: (t) => err.push(t) });
  if (code !== 0)
    throw new StackError(`quorate ${what} failed (exit ${code}): ${err.join(' ').trim()}`);
  return JSON.parse(out.join('\n')) as Record<string, unknown>;
}

function cosigner(argv: readonly string[], env: NodeJS.ProcessEnv) {
  return runJson(`cosigner ${argv[0] ?? ''}`, (io) =>
    cosignerCommand([...argv, '--json'], io, { env }),
  );
}

function cosignerConfig(
  dir: string,
  name: string,
  ports: DevState['ports'],
): Record<string, unknown> {
  return {
    dataDir: join(dir, 'cosigners', name),
    name,
    seal: { kind: 'keyfile', path: join(dir, 'seals', `${name}.key`) },
    // Kept apart from dataDir, as the co-signer requires (a restored backup must not roll it back).
    counterFile: join(dir, 'counters', `${name}.ctr`),
    hub: {
      apiUrl: `http://127.0.0.1:${ports.api}`,
      cosignerUrl: `wss://127.0.0.1:${ports.cosigners}`,
    },
    // Short poll so approved changes (the callback handler) take effect within seconds.
    connection: { heartbeatSeconds: 5, backoffMinMs: 200, backoffMaxMs: 5_000, pollSeconds: 2 },
    // 2048-bit Paillier keeps the demo's aux-info to about a minute on a laptop.
    ecdsa: { level: '2048', primePoolSize: 2 },
    // Embedded rules: every operation is on the allow list (an operation not listed is refused);
    // the primary's callback handler then decides on each transfer.
    risk: { operations: { keygen: {}, sign: {}, refresh: {}, reshare: {} } },
  };
}

export async function startStack(o: StackOptions): Promise<RunningStack> {
  const dataDir = resolve(o.dataDir);
  const env = { ...(o.env ?? process.env) };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logsDir = join(dataDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const saved = readDevState(dataDir);
  const hubDir = join(dataDir, 'hub');
  const processes: ManagedProcess[] = o.started ?? [];
  const logs: Record<string, string> = {};
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    const ports = saved?.ports ?? {
      api: await freePort(),
      cosigners: await freePort(),
      callback: await freePort(),
    };
    let ownerId = saved?.ownerId;
    if (saved === null) {
      o.progress('creating the hub (SQLite, internal CA)');
      const init = await runJson('hub init', (io) =>
        hubCommand(['init', '--data-dir', hubDir, '--workspace', 'dev', '--json'], io, { env }),
      );
      ownerId = String(init['ownerId']);
    }
    const hubEnv = {
      ...env,
      QUORATE_HUB_LISTEN: `127.0.0.1:${ports.api}`,
      QUORATE_HUB_COSIGNER_LISTEN: `127.0.0.1:${ports.cosigners}`,
    };
    logs['hub'] = join(logsDir, 'hub.log');
    const hub = startQuorate('hub', ['hub', 'start', '--data-dir', hubDir, '--json'], {
      logFile: logs['hub'],
      env: hubEnv,
    });
    processes.push(hub);
    o.progress('starting the hub');
    await unlessAborted(hub.ready, 'starting the hub', o.signal);
    const hubUrl = `http://127.0.0.1:${ports.api}`;
    const owner = clientFor(hubUrl, ownerId!, join(hubDir, 'owner-key.pem'));

    const keysDir = join(dataDir, 'keys');
    mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    for (const d of ['cosigners', 'seals', 'counters', 'config'])
      mkdirSync(join(dataDir, d), { recursive: true, mode: 0o700 });

    let state: DevState;
    let callbackKeys: { privateFile: string; publicFile: string };
    if (saved === null) {
      o.progress('creating the demo API user');
      const demoKey = writeKeyPair(keysDir, 'demo-app');
      const demo = await call(owner, 'POST /v1/users', {
        body: {
          name: 'demo-app',
          kind: 'api',
          role: 'signer',
          publicKey: demoKey.publicPem,
        },
      });
      const cosigners: DevCosigner[] = [];
      for (const c of COSIGNERS) {
        o.progress(
          `initialising and pairing co-signer ${c.name} (${c.role}${c.set ? `, set ${c.set}` : ''})`,
        );
        // The primary serves the demo API user; each guard is paired to an API user of its own.
        let apiUserId = demo['id'] as string;
        if (c.role === 'guard') {
          const k = writeKeyPair(keysDir, c.name);
          const u = await call(owner, 'POST /v1/users', {
            body: {
              name: c.name,
              kind: 'api',
              role: 'signer',
              publicKey: k.publicPem,
            },
          });
          apiUserId = u['id'] as string;
        }
        const configFile = join(dataDir, 'config', `${c.name}.json`);
        writeFileSync(configFile, JSON.stringify(cosignerConfig(dataDir, c.name, ports), null, 2));
        await cosigner(['init', '--config', configFile, '--generate-key-file'], env);
        const token = await call(owner, 'POST /v1/pairing-tokens', { body: { apiUserId } });
        const paired = await cosigner(
          ['pair', String(token['token']), '--config', configFile],
          env,
        );
        cosigners.push({ ...c, id: String(paired['cosignerId']), configFile });
      }
      state = {
        version: 1,
        ports,
        ownerId: ownerId!,
        apiUser: { id: demo['id'] as string, name: 'demo-app', keyFile: demoKey.privateFile },
        cosigners,
        vaults: null,
      };
      writeDevState(dataDir, state);
      callbackKeys = writeKeyPair(keysDir, 'callback-handler');
    } else {
      state = saved;
      callbackKeys = keyFiles(keysDir, 'callback-handler');
    }

    // The example callback handler of the primary: it allows the demo destination only.
    const primary = state.cosigners.find((c) => c.role === 'primary')!;
    const primaryKey = await cosigner(['print-public-key', '--config', primary.configFile], env);
    const primaryPem = join(keysDir, 'primary-callback-public.pem');
    writeFileSync(primaryPem, String(primaryKey['publicKeyPem']));
    logs['callback-handler'] = join(logsDir, 'callback-handler.log');
    const handler = startTypeScript('callback-handler', CALLBACK_SERVER, {
      logFile: logs['callback-handler'],
      env: {
        ...env,
        COSIGNER_PUBLIC_KEY_FILE: primaryPem,
        COSIGNER_KEY_ALG: 'EdDSA',
        HANDLER_PRIVATE_KEY_FILE: callbackKeys.privateFile,
        HANDLER_KEY_ALG: 'EdDSA',
        ALLOWED_DESTINATIONS: DEMO_DESTINATION,
        DAILY_LIMIT: 'ETH:100000000000000000000',
        // The primary's key may be refreshed and reshared (the handler's config-change endpoint).
        APPROVED_CONFIG_CHANGES: 'REFRESH_KEY,RESHARE_KEY',
        HOST: '127.0.0.1',
        PORT: String(state.ports.callback),
      },
    });
    processes.push(handler);
    o.progress('starting the example callback handler');
    await unlessAborted(handler.ready, 'starting the callback handler', o.signal);

    for (const c of state.cosigners) {
      logs[c.name] = join(logsDir, `${c.name}.log`);
      processes.push(
        startQuorate(c.name, ['cosigner', 'start', '--config', c.configFile, '--json'], {
          logFile: logs[c.name]!,
          env,
        }),
      );
    }
    o.progress('starting the co-signers and waiting until the hub sees them online');
    // 'online' means heard by this hub process (the registry ignores a previous run's heartbeats).
    await waitFor(
      'every co-signer online',
      async () => {
        const r = await call(owner, 'GET /v1/cosigners');
        const list = r['cosigners'] as { id: string; health: string }[];
        return state.cosigners.every((c) =>
          list.some((x) => x.id === c.id && x.health === 'online'),
        )
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, hint: `see the co-signer logs in ${logsDir}`, ...abortable(o) },
    );

    if (state.vaults === null) {
      o.progress('setting the primary co-signer’s callback handler (approved by the owner)');
      const requested = await cosigner(
        [
          'callback',
          'set',
          '--url',
          `http://127.0.0.1:${state.ports.callback}`,
          '--public-key',
          callbackKeys.publicFile,
          '--api-user',
          state.ownerId,
          '--api-key',
          join(hubDir, 'owner-key.pem'),
          '--config',
          primary.configFile,
        ],
        env,
      );
      const changeId = (requested['change'] as { changeId?: unknown } | undefined)?.changeId;
      if (typeof changeId !== 'string')
        throw new StackError('cosigner callback set: the hub answered without a change id');
      await call(owner, 'POST /v1/config-changes/{id}/approve', { params: { id: changeId } });
      // The hub's schema rule: a clique is the primary plus one guard from every set, so two
      // sets of one guard each sign 3-of-3.
      o.progress('setting the signing schema: the primary and one guard from each of sets A and B');
      await applyAsOwner(owner, 'PUT /v1/signing-schema', {
        body: {
          threshold: 3,
          primaries: [{ cosignerId: primary.id, party: primary.party }],
          sets: state.cosigners
            .filter((c) => c.role === 'guard')
            .map((g) => ({ name: g.set, guards: [{ cosignerId: g.id, party: g.party }] })),
        },
      });
      o.progress('setting the policy: the demo API user may sign');
      const current = await call(owner, 'GET /v1/policy').catch(
        () => ({}) as Record<string, unknown>,
      );
      const version = typeof current['version'] === 'number' ? current['version'] + 1 : 1;
      await applyAsOwner(owner, 'PUT /v1/policy', {
        body: {
          policy: {
            format: 'quorate.policy/v1',
            version,
            description: 'quorate dev up: the demo API user signs',
            rules: [
              {
                id: 'demo-app-signs',
                initiator: { apiUsers: [state.apiUser.id] },
                action: 'ALLOW',
                signer: { type: 'INITIATOR' },
              },
            ],
          },
        },
      });
      const ecdsa = await createVault(owner, o, 'ecdsa-secp256k1', 'm/44/60/0/0/0', logsDir);
      const eddsa = await createVault(owner, o, 'eddsa-ed25519', 'm/44/501/0/0', logsDir);
      state = { ...state, vaults: { ecdsa, eddsa } };
      writeDevState(dataDir, state);
    }
    const vaults = state.vaults!;
    const crashed = Promise.race(
      processes.map((p) =>
        p.exited.then((how) => `${p.name} exited (${String(how)}); see ${p.logFile}`),
      ),
    );
    return {
      dataDir,
      hubUrl,
      state: { ...state, vaults },
      owner,
      apiUser: clientFor(hubUrl, state.apiUser.id, state.apiUser.keyFile),
      processes,
      logs,
      crashed,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function createVault(
  owner: QuorateClient,
  o: StackOptions,
  algorithm: 'ecdsa-secp256k1' | 'eddsa-ed25519',
  path: string,
  logsDir: string,
): Promise<{ vaultId: string; accountId: string; path: string }> {
  o.progress(
    algorithm === 'ecdsa-secp256k1'
      ? 'creating the ECDSA vault: CGGMP21 key generation, then aux-info (each co-signer generates safe primes: about a minute)'
      : 'creating the EdDSA vault: FROST DKG (Ed25519)',
  );
  const v = await call(owner, 'POST /v1/vaults', {
    body: { name: `demo-${algorithm}`, algorithm },
  });
  const vaultId = String(v['id']);
  const started = Date.now();
  let lastTick = started;
  await waitFor(
    `vault ${vaultId} (${algorithm}) to become ACTIVE`,
    async () => {
      const r = await call(owner, 'GET /v1/vaults/{id}', { params: { id: vaultId } });
      if (r['status'] === 'FAILED')
        throw new StackError(
          `vault ${vaultId} (${algorithm}) FAILED: ${JSON.stringify(r['error'] ?? r['failure'] ?? null)}; see the logs in ${logsDir}`,
        );
      if (Date.now() - lastTick > 15_000) {
        lastTick = Date.now();
        o.progress(`  … still creating (${Math.round((lastTick - started) / 1000)} s)`);
      }
      return r['status'] === 'ACTIVE' ? true : undefined;
    },
    {
      timeoutMs: 25 * 60_000,
      intervalMs: 500,
      hint: `see the logs in ${logsDir}`,
      ...abortable(o),
    },
  );
  const a = await call(owner, 'POST /v1/vaults/{id}/accounts', {
    params: { id: vaultId },
    body: { name: 'demo', path },
  });
  return { vaultId, accountId: String(a['id']), path };
}
