/**
 * Monotonic consumption counter kept OUTSIDE the secrets database (see onetime.ts and README,
 * "Rollback"). Every consumption of a presignature or nonce advances it after the database commit;
 * at open the database's own counter must not be behind it, or the database was restored.
 *
 * FileCounter is an append-only file: a 32-byte header (magic "QRTCNTR1", the 16-byte store id,
 * 8 reserved bytes) then one u64 big-endian record per advance, each fsynced before advance()
 * returns. A torn last record (a crash mid-append) is ignored and cut off at open. It protects
 * against restoring the database only if the file is NOT restored with it: keep it on other
 * storage than the database and out of database backups (or use an HSM/TPM-backed counter
 * through the same interface).
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
  constants as fsc,
} from 'node:fs';
import { dirname } from 'node:path';
import { CounterError } from './errors.ts';

export interface MonotonicCounter {
  /** The current value (0 for a new counter). */
  read(): bigint;
  /** Durably raises the counter to `value` (greater than the current value) before returning. */
  advance(value: bigint): void;
  close(): void;
}

/** Where a store's counter lives: created with the store, opened afterwards, bound to the store id. */
export interface CounterSource {
  create(storeId: Uint8Array): MonotonicCounter;
  open(storeId: Uint8Array): MonotonicCounter;
}

const MAGIC = Buffer.from('QRTCNTR1', 'latin1');
const HEADER_LENGTH = 32;
const RECORD_LENGTH = 8;

export function fileCounter(path: string): CounterSource {
  return { create: (id) => FileCounter.create(path, id), open: (id) => FileCounter.open(path, id) };
}

export class FileCounter implements MonotonicCounter {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
    private value: bigint,
  ) {}

  static create(path: string, storeId: Uint8Array): FileCounter {
    let fd: number;
    try {
      fd = openSync(
        path,
        fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL | fsc.O_APPEND | fsc.O_NOFOLLOW,
        0o600,
      );
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw new CounterError(path, 'exists');
      throw e;
    }
    const header = Buffer.alloc(HEADER_LENGTH);
    MAGIC.copy(header, 0);
    Buffer.from(storeId).copy(header, 8, 0, 16);
    writeSync(fd, header);
    fsyncSync(fd);
    syncDir(path);
    return new FileCounter(path, fd, 0n);
  }

  static open(path: string, storeId: Uint8Array): FileCounter {
    let fd: number;
    try {
      fd = openSync(path, fsc.O_RDWR | fsc.O_APPEND | fsc.O_NOFOLLOW);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') throw new CounterError(path, 'missing');
      throw e;
    }
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(size);
      if (size > 0) readSync(fd, buf, 0, size, 0);
      if (size < HEADER_LENGTH || !buf.subarray(0, 8).equals(MAGIC))
        throw new CounterError(path, 'bad-header');
      if (!buf.subarray(8, 24).equals(Buffer.from(storeId).subarray(0, 16)))
        throw new CounterError(path, 'wrong-store');
      const whole =
        HEADER_LENGTH + Math.floor((size - HEADER_LENGTH) / RECORD_LENGTH) * RECORD_LENGTH;
      let value = 0n;
      for (let o = HEADER_LENGTH; o < whole; o += RECORD_LENGTH) {
        const v = buf.readBigUInt64BE(o);
        if (v <= value) throw new CounterError(path, 'not-monotonic');
        value = v;
      }
      if (whole !== size) {
        // A torn append: advance() never returned for it, so it never counted.
        ftruncateSync(fd, whole);
        fsyncSync(fd);
      }
      return new FileCounter(path, fd, value);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  read(): bigint {
    return this.value;
  }

  advance(value: bigint): void {
    if (this.fd === undefined) throw new Error('counter is closed');
    if (value <= this.value) throw new CounterError(this.path, 'not-monotonic');
    const rec = Buffer.alloc(RECORD_LENGTH);
    rec.writeBigUInt64BE(value);
    writeSync(this.fd, rec);
    fsyncSync(this.fd);
    this.value = value;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** fsync the directory so that a newly created file's entry survives a crash. */
function syncDir(path: string): void {
  const fd = openSync(dirname(path), fsc.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
