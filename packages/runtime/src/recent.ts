/**
 * A map that keeps at most `max` entries and drops the least recently used one (a Map iterates
 * in insertion order; a hit re-inserts its key). It backs the bounded caches of values derived
 * from public or local inputs (decoded points, key objects, prepared statements, derivations);
 * each caller decides what may be kept. Dependency-free, so the hub may import it too.
 */
export class RecentMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max: expected an integer ≥ 1');
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value kept for `key` (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  /** Keeps `value` as the most recently used; drops the least recently used beyond `max`. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as K);
  }

  /** The value kept for `key`, or `make()`'s, which is kept. If `make` throws, nothing is kept. */
  remember(key: K, make: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const v = make();
    this.set(key, v);
    return v;
  }
}
