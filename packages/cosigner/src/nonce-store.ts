/**
 * FROST nonces in the one-time store (issue 6 item 8; RFC 9591 §5.1 "nonces MUST NOT be
 * reused"): the frost NonceStore interface over @quorate/secrets' OneTimeStore. `consume` is the
 * one-time store's consume — committed and fsynced, and the external counter advanced — before
 * FROST computes the signature share, so the share can only leave after the nonce is durably
 * spent; a restored database cannot serve it again (RollbackError). Records: kind `nonce`, owner =
 * key name, id = nonce id; value = JSON of the nonce pair and commitment (inside the barrier).
 *
 * Errors follow the NonceStore interface: NonceError('unknown' | 'consumed') from commitmentOf
 * and consume, NonceError('duplicate-id') from put. Failures of the store itself (RollbackError,
 * CounterError, SealedError, IntegrityError) pass through unchanged.
 *
 * Speed: the stored commitment is our own data, authenticated by the barrier, so it needs no
 * RFC 9591 DeserializeElement checks (for Ed25519 the prime-order check is a full scalar
 * multiplication per point, ~6 per signing). The points `put` was given are remembered per id
 * (public values only; bounded; dropped on consume); a record this instance did not store is
 * rebuilt from its nonces with the base multiplication and checked against its stored encoding.
 * Every call still reads the record, so a consumed or unknown nonce is refused exactly as before.
 */
import type { CommitmentPair, NonceRecord, NonceStore, Suite } from '@quorate/frost';
import { NonceError } from '@quorate/frost';
import type { OneTimeStore, SecretStore } from '@quorate/secrets';
import {
  AlreadyConsumedError,
  IntegrityError,
  NotFoundError,
  RecordIdError,
} from '@quorate/secrets';

const enc = new TextEncoder();
const dec = new TextDecoder();
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface Wire {
  readonly h: string;
  readonly b: string;
  readonly H: string;
  readonly B: string;
}

/** A commitment known to this instance, with the encodings it was stored under. */
interface Known {
  readonly H: string;
  readonly B: string;
  readonly commitment: CommitmentPair;
}

/**
 * Commitments remembered per store instance. The co-signer makes one instance per signing job
 * (one nonce), so this only bounds an unusual caller that preprocesses many and never signs.
 */
export const MAX_REMEMBERED_COMMITMENTS = 256;

export class DurableNonceStore implements NonceStore {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly oneTime: OneTimeStore,
    private readonly store: SecretStore,
    private readonly suite: Suite,
    private readonly owner: string,
  ) {}

  put(record: NonceRecord): void {
    const w: Wire = {
      h: record.nonces.hiding.toString(16),
      b: record.nonces.binding.toString(16),
      H: hex(this.suite.encodePoint(record.commitment.hiding)),
      B: hex(this.suite.encodePoint(record.commitment.binding)),
    };
    try {
      this.oneTime.add('nonce', this.owner, record.id, enc.encode(JSON.stringify(w)));
    } catch (e) {
      if (e instanceof AlreadyConsumedError) throw new NonceError('duplicate-id', record.id);
      // The one-time store says "id" both for a malformed id and for one already stored.
      if (
        e instanceof RecordIdError &&
        e.field === 'id' &&
        this.store.get('nonce', this.owner, record.id) !== undefined
      )
        throw new NonceError('duplicate-id', record.id);
      throw e;
    }
    if (this.known.size >= MAX_REMEMBERED_COMMITMENTS)
      this.known.delete(this.known.keys().next().value as string);
    this.known.set(record.id, { H: w.H, B: w.B, commitment: record.commitment });
  }

  consume(id: string): NonceRecord {
    const known = this.known.get(id);
    this.known.delete(id);
    let bytes: Uint8Array;
    try {
      // Durable (commit + fsync + external counter) before anything derived from it exists.
      bytes = this.oneTime.consume('nonce', this.owner, id);
    } catch (e) {
      if (e instanceof AlreadyConsumedError) throw new NonceError('consumed', id);
      if (e instanceof NotFoundError) throw new NonceError('unknown', id);
      throw e;
    }
    const w = parse(bytes);
    const nonces = { hiding: BigInt('0x' + w.h), binding: BigInt('0x' + w.b) };
    return { id, nonces, commitment: this.commitment(id, w, known) };
  }

  commitmentOf(id: string): CommitmentPair {
    const bytes = this.store.get('nonce', this.owner, id);
    if (bytes === undefined)
      throw new NonceError(
        this.oneTime.isConsumed('nonce', this.owner, id) ? 'consumed' : 'unknown',
        id,
      );
    return this.commitment(id, parse(bytes), this.known.get(id));
  }

  /** The record's commitment: the remembered points if the record still holds their encodings. */
  private commitment(id: string, w: Wire, known: Known | undefined): CommitmentPair {
    if (known !== undefined && known.H === w.H && known.B === w.B) return known.commitment;
    const commitment = {
      hiding: this.suite.mulBase(BigInt('0x' + w.h)),
      binding: this.suite.mulBase(BigInt('0x' + w.b)),
    };
    if (
      hex(this.suite.encodePoint(commitment.hiding)) !== w.H ||
      hex(this.suite.encodePoint(commitment.binding)) !== w.B
    )
      // Authenticated by the barrier, so this is a record written wrongly, not an attack.
      throw new IntegrityError(`r/nonce/${this.owner}/${id}`, 'bad-format');
    return commitment;
  }
}

/** Decodes a stored record and wipes the decrypted bytes (they hold the secret nonces). */
function parse(bytes: Uint8Array): Wire {
  try {
    return JSON.parse(dec.decode(bytes)) as Wire;
  } finally {
    bytes.fill(0);
  }
}
