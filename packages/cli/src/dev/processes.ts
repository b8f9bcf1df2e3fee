/**
 * Child processes of the developer stack (`quorate dev up`): each component runs as its own
 * `quorate …` process — the same entry point an operator runs — with stdout and stderr appended to
 * a log file. A process is "ready" when it prints its first JSON status line on stdout (`hub start
 * --json` prints its listening ports; the co-signer logs JSON events). Stopping sends SIGTERM (the commands shut down cleanly on
 * it) and escalates to SIGKILL after a grace period, so Ctrl-C never leaves orphans behind.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A TCP port free on 127.0.0.1 right now (the OS picks it; the caller binds it soon after). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** The `quorate` entry point of this checkout (runs the TypeScript sources through tsx). */
export const QUORATE_BIN = fileURLToPath(new URL('../../bin/quorate.js', import.meta.url));

export class ProcessExitedError extends Error {
  override readonly name = 'ProcessExitedError';
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the first JSON object the process printed on stdout. */
  readonly ready: Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  /** SIGKILL now (a second Ctrl-C). */
  kill(): void;
}

export interface StartOptions {
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs `quorate <args>` of this checkout as a child process. */
export function startQuorate(
  name: string,
  args: readonly string[],
  opts: StartOptions,
): ManagedProcess {
  return startNode(name, [QUORATE_BIN, ...args], opts);
}

/** Runs a TypeScript module of this checkout as a child process (through tsx's loader). */
export function startTypeScript(name: string, file: string, opts: StartOptions): ManagedProcess {
  return startNode(name, ['--import', import.meta.resolve('tsx'), file], opts);
}

function startNode(name: string, args: readonly string[], opts: StartOptions): ManagedProcess {
  const log = createWriteStream(opts.logFile, { flags: 'a', mode: 0o600 });
  log.write(`--- ${new Date().toISOString()} node ${args.join(' ')}\n`);
  const child: ChildProcess = spawn(process.execPath, [...args], {
    env: opts.env ?? process.env,
    cwd: opts.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolveReady!: (v: Record<string, unknown>) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<Record<string, unknown>>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  let pending = '';
  let isReady = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (isReady) return;
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      // A status line is a JSON object, possibly after a short text prefix
      // ("callback handler listening on {…}").
      const brace = line.indexOf('{');
      if (brace < 0 || !line.endsWith('}')) continue;
      try {
        const v = JSON.parse(line.slice(brace)) as unknown;
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          isReady = true;
          resolveReady(v as Record<string, unknown>);
          return;
        }
      } catch {
        // not a status line; keep reading
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      const how = code ?? signal ?? 'unknown';
      log.end(`--- exited: ${String(how)}\n`);
      if (!isReady)
        rejectReady(
          new ProcessExitedError(
            `${name} exited (${String(how)}) before it was ready; see ${opts.logFile}`,
          ),
        );
      resolve(how);
    });
    child.on('error', (e) => {
      rejectReady(new ProcessExitedError(`${name} could not start: ${e.message}`));
      resolve('spawn-error');
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    logFile: opts.logFile,
    ready,
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
}
