/**
 * FROST nonces in the one-time store (issue 6 item 8; RFC 9591 §5.1 "nonces MUST NOT be
 * reused"): the frost NonceStore interface over @quorate/secrets' OneTimeStore. `consume` is the
 * one-time store's consume — committed and fsynced, and the external counter advanced — before
 * FROST computes the signature share, so the share can only leave after the nonce is durably
 * spent; a restored database cannot serve it again (RollbackError). Records: kind `nonce`, owner =
 * key name, id = nonce id; value = JSON of the nonce pair and commitment (inside the barrier).
 */
import type { CommitmentPair, NonceRecord, NonceStore, Suite } from '@quorate/frost';
import type { OneTimeStore, SecretStore } from '@quorate/secrets';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Wire {
  readonly h: string;
  readonly b: string;
  readonly H: string;
  readonly B: string;
}

export class DurableNonceStore implements NonceStore {
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
      H: Buffer.from(this.suite.encodePoint(record.commitment.hiding)).toString('hex'),
      B: Buffer.from(this.suite.encodePoint(record.commitment.binding)).toString('hex'),
    };
    this.oneTime.add('nonce', this.owner, record.id, enc.encode(JSON.stringify(w)));
  }

  consume(id: string): NonceRecord {
    return this.decode(id, this.oneTime.consume('nonce', this.owner, id));
  }

  commitmentOf(id: string): CommitmentPair {
    const v = this.store.get('nonce', this.owner, id);
    if (v === undefined) throw new Error(`nonce ${id} is unknown or consumed`);
    return this.decode(id, v).commitment;
  }

  private decode(id: string, bytes: Uint8Array): NonceRecord {
    const w = JSON.parse(dec.decode(bytes)) as Wire;
    return {
      id,
      nonces: { hiding: BigInt('0x' + w.h), binding: BigInt('0x' + w.b) },
      commitment: {
        hiding: this.suite.decodePoint(Buffer.from(w.H, 'hex'), 'nonce.H'),
        binding: this.suite.decodePoint(Buffer.from(w.B, 'hex'), 'nonce.B'),
      },
    };
  }
}
