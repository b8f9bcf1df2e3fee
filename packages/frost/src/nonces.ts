/**
 * Nonce preprocessing with single use enforced (RFC 9591 §5.1: "nonces MUST NOT be reused").
 * A signer commits in advance: the secret nonce pair goes into a NonceStore under an id, the
 * public commitment goes to the coordinator. Signing calls `consume(id)` before the signature
 * share is computed, so the nonce is marked used before anything derived from it leaves.
 *
 * The interface is synchronous (protocol rounds are) and built to be durable: a persistent
 * implementation (the co-signer's, on its database) must make `consume` one atomic
 * read-and-mark transaction that is flushed before it returns, and must refuse an id a second
 * time even across restarts. A crash after consume and before sending loses one nonce, never
 * reuses it.
 */
import type { Rng } from '@quorate/runtime';
import { commit } from './core.ts';
import type { CommitmentPair, NoncePair } from './core.ts';
import { NonceError } from './errors.ts';
import type { Suite } from './suite.ts';

export interface NonceRecord {
  readonly id: string;
  readonly nonces: NoncePair;
  readonly commitment: CommitmentPair;
}

export interface NonceStore {
  /** Stores a fresh nonce; throws NonceError('duplicate-id') if the id was ever stored. */
  put(record: NonceRecord): void;
  /** Atomically returns the nonce and marks it consumed; NonceError('consumed' | 'unknown'). */
  consume(id: string): NonceRecord;
  /** The public commitment of an unconsumed nonce, without consuming it. */
  commitmentOf(id: string): CommitmentPair;
}

/** In-memory store: single use within one process lifetime (tests, simulations, the CLI). */
export class InMemoryNonceStore implements NonceStore {
  private readonly live = new Map<string, NonceRecord>();
  /** Ids ever consumed: never accepted again, even by put(). */
  private readonly used = new Set<string>();

  put(record: NonceRecord): void {
    if (this.live.has(record.id) || this.used.has(record.id))
      throw new NonceError('duplicate-id', record.id);
    this.live.set(record.id, record);
  }

  consume(id: string): NonceRecord {
    const r = this.live.get(id);
    if (!r) throw new NonceError(this.used.has(id) ? 'consumed' : 'unknown', id);
    this.live.delete(id);
    this.used.add(id);
    return r;
  }

  commitmentOf(id: string): CommitmentPair {
    const r = this.live.get(id);
    if (!r) throw new NonceError(this.used.has(id) ? 'consumed' : 'unknown', id);
    return r.commitment;
  }

  get size(): number {
    return this.live.size;
  }
}

/** Generates `count` nonce pairs for a signer (RFC 9591 §5.1 commit), stores them, returns ids. */
export function preprocess(
  suite: Suite,
  secretShare: bigint,
  store: NonceStore,
  rng: Rng,
  count = 1,
): { id: string; commitment: CommitmentPair }[] {
  const out: { id: string; commitment: CommitmentPair }[] = [];
  for (let i = 0; i < count; i++) {
    const id = Buffer.from(rng.bytes(16)).toString('hex');
    const { nonces, commitment } = commit(suite, secretShare, rng);
    store.put({ id, nonces, commitment });
    out.push({ id, commitment });
  }
  return out;
}
