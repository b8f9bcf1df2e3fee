/**
 * Append-only, hash-chained audit log (docs/cosigner-risk.md, "Audit log"), after HashiCorp
 * Vault's audit devices: it fails closed (no entry, no operation) and sensitive fields are HMACed
 * (or redacted), never written.
 *
 * Each entry is one JSON line `{seq, time, type, data, prev, hash}` where
 * `hash = SHA-256(canonical JSON of [seq, time, type, data, prev])` and `prev` is the previous
 * entry's hash (64 zeros for the first). `verifyAuditChain` recomputes every hash and link, so a
 * modified, removed, inserted or reordered entry is found and named by its position. Removing
 * entries from the *end* leaves a valid shorter chain: compare the head with one kept elsewhere
 * (`expectedHead`), e.g. exported in metrics or sent to the hub.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AuditSink } from './sinks.ts';

export const GENESIS_PREV = '0'.repeat(64);

export type AuditJson = null | boolean | number | string | AuditJson[] | { [k: string]: AuditJson };

export interface AuditEntry {
  readonly seq: number;
  readonly time: string;
  readonly type: string;
  readonly data: AuditJson;
  readonly prev: string;
  readonly hash: string;
}

export type AuditErrorKind =
  /** The sink could not append: the operation was not performed. */
  | 'append-failed'
  /** A line is not a valid entry (torn write, edited JSON). */
  | 'malformed'
  /** An entry's content does not match its hash (modified). */
  | 'hash-mismatch'
  /** An entry does not point at the one before (removed, inserted, reordered). */
  | 'broken-link'
  /** Sequence numbers are not 0, 1, 2… (removed, inserted, reordered). */
  | 'sequence'
  /** The chain is shorter or other than the head recorded elsewhere (truncated). */
  | 'head-mismatch';

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly kind: AuditErrorKind,
    /** Position (line index) of the first bad entry, when there is one. */
    readonly index: number | undefined,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}

/** JSON with object keys sorted, so the hash does not depend on key order. */
export function canonicalJson(v: AuditJson): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as AuditJson)}`).join(',')}}`;
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson([e.seq, e.time, e.type, e.data, e.prev]))));
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseLine(line: string, i: number): AuditEntry {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new AuditError('malformed', i, `entry ${i}: not JSON`, { cause: e });
  }
  const o = v as Record<string, unknown>;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Number.isSafeInteger(o['seq']) ||
    typeof o['time'] !== 'string' ||
    typeof o['type'] !== 'string' ||
    !('data' in o) ||
    typeof o['prev'] !== 'string' ||
    !HEX64.test(o['prev']) ||
    typeof o['hash'] !== 'string' ||
    !HEX64.test(o['hash']) ||
    Object.keys(o).length !== 6
  )
    throw new AuditError('malformed', i, `entry ${i}: not an audit entry`);
  return o as unknown as AuditEntry;
}

/** Verifies a whole log (lines in stored order). Returns the entry count and head hash. */
export function verifyAuditChain(
  lines: readonly string[],
  opts: { expectedHead?: string } = {},
): { count: number; head: string } {
  let prev = GENESIS_PREV;
  lines.forEach((line, i) => {
    const e = parseLine(line, i);
    if (e.seq !== i) throw new AuditError('sequence', i, `entry ${i}: sequence number ${e.seq}`);
    if (e.prev !== prev)
      throw new AuditError('broken-link', i, `entry ${i}: does not follow entry ${i - 1}`);
    if (entryHash(e) !== e.hash)
      throw new AuditError('hash-mismatch', i, `entry ${i}: content does not match its hash`);
    prev = e.hash;
  });
  if (opts.expectedHead !== undefined && opts.expectedHead !== prev)
    throw new AuditError('head-mismatch', undefined, 'the chain does not end at the expected head');
  return { count: lines.length, head: prev };
}

export interface AuditLogOptions {
  /** Field names (any depth, case-insensitive) whose values never reach the log. */
  readonly sensitiveFields?: readonly string[];
  /** `hmac` (default): replaced by HMAC-SHA256 under `hmacKey`, so equal values can be matched. */
  readonly mode?: 'hmac' | 'redact';
  /** Required in `hmac` mode; no default (a default key would make the HMAC a plain hash). */
  readonly hmacKey?: Uint8Array;
  readonly now?: () => number;
}

