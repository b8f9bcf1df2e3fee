/**
 * Small argument helpers shared by every subcommand: typed flag parsing with errors that say
 * what to do next, and the uniform --help / --json behaviour.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

export type FlagSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; default?: string | boolean }
>;

export function parseFlags<F extends FlagSpec>(argv: readonly string[], flags: F, usage: string) {
  try {
    return parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, ...flags },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${usage}`);
  }
}

export function intFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

/** `--signers 1,3`: sorted, distinct, in 1..n, at least t of them (default: the first t). */
export function parseSigners(text: string | undefined, t: number, n: number): number[] {
  if (text === undefined) return Array.from({ length: t }, (_, i) => i + 1);
  if (!/^\d+(,\d+)*$/.test(text))
    throw new UsageError(
      `--signers must be a comma-separated list of party numbers (got "${text}")`,
    );
  const ids = text.split(',').map(Number);
  for (const id of ids)
    if (id < 1 || id > n) throw new UsageError(`--signers: party ${id} is not in 1..${n}`);
  if (new Set(ids).size !== ids.length) throw new UsageError('--signers: a party appears twice');
  if (ids.length < t)
    throw new UsageError(`--signers: ${ids.length} signer(s) given, the threshold is ${t}`);
  return ids.sort((a, b) => a - b);
}

/** One JSON object on stdout with --json; otherwise one `key: value` line per field. */
export function printSummary(io: Io, summary: Record<string, unknown>, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(summary));
    return;
  }
  const line = ([k, v]: [string, unknown]) =>
    `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`;
  io.out(Object.entries(summary).map(line).join('\n'));
}
