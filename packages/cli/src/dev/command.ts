/**
 * `quorate dev …`: the developer stack (issue 8). `dev up` starts the hub and three co-signers as
 * separate processes on loopback (mTLS), provisions them on the first run, and with `--demo`
 * signs an EVM transaction and an Ed25519 message through the public API. Progress goes to
 * stderr; `--json` prints one summary object on stdout. Without `--once` the stack keeps running
 * until Ctrl-C (SIGINT) or SIGTERM, which stop every process.
 */
import { join, resolve } from 'node:path';
import { parseFlags, UsageError } from '../args.ts';
import type { Io } from '../args.ts';
import { startStack } from './stack.ts';
import type { RunningStack } from './stack.ts';
import type { ManagedProcess } from './processes.ts';
import { keysOf, refusedTransfer, signEd25519Message, signEvmTransfer } from './demo.ts';
import type { DemoTransaction } from './demo.ts';

export const DEFAULT_DATA_DIR = '.quorate/dev';

const HELP = `Usage: quorate dev up [--demo] [--once] [--json] [--data-dir DIR]

Starts a whole Quorate stack on this machine: the hub (SQLite) and three co-signers (one primary
with the example callback handler, two guards in sets A and B) as separate processes on
127.0.0.1, co-signers connected over mTLS. The first run creates everything (hub, API users,
pairings, signing schema, policy, an ECDSA and an EdDSA vault by DKG); later runs reuse it.

  --demo           sign an EIP-1559 transaction (ECDSA) and an Ed25519 message through the API
                   and verify both signatures independently
  --once           stop every process after the demo (default: run until Ctrl-C)
  --data-dir DIR   where the stack keeps its state and logs (default ${DEFAULT_DATA_DIR})
  --json           print one summary object on stdout (progress stays on stderr)
  -h, --help       show this help`;

export interface DevSummary {
  readonly hubUrl: string;
  readonly dataDir: string;
  readonly logs: Record<string, string>;
  /** The stack's processes (all stopped again when `dev up` exits). */
  readonly processes: { name: string; pid: number }[];
  readonly cosigners: { id: string; name: string; role: string; set: string | null }[];
  readonly keys: {
    ecdsa: { publicKey: string; address: string };
    eddsa: { publicKey: string };
  };
  readonly transactions: DemoTransaction[];
  /** The hub's web console and how to sign in to it as the workspace owner. */
  readonly console: { url: string; userId: string; keyFile: string };
}

/**
 * Ctrl-C (SIGINT) or SIGTERM, for the whole life of `dev up`: the first stops the stack cleanly
 * (each process gets SIGTERM, then SIGKILL after a grace period) — during provisioning too; a
 * second one kills every process at once. A process of the stack that exits on its own also ends
 * the run.
 */
function stopSignals(started: readonly ManagedProcess[], external?: AbortSignal) {
  const controller = new AbortController();
  let count = 0;
  const on = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) controller.abort(sig);
    else for (const p of started) p.kill();
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // An embedding program (a test) may stop the stack as Ctrl-C does.
  external?.addEventListener('abort', onInt, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

function waitForStop(stack: RunningStack, signal: AbortSignal): Promise<string> {
  return new Promise((resolvePromise) => {
    if (signal.aborted) return resolvePromise(String(signal.reason));
    signal.addEventListener('abort', () => resolvePromise(String(signal.reason)), { once: true });
    void stack.crashed.then((why) => resolvePromise(why));
  });
}

function nextSteps(s: DevSummary): string {
  const env = `QUORATE_HUB_URL=${s.hubUrl}`;
  return [
    `Hub API:        ${s.hubUrl}  (OpenAPI: ${s.hubUrl}/openapi.json)`,
    `Web console:    ${s.console.url}  (user id ${s.console.userId}, key file ${s.console.keyFile})`,
    `Data directory: ${s.dataDir}`,
    `Logs:           ${join(s.dataDir, 'logs')}/{hub,primary,guard-a,guard-b,callback-handler}.log`,
    `Co-signers:     ${s.cosigners.map((c) => `${c.name} (${c.role}${c.set ? ` ${c.set}` : ''}) ${c.id}`).join(', ')}`,
    `ECDSA address:  ${s.keys.ecdsa.address}`,
    `EdDSA key:      ${s.keys.eddsa.publicKey}`,
    ...s.transactions.map((t) =>
      t.status === 'COMPLETED'
        ? `Signed:         ${t.kind} ${t.id} COMPLETED (verified independently: ${t.verified})`
        : `Refused:        ${t.kind} ${t.id} ${t.status}: ${t.reason ?? ''}`,
    ),
    '',
    'Next:',
    ...[
      ['npx quorate tx --help', `the user CLI (${env}; see docs/quickstart.md)`],
      [
        `npx quorate cosigner info --config ${join(s.dataDir, 'config', 'primary.json')}`,
        'the primary co-signer',
      ],
      [`curl ${s.hubUrl}/openapi.json`, 'the API document'],
      ['npx quorate dev up --demo', 'run the demo again (reuses this stack)'],
    ].map(([cmd, what]) => `  ${cmd!.padEnd(44)} ${what!}`),
  ].join('\n');
}

export async function devCommand(
  argv: readonly string[],
  io: Io,
  opts: { readonly env?: NodeJS.ProcessEnv; readonly signal?: AbortSignal } = {},
): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd !== 'up') throw new UsageError(`unknown command "${cmd}"\n\n${HELP}`);
  const { values: v, positionals } = parseFlags(
    rest,
    {
      demo: { type: 'boolean' },
      once: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    HELP,
  );
  if (v.help) return (io.out(HELP), 0);
  if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"\n\n${HELP}`);
  const dataDir = resolve((v['data-dir'] as string | undefined) ?? DEFAULT_DATA_DIR);
  const progress = (line: string) => io.err(`[dev] ${line}`);
  const t0 = Date.now();
  const started: ManagedProcess[] = [];
  const stops = stopSignals(started, opts.signal);
  let stack: RunningStack | undefined;
  try {
    stack = await startStack({
      dataDir,
      progress,
      signal: stops.signal,
      started,
      ...(opts.env ? { env: opts.env } : {}),
    });
    const keys = await keysOf(stack);
    const transactions: DemoTransaction[] = [];
    if (v.demo === true) {
      transactions.push(await signEvmTransfer(stack, keys, progress));
      transactions.push(await signEd25519Message(stack, keys, progress));
      transactions.push(await refusedTransfer(stack, progress));
    }
    const summary: DevSummary = {
      hubUrl: stack.hubUrl,
      dataDir,
      logs: stack.logs,
      processes: stack.processes.map((p) => ({ name: p.name, pid: p.pid })),
      cosigners: stack.state.cosigners.map((c) => ({
        id: c.id,
        name: c.name,
        role: c.role,
        set: c.set,
      })),
      keys,
      transactions,
      console: {
        url: `${stack.hubUrl}/console/`,
        userId: stack.state.ownerId,
        keyFile: join(dataDir, 'hub', 'owner-key.pem'),
      },
    };
    progress(`ready in ${Math.round((Date.now() - t0) / 1000)} s`);
    if (v.json === true) io.out(JSON.stringify(summary));
    else io.out(nextSteps(summary));
    if (v.once === true) return 0;
    progress('running; press Ctrl-C to stop every process');
    const why = await waitForStop(stack, stops.signal);
    progress(`stopping (${why})`);
    return why.includes('exited') ? 1 : 0;
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    stops.dispose();
    progress('stopped');
  }
}
