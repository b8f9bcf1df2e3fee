/**
 * The physical layer of the secrets store (after HashiCorp Vault's `physical.Backend`): a flat,
 * untrusted key → bytes map. It sees only ciphertext; everything it returns is authenticated by
 * the barrier (barrier.ts) before use. Every implementation passes test/conformance/physical.ts.
 *
 * Keys are printable ASCII without spaces (0x21–0x7e), 1–512 characters, so that a prefix range
 * `[prefix, prefix + 0x7f)` lists exactly the keys that start with `prefix`.
 */
import { RecordIdError } from './errors.ts';

export interface PhysicalReader {
  /** The stored value (a fresh copy), or undefined. */
  get(key: string): Uint8Array | undefined;
  /** Every key starting with `prefix`, sorted by code point. */
  list(prefix: string): string[];
}

export interface PhysicalTxn extends PhysicalReader {
  put(key: string, value: Uint8Array): void;
  /** Returns whether the key existed. */
  delete(key: string): boolean;
}

export interface PhysicalBackend extends PhysicalTxn {
  readonly kind: string;
  /**
   * Runs `fn` atomically: all of its writes are committed (durably, for a persistent backend)
   * when it returns, none of them if it throws. Reads inside see the transaction's own writes.
   * Transactions do not nest. `fn` must be synchronous.
   */
  transaction<T>(fn: (tx: PhysicalTxn) => T): T;
  close(): void;
}

export const MAX_KEY_LENGTH = 512;
/** Largest value a backend must accept (a key share with its auxiliary info fits easily). */
export const MAX_VALUE_LENGTH = 16 * 1024 * 1024;

const KEY_RE = /^[\x21-\x7e]+$/;

export function checkKey(key: string): void {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > MAX_KEY_LENGTH ||
    !KEY_RE.test(key)
  )
    throw new RecordIdError('key', `1-${MAX_KEY_LENGTH} printable ASCII characters`);
}

export function checkPrefix(prefix: string): void {
  if (
    typeof prefix !== 'string' ||
    prefix.length > MAX_KEY_LENGTH ||
    (prefix !== '' && !KEY_RE.test(prefix))
  )
    throw new RecordIdError('key', `a prefix of printable ASCII characters`);
}

export function checkValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array) || value.length > MAX_VALUE_LENGTH)
    throw new RecordIdError('value', `a Uint8Array of at most ${MAX_VALUE_LENGTH} bytes`);
}

/** Upper bound (exclusive) of the key range that starts with `prefix`. */
export function prefixEnd(prefix: string): string {
  return prefix + '\x7f';
}

/**
 * In-memory backend: for tests and for ephemeral co-signers. Transactions stage their writes in an
 * overlay and apply them only when `fn` returns.
 */
export class MemoryBackend implements PhysicalBackend {
  readonly kind = 'memory';
  private readonly data = new Map<string, Uint8Array>();
  private inTxn = false;
  private closed = false;

  get(key: string): Uint8Array | undefined {
    this.open();
    checkKey(key);
    const v = this.data.get(key);
    return v === undefined ? undefined : v.slice();
  }

  list(prefix: string): string[] {
    this.open();
    checkPrefix(prefix);
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort(byCodePoint);
  }

  put(key: string, value: Uint8Array): void {
    this.transaction((tx) => tx.put(key, value));
  }

  delete(key: string): boolean {
    return this.transaction((tx) => tx.delete(key));
  }

  transaction<T>(fn: (tx: PhysicalTxn) => T): T {
    this.open();
    if (this.inTxn) throw new Error('transactions do not nest');
    // undefined in the overlay marks a deletion.
    const overlay = new Map<string, Uint8Array | undefined>();
    const tx: PhysicalTxn = {
      get: (key) => {
        checkKey(key);
        if (overlay.has(key)) return overlay.get(key)?.slice();
        return this.data.get(key)?.slice();
      },
      list: (prefix) => {
        checkPrefix(prefix);
        const keys = new Set([...this.data.keys()].filter((k) => k.startsWith(prefix)));
        for (const [k, v] of overlay) {
          if (!k.startsWith(prefix)) continue;
          if (v === undefined) keys.delete(k);
          else keys.add(k);
        }
        return [...keys].sort(byCodePoint);
      },
      put: (key, value) => {
        checkKey(key);
        checkValue(value);
        overlay.set(key, value.slice());
      },
      delete: (key) => {
        checkKey(key);
        const existed = overlay.has(key) ? overlay.get(key) !== undefined : this.data.has(key);
        overlay.set(key, undefined);
        return existed;
      },
    };
    this.inTxn = true;
    try {
      const out = fn(tx);
      if (out instanceof Promise) throw new Error('transaction functions must be synchronous');
      for (const [k, v] of overlay) {
        if (v === undefined) this.data.delete(k);
        else this.data.set(k, v);
      }
      return out;
    } finally {
      this.inTxn = false;
    }
  }

  close(): void {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new Error('backend is closed');
  }
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
