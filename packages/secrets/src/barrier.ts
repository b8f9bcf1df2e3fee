/**
 * The encryption barrier (after HashiCorp Vault's AESGCMBarrier): every value crosses it before
 * it reaches the untrusted physical backend.
 *
 *  - Ciphertext layout: version (1 byte, 0x01) | key term (u32 BE) | nonce (12 bytes) | ct || tag.
 *  - AEAD: AES-256-GCM. The associated data is a domain tag, the version and term, and the record's
 *    type, owner and id (length-prefixed), so a value copied under another id, type or owner, or
 *    relabelled with another term, fails to decrypt.
 *  - Keyring: the data keys, one per term. `rotate()` adds a term that all new writes use; older
 *    terms stay readable. The keyring itself is stored under `core/keyring`, encrypted with the
 *    root key; the root key is stored under `core/root` wrapped by a Seal.
 *  - Sealed state: until `unseal()` succeeds, and after `seal()`, every operation throws
 *    SealedError. Sealing zeroes the keys held in memory.
 */
import { randomBytes } from 'node:crypto';
import { framed, gcmOpen, gcmSeal, KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './aead.ts';
import { InitializationError, IntegrityError, SealedError, SelfTestError } from './errors.ts';
import type { PhysicalBackend } from './physical.ts';
import type { Seal } from './seal.ts';

export const CIPHERTEXT_VERSION = 1;
const HEADER_LENGTH = 1 + 4;
const AAD_DOMAIN = 'quorate/secrets/barrier/v1';
export const ROOT_KEY = 'core/root';
export const KEYRING_KEY = 'core/keyring';
const KEYRING_VERSION = 1;

/** What a value is bound to: its record's type, owner and id. */
export interface RecordRef {
  readonly type: string;
  readonly owner: string;
  readonly id: string;
}

interface Keyring {
  active: number;
  keys: Map<number, Buffer>;
}

export class Barrier {
  private keyring: Keyring | undefined;
  private rootKey: Buffer | undefined;

  constructor(readonly backend: PhysicalBackend) {}

  get isSealed(): boolean {
    return this.keyring === undefined;
  }

  isInitialized(): boolean {
    return this.backend.get(ROOT_KEY) !== undefined;
  }

  /** Creates the root key and the first data key (term 1), stores them, and leaves the barrier unsealed. */
  async initialize(seal: Seal): Promise<void> {
    if (this.isInitialized()) throw new InitializationError(true);
    await seal.selfTest();
    const rootKey = randomBytes(KEY_LENGTH);
    const keyring: Keyring = { active: 1, keys: new Map([[1, randomBytes(KEY_LENGTH)]]) };
    const wrapped = await seal.wrap(rootKey);
    this.backend.transaction((tx) => {
      if (tx.get(ROOT_KEY) !== undefined) throw new InitializationError(true);
      tx.put(ROOT_KEY, wrapped);
      tx.put(KEYRING_KEY, encryptKeyring(rootKey, keyring));
    });
    this.rootKey = rootKey;
    this.keyring = keyring;
  }

  /** Unwraps the root key through `seal` and loads the keyring. Typed errors of the seal pass through. */
  async unseal(seal: Seal): Promise<void> {
    const wrapped = this.backend.get(ROOT_KEY);
    if (wrapped === undefined) throw new InitializationError(false);
    await seal.selfTest();
    const rootKey = Buffer.from(await seal.unwrap(wrapped));
    if (rootKey.length !== KEY_LENGTH) throw new IntegrityError(ROOT_KEY, 'bad-keyring');
    const stored = this.backend.get(KEYRING_KEY);
    if (stored === undefined) throw new IntegrityError(KEYRING_KEY, 'bad-keyring');
    const keyring = decryptKeyring(rootKey, stored);
    this.seal();
    this.rootKey = rootKey;
    this.keyring = keyring;
  }

  /** Forgets every key; the barrier refuses all operations until unsealed again. */
  seal(): void {
    this.rootKey?.fill(0);
    for (const k of this.keyring?.keys.values() ?? []) k.fill(0);
    this.rootKey = undefined;
    this.keyring = undefined;
  }

  /** Adds a new key term used for every later write; returns it. Older terms stay readable. */
  rotate(): number {
    const { keyring, rootKey } = this.unsealed('rotate');
    const term = Math.max(...keyring.keys.keys()) + 1;
    const next: Keyring = {
      active: term,
      keys: new Map([...keyring.keys, [term, randomBytes(KEY_LENGTH)]]),
    };
    this.backend.put(KEYRING_KEY, encryptKeyring(rootKey, next));
    this.keyring = next;
    return term;
  }

  /** Re-wraps the root key under another seal (passphrase change, moving to an HSM). */
  async rewrap(seal: Seal): Promise<void> {
    const { rootKey } = this.unsealed('rewrap');
    await seal.selfTest();
    const wrapped = await seal.wrap(rootKey);
    // Prove the new blob opens before replacing the old one.
    const back = Buffer.from(await seal.unwrap(wrapped));
    if (!back.equals(rootKey))
      throw new SelfTestError(seal.kind, 'rewrapped root key does not unwrap');
    this.backend.put(ROOT_KEY, wrapped);
  }

  /** The active term and every term the keyring can read. */
  terms(): { active: number; all: number[] } {
    const { keyring } = this.unsealed('terms');
    return { active: keyring.active, all: [...keyring.keys.keys()].sort((a, b) => a - b) };
  }

  encrypt(ref: RecordRef, plaintext: Uint8Array): Buffer {
    const { keyring } = this.unsealed('write');
    const key = keyring.keys.get(keyring.active);
    if (key === undefined) throw new Error('active term missing from keyring');
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(CIPHERTEXT_VERSION, 0);
    header.writeUInt32BE(keyring.active, 1);
    const nonce = randomBytes(NONCE_LENGTH);
    return Buffer.concat([header, nonce, gcmSeal(key, nonce, plaintext, recordAad(header, ref))]);
  }

  /** `physicalKey` only names the record in errors. */
  decrypt(ref: RecordRef, physicalKey: string, blob: Uint8Array): Buffer {
    const { keyring } = this.unsealed('read');
    if (blob.length < HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH || blob[0] !== CIPHERTEXT_VERSION)
      throw new IntegrityError(physicalKey, 'bad-header');
    const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const header = b.subarray(0, HEADER_LENGTH);
    const key = keyring.keys.get(header.readUInt32BE(1));
    if (key === undefined) throw new IntegrityError(physicalKey, 'unknown-term');
    const nonce = b.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH);
    const pt = gcmOpen(
      key,
      nonce,
      b.subarray(HEADER_LENGTH + NONCE_LENGTH),
      recordAad(header, ref),
    );
    if (pt === undefined) throw new IntegrityError(physicalKey, 'authentication-failed');
    return pt;
  }

  /** Throws SealedError naming `operation` unless unsealed. */
  assertUnsealed(operation: string): void {
    this.unsealed(operation);
  }

  private unsealed(operation: string): { keyring: Keyring; rootKey: Buffer } {
    if (this.keyring === undefined || this.rootKey === undefined) throw new SealedError(operation);
    return { keyring: this.keyring, rootKey: this.rootKey };
  }
}

