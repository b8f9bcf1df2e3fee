/**
 * SecretStore: typed records on top of the barrier. A record is addressed by (type, owner, id),
 * e.g. ('key-share', <wallet id>, <share id>); its physical key is `r/<type>/<owner>/<id>` and its
 * value is encrypted with that triple as associated data (barrier.ts). Names are not secret;
 * values are. Writes inside `transaction()` commit together in one backend transaction.
 */
import { Barrier } from './barrier.ts';
import type { RecordRef } from './barrier.ts';
import { RecordIdError } from './errors.ts';
import type { PhysicalBackend, PhysicalTxn } from './physical.ts';
import type { Seal } from './seal.ts';

/** Record types used by the co-signer. Other lowercase names are allowed. */
export const RecordType = {
  keyShare: 'key-share',
  identityKey: 'identity-key',
  callbackKey: 'callback-key',
  presignature: 'presignature',
  nonce: 'nonce',
} as const;

const TYPE_RE = /^[a-z][a-z0-9-]{0,63}$/;
const NAME_RE = /^[A-Za-z0-9._:@=+-]{1,128}$/;
const RECORD_PREFIX = 'r/';

export interface SecretReader {
  get(type: string, owner: string, id: string): Uint8Array | undefined;
  /** Records of `type` (and `owner`, if given), sorted by owner then id. */
  list(type: string, owner?: string): RecordRef[];
}

export interface SecretTxn extends SecretReader {
  put(type: string, owner: string, id: string, value: Uint8Array): void;
  delete(type: string, owner: string, id: string): boolean;
}

export class SecretStore implements SecretTxn {
  private constructor(
    readonly backend: PhysicalBackend,
    readonly barrier: Barrier,
  ) {}

  /**
   * Initializes a new store in an empty backend, sealed by `seal`; returns it unsealed. The store
   * owns the backend: `close()` closes it, and so does a failed create/open (releasing the lock).
   */
  static async create(backend: PhysicalBackend, seal: Seal): Promise<SecretStore> {
    const barrier = new Barrier(backend);
    try {
      await barrier.initialize(seal);
    } catch (e) {
      backend.close();
      throw e;
    }
    return new SecretStore(backend, barrier);
  }

  /** Opens an existing store and unseals it through `seal` (closes the backend if that fails). */
  static async open(backend: PhysicalBackend, seal: Seal): Promise<SecretStore> {
    const store = SecretStore.sealedView(backend);
    try {
      await store.unseal(seal);
    } catch (e) {
      backend.close();
      throw e;
    }
    return store;
  }

  /** An existing store left sealed: every record operation throws SealedError until `unseal`. */
  static sealedView(backend: PhysicalBackend): SecretStore {
    return new SecretStore(backend, new Barrier(backend));
  }

  get isSealed(): boolean {
    return this.barrier.isSealed;
  }

  unseal(seal: Seal): Promise<void> {
    return this.barrier.unseal(seal);
  }

  seal(): void {
    this.barrier.seal();
  }

  /** New key term for all later writes; earlier records stay readable. */
  rotate(): number {
    return this.barrier.rotate();
  }

  get(type: string, owner: string, id: string): Uint8Array | undefined {
    return this.transaction((tx) => tx.get(type, owner, id));
  }

  list(type: string, owner?: string): RecordRef[] {
    return this.transaction((tx) => tx.list(type, owner));
  }

  put(type: string, owner: string, id: string, value: Uint8Array): void {
    this.transaction((tx) => tx.put(type, owner, id, value));
  }

  delete(type: string, owner: string, id: string): boolean {
    return this.transaction((tx) => tx.delete(type, owner, id));
  }

  /** Runs `fn` atomically (one backend transaction): all writes or none. `fn` must be synchronous. */
  transaction<T>(fn: (tx: SecretTxn) => T): T {
    this.barrier.assertUnsealed('transaction');
    const b = this.barrier;
    return this.backend.transaction((ptx: PhysicalTxn) =>
      fn({
        get: (type, owner, id) => {
          const ref = recordRef(type, owner, id);
          b.assertUnsealed('get');
          const key = physicalKey(ref);
          const blob = ptx.get(key);
          return blob === undefined ? undefined : new Uint8Array(b.decrypt(ref, key, blob));
        },
        list: (type, owner) => {
          b.assertUnsealed('list');
          const prefix = listPrefix(type, owner);
          return ptx.list(prefix).flatMap((k) => {
            const ref = parseKey(k);
            return ref === undefined ? [] : [ref];
          });
        },
        put: (type, owner, id, value) => {
          const ref = recordRef(type, owner, id);
          if (!(value instanceof Uint8Array)) throw new RecordIdError('value', 'a Uint8Array');
          ptx.put(physicalKey(ref), b.encrypt(ref, value));
        },
        delete: (type, owner, id) => {
          const ref = recordRef(type, owner, id);
          b.assertUnsealed('delete');
          return ptx.delete(physicalKey(ref));
        },
      }),
    );
  }

  putKeyShare(walletId: string, shareId: string, share: Uint8Array): void {
    this.put(RecordType.keyShare, walletId, shareId, share);
  }

  getKeyShare(walletId: string, shareId: string): Uint8Array | undefined {
    return this.get(RecordType.keyShare, walletId, shareId);
  }

  close(): void {
    this.barrier.seal();
    this.backend.close();
  }
}

export function recordRef(type: string, owner: string, id: string): RecordRef {
  if (typeof type !== 'string' || !TYPE_RE.test(type))
    throw new RecordIdError('type', 'lowercase [a-z0-9-], 1-64 characters');
  if (typeof owner !== 'string' || !NAME_RE.test(owner))
    throw new RecordIdError('owner', '[A-Za-z0-9._:@=+-], 1-128 characters');
  if (typeof id !== 'string' || !NAME_RE.test(id))
    throw new RecordIdError('id', '[A-Za-z0-9._:@=+-], 1-128 characters');
  return { type, owner, id };
}

export function physicalKey(ref: RecordRef): string {
  return `${RECORD_PREFIX}${ref.type}/${ref.owner}/${ref.id}`;
}

function listPrefix(type: string, owner: string | undefined): string {
  if (owner === undefined) {
    recordRef(type, 'x', 'x');
    return `${RECORD_PREFIX}${type}/`;
  }
  recordRef(type, owner, 'x');
  return `${RECORD_PREFIX}${type}/${owner}/`;
}

function parseKey(key: string): RecordRef | undefined {
  const parts = key.slice(RECORD_PREFIX.length).split('/');
  if (!key.startsWith(RECORD_PREFIX) || parts.length !== 3) return undefined;
  const [type, owner, id] = parts as [string, string, string];
  return { type, owner, id };
}
