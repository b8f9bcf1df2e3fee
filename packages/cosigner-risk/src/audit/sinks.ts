/**
 * Audit sinks (docs/cosigner-risk.md, "Audit log"): where the entries go. One small interface;
 * every implementation passes the shared conformance suite (test/audit-conformance.ts).
 * `append` must resolve only once the line is durable, and reject otherwise.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AuditSink {
  append(line: string): Promise<void>;
  /** Every stored line, in order. */
  readAll(): Promise<string[]>;
}

/** For tests and short-lived tools. */
export class MemoryAuditSink implements AuditSink {
  readonly lines: string[] = [];
  async append(line: string): Promise<void> {
    this.lines.push(line);
  }
  async readAll(): Promise<string[]> {
    return [...this.lines];
  }
}

/**
 * JSON lines in a file opened for appending (O_APPEND, mode 0600); each append is written and
 * fsynced before it resolves. A torn last line after a crash makes the log refuse to open
 * (AuditError `malformed`): the operator inspects it rather than the co-signer guessing.
 */
export class FileAuditSink implements AuditSink {
  readonly path: string;
  #fh: FileHandle | undefined;

  constructor(path: string) {
    this.path = path;
  }

  async append(line: string): Promise<void> {
    if (line.includes('\n')) throw new TypeError('an audit line may not contain a newline');
    if (this.#fh === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.#fh = await open(this.path, 'a', 0o600);
    }
    await this.#fh.write(line + '\n');
    await this.#fh.sync();
  }

  async readAll(): Promise<string[]> {
    if (!existsSync(this.path)) return [];
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  }

  async close(): Promise<void> {
    await this.#fh?.close();
    this.#fh = undefined;
  }
}