function recordAad(header: Uint8Array, ref: RecordRef): Buffer {
  return framed(AAD_DOMAIN, header, ref.type, ref.owner, ref.id);
}

// The keyring is encrypted like a record (term 0 = the root key) bound to its own name.
const KEYRING_REF: RecordRef = { type: 'core', owner: '-', id: 'keyring' };

function encryptKeyring(rootKey: Buffer, keyring: Keyring): Buffer {
  const entries = [...keyring.keys].sort((a, b) => a[0] - b[0]);
  const body = Buffer.alloc(1 + 4 + 4 + entries.length * (4 + KEY_LENGTH));
  let o = body.writeUInt8(KEYRING_VERSION, 0);
  o = body.writeUInt32BE(keyring.active, o);
  o = body.writeUInt32BE(entries.length, o);
  for (const [term, key] of entries) {
    o = body.writeUInt32BE(term, o);
    o += key.copy(body, o);
  }
  const header = Buffer.from([CIPHERTEXT_VERSION, 0, 0, 0, 0]);
  const nonce = randomBytes(NONCE_LENGTH);
  const out = Buffer.concat([
    header,
    nonce,
    gcmSeal(rootKey, nonce, body, recordAad(header, KEYRING_REF)),
  ]);
  body.fill(0);
  return out;
}

function decryptKeyring(rootKey: Buffer, blob: Uint8Array): Keyring {
  const b = Buffer.from(blob);
  if (
    b.length < HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH ||
    b[0] !== CIPHERTEXT_VERSION ||
    b.readUInt32BE(1) !== 0
  )
    throw new IntegrityError(KEYRING_KEY, 'bad-header');
  const body = gcmOpen(
    rootKey,
    b.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH),
    b.subarray(HEADER_LENGTH + NONCE_LENGTH),
    recordAad(b.subarray(0, HEADER_LENGTH), KEYRING_REF),
  );
  if (body === undefined) throw new IntegrityError(KEYRING_KEY, 'authentication-failed');
  // Authenticated, so malformed contents mean a bug or a format change, not an attack.
  const count = body.length >= 9 ? body.readUInt32BE(5) : -1;
  if (body[0] !== KEYRING_VERSION || body.length !== 9 + count * (4 + KEY_LENGTH))
    throw new IntegrityError(KEYRING_KEY, 'bad-keyring');
  const keys = new Map<number, Buffer>();
  for (let i = 0, o = 9; i < count; i++, o += 4 + KEY_LENGTH)
    keys.set(body.readUInt32BE(o), Buffer.from(body.subarray(o + 4, o + 4 + KEY_LENGTH)));
  const active = body.readUInt32BE(1);
  body.fill(0);
  if (!keys.has(active)) throw new IntegrityError(KEYRING_KEY, 'bad-keyring');
  return { active, keys };
}