export const DEFAULT_SENSITIVE_FIELDS: readonly string[] = Object.freeze([
  'secret',
  'share',
  'privateKey',
  'passphrase',
  'pin',
  'token',
  'password',
  'apiKey',
]);

export class AuditLog {
  readonly #sink: AuditSink;
  readonly #sensitive: ReadonlySet<string>;
  readonly #mode: 'hmac' | 'redact';
  readonly #hmacKey: Uint8Array | undefined;
  readonly #now: () => number;
  #seq: number;
  #head: string;
  /** Appends run one after another so the chain has no fork. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(sink: AuditSink, opts: AuditLogOptions, count: number, head: string) {
    this.#sink = sink;
    this.#sensitive = new Set(
      (opts.sensitiveFields ?? DEFAULT_SENSITIVE_FIELDS).map((f) => f.toLowerCase()),
    );
    this.#mode = opts.mode ?? 'hmac';
    if (this.#mode === 'hmac') {
      if (opts.hmacKey === undefined || opts.hmacKey.length < 32)
        throw new TypeError('hmacKey: 32 bytes or more are required in hmac mode');
      this.#hmacKey = Uint8Array.from(opts.hmacKey);
    }
    this.#now = opts.now ?? Date.now;
    this.#seq = count;
    this.#head = head;
  }

  /** Opens a log on a sink, verifying what it already holds (a broken chain refuses to open). */
  static async open(sink: AuditSink, opts: AuditLogOptions = {}): Promise<AuditLog> {
    const { count, head } = verifyAuditChain(await sink.readAll());
    return new AuditLog(sink, opts, count, head);
  }

  get head(): string {
    return this.#head;
  }

  get count(): number {
    return this.#seq;
  }

  #scrub(v: unknown, key?: string): AuditJson {
    if (key !== undefined && this.#sensitive.has(key.toLowerCase())) {
      if (this.#mode === 'redact') return '[REDACTED]';
      const material =
        typeof v === 'string'
          ? v
          : v instanceof Uint8Array
            ? bytesToHex(v)
            : JSON.stringify(v ?? null);
      return `hmac-sha256:${bytesToHex(hmac(sha256, this.#hmacKey as Uint8Array, utf8ToBytes(material)))}`;
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return bytesToHex(v);
    if (Array.isArray(v)) return v.map((x) => this.#scrub(x));
    if (typeof v === 'object') {
      const out: { [k: string]: AuditJson } = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = this.#scrub(x, k);
      return out;
    }
    return String(v);
  }

  /** Appends an entry; resolves once the sink holds it durably, rejects with `append-failed`. */
  append(type: string, data: unknown): Promise<AuditEntry> {
    const run = this.#queue.then(async () => {
      const body = {
        seq: this.#seq,
        time: new Date(this.#now()).toISOString(),
        type,
        data: this.#scrub(data),
        prev: this.#head,
      };
      const entry: AuditEntry = { ...body, hash: entryHash(body) };
      try {
        await this.#sink.append(JSON.stringify(entry));
      } catch (e) {
        throw new AuditError(
          'append-failed',
          body.seq,
          `audit sink refused entry ${body.seq} (${type})`,
          { cause: e },
        );
      }
      this.#seq++;
      this.#head = entry.hash;
      return entry;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Fail-closed wrapper: appends `entry` first and runs `operation` only once it is stored; then
   * appends the outcome (`<type>.ok` / `<type>.failed`). If the outcome cannot be stored the result
   * is withheld (the error is `append-failed`), so nothing leaves unaudited.
   */
  async audited<T>(
    entry: { type: string; data: unknown },
    operation: () => Promise<T> | T,
  ): Promise<T> {
    const intent = await this.append(entry.type, entry.data);
    let result: T;
    try {
      result = await operation();
    } catch (e) {
      await this.append(`${entry.type}.failed`, {
        intent: intent.seq,
        error: e instanceof Error ? e.name : 'error',
      });
      throw e;
    }
    await this.append(`${entry.type}.ok`, { intent: intent.seq });
    return result;
  }
}
