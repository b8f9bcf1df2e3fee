/**
 * One-time material store: presignatures and nonces, each usable at most once across crashes,
 * restarts and database restores (SYSTEM.md, "Properties every part keeps"; issue 6 item 8).
 *
 * consume(kind, owner, id), in this order:
 *  1. one backend transaction (SQLite: committed and fsynced, synchronous=FULL) that checks the
 *     database counter D equals the external counter E, deletes the material, writes a tombstone,
 *     and sets D = E + 1;
 *  2. advances the external counter to D (fsynced, outside the database: counter.ts);
 *  3. only then returns the material, so the caller computes and releases its partial signature
 *     only after the consumption is durable in both places.
 * A second consume of the same id finds the tombstone: AlreadyConsumedError.
 *
 * Rollback: restoring an older database brings back consumed material but also an older D. At
 * open, D < E means the database was restored or replaced: RollbackError, and no material is
 * served until an operator runs purgeAfterRollback(), which deletes every presignature and nonce
 * in the database (new ones are cheap to make; reusing one leaks the key). Each consume also
 * re-checks D = E, which catches a database swapped while running. A crash between steps 1 and 2
 * leaves D = E + 1, which open accepts (the material is already gone) by raising E to D.
 */
import { randomBytes } from 'node:crypto';
import type { CounterSource, MonotonicCounter } from './counter.ts';
import {
  AlreadyConsumedError,
  CounterError,
  IntegrityError,
  NotFoundError,
  RecordIdError,
  RollbackError,
} from './errors.ts';
import type { SecretStore, SecretTxn } from './store.ts';
import { physicalKey, recordRef } from './store.ts';

export type OneTimeKind = 'presignature' | 'nonce';
export const ONE_TIME_KINDS: readonly OneTimeKind[] = ['presignature', 'nonce'];

const META = { type: 'one-time-state', owner: 'self', id: 'counter' } as const;
const tombstoneType = (kind: OneTimeKind) => `${kind}-consumed`;

interface Meta {
  storeId: Buffer;
  counter: bigint;
}

export class OneTimeStore {
  private broken: Error | undefined;

  private constructor(
    readonly store: SecretStore,
    private readonly counter: MonotonicCounter,
    private readonly storeId: Buffer,
  ) {}

  /**
   * Opens the one-time store inside `store` (unsealed), creating its state and external counter on
   * first use. Throws RollbackError if the database is behind the counter.
   */
  static open(store: SecretStore, source: CounterSource): OneTimeStore {
    const meta = readMeta(store);
    if (meta === undefined) {
      const storeId = randomBytes(16);
      const counter = source.create(storeId);
      store.transaction((tx) => {
        if (readMetaTx(tx) !== undefined) throw new Error('one-time state created concurrently');
        writeMeta(tx, { storeId, counter: 0n });
      });
      return new OneTimeStore(store, counter, storeId);
    }
    const counter = source.open(meta.storeId);
    try {
      const external = counter.read();
      if (meta.counter < external) throw new RollbackError(meta.counter, external);
      if (meta.counter > external) counter.advance(meta.counter);
    } catch (e) {
      counter.close();
      throw e;
    }
    return new OneTimeStore(store, counter, meta.storeId);
  }

  /**
   * After a RollbackError: deletes every presignature and nonce in the database and brings the
   * database counter up to the external one, so the store can be opened again.
   * Returns how many items were deleted.
   */
  static purgeAfterRollback(store: SecretStore, source: CounterSource): number {
    const meta = readMeta(store);
    if (meta === undefined) return 0;
    const counter = source.open(meta.storeId);
    try {
      const external = counter.read();
      return store.transaction((tx) => {
        let n = 0;
        for (const kind of ONE_TIME_KINDS)
          for (const r of tx.list(kind)) {
            tx.delete(r.type, r.owner, r.id);
            n++;
          }
        writeMeta(tx, {
          storeId: meta.storeId,
          counter: external > meta.counter ? external : meta.counter,
        });
        return n;
      });
    } finally {
      counter.close();
    }
  }

  /** Stores new material. Refuses an id that was consumed before, or that is already stored. */
  add(kind: OneTimeKind, owner: string, id: string, material: Uint8Array): void {
    this.addMany(kind, owner, [[id, material]]);
  }

  /** Stores a batch atomically (all or none). */
  addMany(
    kind: OneTimeKind,
    owner: string,
    items: readonly (readonly [string, Uint8Array])[],
  ): void {
    checkKind(kind);
    this.store.transaction((tx) => {
      for (const [id, material] of items) {
        if (tx.get(tombstoneType(kind), owner, id) !== undefined)
          throw new AlreadyConsumedError(kind, owner, id);
        if (tx.get(kind, owner, id) !== undefined)
          throw new RecordIdError('id', `an id not already stored (${kind} ${owner}/${id} exists)`);
        tx.put(kind, owner, id, material);
      }
    });
  }

  /**
   * Marks the material consumed, durably (database commit + external counter), then returns it.
   * Throws AlreadyConsumedError, NotFoundError or RollbackError; returns nothing on any failure.
   */
  consume(kind: OneTimeKind, owner: string, id: string): Uint8Array {
    checkKind(kind);
    if (this.broken) throw this.broken;
    const expected = this.counter.read();
    const { material, next } = this.store.transaction((tx) => {
      const meta = readMetaTx(tx);
      if (meta === undefined || !meta.storeId.equals(this.storeId))
        throw new IntegrityError(physicalKey(META), 'bad-format');
      if (meta.counter !== expected) throw new RollbackError(meta.counter, expected);
      if (tx.get(tombstoneType(kind), owner, id) !== undefined)
        throw new AlreadyConsumedError(kind, owner, id);
      const material = tx.get(kind, owner, id);
      if (material === undefined) throw new NotFoundError(physicalKey(recordRef(kind, owner, id)));
      const next = meta.counter + 1n;
      tx.delete(kind, owner, id);
      tx.put(tombstoneType(kind), owner, id, u64(next));
      writeMeta(tx, { storeId: meta.storeId, counter: next });
      return { material, next };
    });
    try {
      this.counter.advance(next);
    } catch (e) {
      // Consumed in the database but not counted outside it: release nothing, and stop until
      // reopened (open() then accepts D = E + 1 and raises the counter).
      material.fill(0);
      this.broken =
        e instanceof CounterError ? e : new CounterError('external counter', 'write-failed');
      throw this.broken;
    }
    return material;
  }

  isConsumed(kind: OneTimeKind, owner: string, id: string): boolean {
    checkKind(kind);
    return this.store.get(tombstoneType(kind), owner, id) !== undefined;
  }

  /** Ids of unconsumed material of `kind` for `owner`. */
  available(kind: OneTimeKind, owner: string): string[] {
    checkKind(kind);
    return this.store.list(kind, owner).map((r) => r.id);
  }

  /** Consumptions so far (the external counter's value). */
  get consumedCount(): bigint {
    return this.counter.read();
  }

  close(): void {
    this.counter.close();
  }
}

function checkKind(kind: string): asserts kind is OneTimeKind {
  if (!(ONE_TIME_KINDS as readonly string[]).includes(kind))
    throw new RecordIdError('type', `one of ${ONE_TIME_KINDS.join(', ')}`);
}

function u64(v: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
}

function readMeta(store: SecretStore): Meta | undefined {
  return store.transaction((tx) => readMetaTx(tx));
}

function readMetaTx(tx: SecretTxn): Meta | undefined {
  const raw = tx.get(META.type, META.owner, META.id);
  if (raw === undefined) return undefined;
  // Authenticated by the barrier, so a bad length is a format error, not an attack.
  if (raw.length !== 24) throw new IntegrityError(physicalKey(META), 'bad-format');
  const b = Buffer.from(raw);
  return { storeId: b.subarray(0, 16), counter: b.readBigUInt64BE(16) };
}

function writeMeta(tx: SecretTxn, meta: Meta): void {
  tx.put(META.type, META.owner, META.id, Buffer.concat([meta.storeId, u64(meta.counter)]));
}
