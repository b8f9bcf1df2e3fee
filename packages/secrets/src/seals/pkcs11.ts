/**
 * PKCS#11 seal (after Vault's pkcs11 seal): the root key is encrypted with CKM_AES_GCM by an
 * AES-256 key that lives on the token and never leaves it (CKA_SENSITIVE, not CKA_EXTRACTABLE);
 * only the wrapped root key is stored. Through pkcs11js, against any PKCS#11 v2.20+ module
 * (tested with SoftHSM2).
 *
 *  - Mechanisms are allow-listed (ALLOWED_MECHANISMS); a configured or stored mechanism outside
 *    the list is refused with MechanismNotAllowedError.
 *  - The PIN is tried once. CKR_PIN_INCORRECT gives PinIncorrectError and the seal stops: every
 *    later call rethrows it without touching the token, so a bad configuration cannot burn the
 *    token's PIN retry counter.
 *  - selfTest() checks, at start, that the mechanism is supported for encrypt and decrypt, that the
 *    key is an AES-256 secret key that is sensitive, non-extractable, and allowed to encrypt and
 *    decrypt, and that an encrypt/decrypt round trip works and a forged tag is rejected.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { framed, KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from '../aead.ts';
import {
  HsmError,
  IntegrityError,
  MechanismNotAllowedError,
  PinIncorrectError,
  PinLockedError,
  SelfTestError,
  WrongSecretError,
} from '../errors.ts';
import type { Seal } from '../seal.ts';
import { BlobReader, encodeBlob } from './blob.ts';

export const ALLOWED_MECHANISMS = ['CKM_AES_GCM'] as const;
export type Pkcs11Mechanism = (typeof ALLOWED_MECHANISMS)[number];

export interface Pkcs11SealOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly library: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** CKA_LABEL of the AES wrapping key on the token. */
  readonly keyLabel: string;
  readonly mechanism?: string;
}

export interface TokenInfo {
  readonly libraryManufacturer: string;
  readonly libraryDescription: string;
  readonly cryptokiVersion: string;
  readonly tokenLabel: string;
  readonly tokenManufacturer: string;
  readonly tokenModel: string;
  readonly tokenSerial: string;
}

const LABEL_RE = /^[\x20-\x7e]{1,32}$/;

// One loaded module per library path per process: C_Initialize may run only once.
const modules = new Map<string, { p11: pkcs11js.PKCS11; refs: number }>();
// Salted digests of the PINs that logged in, per library and slot (never the PIN itself).
const loggedIn = new Map<string, Buffer>();
const PIN_SALT = randomBytes(32);
const pinDigest = (pin: string) => createHmac('sha256', PIN_SALT).update(pin, 'utf8').digest();
const loginKey = (library: string, slot: Buffer) => `${library}\0${slot.toString('hex')}`;

export class Pkcs11Seal implements Seal {
  readonly kind = 'pkcs11';
  readonly mechanism: Pkcs11Mechanism;
  private readonly opts: Pkcs11SealOptions;
  private conn: { p11: pkcs11js.PKCS11; slot: Buffer; session: Buffer } | undefined;
  /** Set after a PIN failure: the seal never tries again. */
  private stopped: HsmError | undefined;

  constructor(opts: Pkcs11SealOptions) {
    const mech = opts.mechanism ?? 'CKM_AES_GCM';
    if (!isAllowed(mech)) throw new MechanismNotAllowedError(mech, ALLOWED_MECHANISMS);
    if (!LABEL_RE.test(opts.tokenLabel))
      throw new HsmError(
        'config',
        'tokenLabel',
        'tokenLabel must be 1-32 printable ASCII characters',
      );
    if (!LABEL_RE.test(opts.keyLabel))
      throw new HsmError('config', 'keyLabel', 'keyLabel must be 1-32 printable ASCII characters');
    this.mechanism = mech;
    this.opts = { ...opts };
  }

  /** What the module and token say about themselves (to check it is the device you expect). */
  tokenInfo(): TokenInfo {
    const { p11, slot } = this.connect();
    const info = call('C_GetInfo', () => p11.C_GetInfo());
    const tok = call('C_GetTokenInfo', () => p11.C_GetTokenInfo(slot));
    return {
      libraryManufacturer: info.manufacturerID.trim(),
      libraryDescription: info.libraryDescription.trim(),
      cryptokiVersion: `${info.cryptokiVersion.major}.${info.cryptokiVersion.minor}`,
      tokenLabel: tok.label.trim(),
      tokenManufacturer: tok.manufacturerID.trim(),
      tokenModel: tok.model.trim(),
      tokenSerial: tok.serialNumber.trim(),
    };
  }

  /** Creates the wrapping key on the token (init time). Refuses if a key with the label exists. */
  generateKey(): void {
    const { p11, session } = this.connect();
    if (this.findKeys().length > 0)
      throw new HsmError(
        'C_GenerateKey',
        'KEY_EXISTS',
        `a key labelled "${this.opts.keyLabel}" already exists on the token`,
      );
    call('C_GenerateKey', () =>
      p11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: KEY_LENGTH },
        { type: pkcs11js.CKA_LABEL, value: this.opts.keyLabel },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
        { type: pkcs11js.CKA_MODIFIABLE, value: false },
      ]),
    );
  }

  async selfTest(): Promise<void> {
    const { p11, slot } = this.connect();
    const info = call('C_GetMechanismInfo', () =>
      p11.C_GetMechanismInfo(slot, pkcs11js[this.mechanism]),
    );
    if ((info.flags & pkcs11js.CKF_ENCRYPT) === 0 || (info.flags & pkcs11js.CKF_DECRYPT) === 0)
      throw new SelfTestError(
        this.kind,
        `token does not support ${this.mechanism} for encrypt and decrypt`,
      );
    const key = this.key();
    const attrs = call('C_GetAttributeValue', () =>
      p11.C_GetAttributeValue(this.connect().session, key, [
        { type: pkcs11js.CKA_KEY_TYPE },
        { type: pkcs11js.CKA_VALUE_LEN },
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_ENCRYPT },
        { type: pkcs11js.CKA_DECRYPT },
      ]),
    );
    const [keyType, valueLen, sensitive, extractable, enc, dec] = attrs.map(
      (a) => a.value ?? Buffer.alloc(0),
    );
    if (readUlong(keyType) !== pkcs11js.CKK_AES || readUlong(valueLen) !== KEY_LENGTH)
      throw new SelfTestError(this.kind, 'wrapping key is not an AES-256 key');
    if (readBool(sensitive) !== true)
      throw new SelfTestError(this.kind, 'wrapping key is not sensitive');
    if (readBool(extractable) !== false)
      throw new SelfTestError(this.kind, 'wrapping key is extractable');
    if (readBool(enc) !== true || readBool(dec) !== true)
      throw new SelfTestError(this.kind, 'wrapping key cannot encrypt and decrypt');
    const probe = randomBytes(KEY_LENGTH);
    const aad = Buffer.from('quorate/seal/pkcs11/self-test');
    const { nonce, ct } = this.encrypt(probe, aad);
    const back = this.decrypt(nonce, ct, aad);
    if (back === undefined || !back.equals(probe))
      throw new SelfTestError(this.kind, 'encrypt/decrypt round trip');
    const forged = Buffer.from(ct);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    if (this.decrypt(nonce, forged, aad) !== undefined)
      throw new SelfTestError(this.kind, 'forged tag accepted');
  }

  async wrap(rootKey: Uint8Array): Promise<Uint8Array> {
    const { nonce, ct } = this.encrypt(
      Buffer.from(rootKey),
      aad(this.mechanism, this.opts.keyLabel),
    );
    return encodeBlob(this.kind, { mech: this.mechanism, key: this.opts.keyLabel, nonce, ct });
  }

  async unwrap(blob: Uint8Array): Promise<Uint8Array> {
    this.connect();
    const b = new BlobReader(this.kind, blob);
    const mech = b.text('mech', /^CKM_[A-Z0-9_]{1,60}$/);
    const keyLabel = b.text('key', LABEL_RE);
    const nonce = b.bytes('nonce', NONCE_LENGTH);
    const ct = b.bytes('ct', KEY_LENGTH + TAG_LENGTH);
    b.done();
    if (!isAllowed(mech)) throw new MechanismNotAllowedError(mech, ALLOWED_MECHANISMS);
    if (mech !== this.mechanism) throw new MechanismNotAllowedError(mech, [this.mechanism]);
    if (keyLabel !== this.opts.keyLabel) throw new WrongSecretError('pkcs11');
    const out = this.decrypt(nonce, ct, aad(mech, keyLabel));
    if (out === undefined) throw new IntegrityError('pkcs11 seal blob', 'authentication-failed');
    return out;
  }

  /** Logs out and releases the module (C_Finalize once no other seal uses it). */
  close(): void {
    const c = this.conn;
    if (c === undefined) return;
    this.conn = undefined;
    // No C_Logout: login state is per application and token, shared by every session, so a
    // logout here would log out other seals on the same token. Closing the last session logs out.
    try {
      c.p11.C_CloseSession(c.session);
    } catch {
      // The session is gone already.
    }
    release(this.opts.library);
  }

  private encrypt(pt: Buffer, aadBytes: Buffer): { nonce: Buffer; ct: Buffer } {
    const { p11, session } = this.connect();
    const key = this.key();
    const nonce = randomBytes(NONCE_LENGTH);
    call('C_EncryptInit', () => p11.C_EncryptInit(session, gcm(nonce, aadBytes), key));
    const ct = call('C_Encrypt', () =>
      p11.C_Encrypt(session, pt, Buffer.alloc(pt.length + TAG_LENGTH)),
    );
    return { nonce, ct: Buffer.from(ct) };
  }

  /** undefined when the tag does not verify. */
  private decrypt(nonce: Buffer, ct: Buffer, aadBytes: Buffer): Buffer | undefined {
    const { p11, session } = this.connect();
    const key = this.key();
    call('C_DecryptInit', () => p11.C_DecryptInit(session, gcm(nonce, aadBytes), key));
    try {
      return Buffer.from(p11.C_Decrypt(session, ct, Buffer.alloc(ct.length)));
    } catch (e) {
      const rv = rvName(e);
      // The standard answers to a bad GCM tag, plus CKR_GENERAL_ERROR, which is what SoftHSM2
      // returns for it. Either way nothing is released; only the error class differs.
      if (
        [
          'CKR_ENCRYPTED_DATA_INVALID',
          'CKR_ENCRYPTED_DATA_LEN_RANGE',
          'CKR_GENERAL_ERROR',
        ].includes(rv)
      )
        return undefined;
      throw new HsmError('C_Decrypt', rv);
    }
  }

  private key(): Buffer {
    const keys = this.findKeys();
    if (keys.length === 0)
      throw new HsmError(
        'C_FindObjects',
        'KEY_NOT_FOUND',
        `no AES key labelled "${this.opts.keyLabel}" on token "${this.opts.tokenLabel}"`,
      );
    if (keys.length > 1)
      throw new HsmError(
        'C_FindObjects',
        'KEY_AMBIGUOUS',
        `${keys.length} keys labelled "${this.opts.keyLabel}" on token "${this.opts.tokenLabel}"`,
      );
    return keys[0] as Buffer;
  }

  private findKeys(): Buffer[] {
    const { p11, session } = this.connect();
    call('C_FindObjectsInit', () =>
      p11.C_FindObjectsInit(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_LABEL, value: this.opts.keyLabel },
      ]),
    );
    try {
      return call('C_FindObjects', () => p11.C_FindObjects(session, 4));
    } finally {
      p11.C_FindObjectsFinal(session);
    }
  }

  private connect(): { p11: pkcs11js.PKCS11; slot: Buffer; session: Buffer } {
    if (this.stopped) throw this.stopped;
    if (this.conn) return this.conn;
    const p11 = acquire(this.opts.library);
    let session: Buffer | undefined;
    try {
      const slot = call('C_GetSlotList', () => p11.C_GetSlotList(true)).find(
        (s) => p11.C_GetTokenInfo(s).label.trim() === this.opts.tokenLabel,
      );
      if (slot === undefined)
        throw new HsmError(
          'C_GetSlotList',
          'TOKEN_NOT_FOUND',
          `no token labelled "${this.opts.tokenLabel}"`,
        );
      session = call('C_OpenSession', () =>
        p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION),
      );
      const s = session;
      try {
        p11.C_Login(s, pkcs11js.CKU_USER, this.opts.pin);
      } catch (e) {
        const rv = rvName(e);
        if (rv === 'CKR_PIN_INCORRECT')
          throw (this.stopped = new PinIncorrectError(this.opts.tokenLabel));
        if (rv === 'CKR_PIN_LOCKED')
          throw (this.stopped = new PinLockedError(this.opts.tokenLabel));
        if (rv !== 'CKR_USER_ALREADY_LOGGED_IN') throw new HsmError('C_Login', rv);
        // Another seal of this process is logged in to the token (login state is shared), so the
        // token did not check our PIN: compare it with the PIN that logged in.
        const known = loggedIn.get(loginKey(this.opts.library, slot));
        if (known === undefined || !timingSafeEqual(known, pinDigest(this.opts.pin)))
          throw (this.stopped = new PinIncorrectError(this.opts.tokenLabel));
      }
      loggedIn.set(loginKey(this.opts.library, slot), pinDigest(this.opts.pin));
      this.conn = { p11, slot, session: s };
      return this.conn;
    } catch (e) {
      if (session !== undefined) p11.C_CloseSession(session);
      release(this.opts.library);
      throw e;
    }
  }
}

function isAllowed(m: string): m is Pkcs11Mechanism {
  return (ALLOWED_MECHANISMS as readonly string[]).includes(m);
}

function gcm(iv: Buffer, aadBytes: Buffer): pkcs11js.Mechanism {
  const parameter: pkcs11js.GcmParams = {
    type: pkcs11js.CK_PARAMS_AES_GCM,
    iv,
    ivBits: NONCE_LENGTH * 8,
    aad: aadBytes,
    tagBits: TAG_LENGTH * 8,
  };
  return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
}

function aad(mech: string, keyLabel: string): Buffer {
  return framed('quorate/seal/pkcs11/v1', mech, keyLabel);
}

function acquire(library: string): pkcs11js.PKCS11 {
  let m = modules.get(library);
  if (m === undefined) {
    const p11 = new pkcs11js.PKCS11();
    call('load', () => p11.load(library));
    try {
      p11.C_Initialize();
    } catch (e) {
      if (rvName(e) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED')
        throw new HsmError('C_Initialize', rvName(e));
    }
    m = { p11, refs: 0 };
    modules.set(library, m);
  }
  m.refs++;
  return m.p11;
}

function release(library: string): void {
  const m = modules.get(library);
  if (m === undefined) return;
  if (--m.refs > 0) return;
  modules.delete(library);
  for (const k of loggedIn.keys()) if (k.startsWith(`${library}\0`)) loggedIn.delete(k);
  try {
    m.p11.C_Finalize();
  } finally {
    m.p11.close();
  }
}

/** Runs a PKCS#11 call, turning its native error into an HsmError naming function and CKR_*. */
function call<T>(fn: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof HsmError) throw e;
    throw new HsmError(fn, rvName(e));
  }
}

const RV_NAMES = new Map<number, string>(
  Object.entries(pkcs11js)
    .filter(([k, v]) => k.startsWith('CKR_') && typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

function rvName(e: unknown): string {
  if (e instanceof pkcs11js.Pkcs11Error && typeof e.code === 'number')
    return RV_NAMES.get(e.code) ?? `0x${e.code.toString(16)}`;
  return e instanceof Error ? e.message.split(':')[0] || 'error' : 'error';
}

function readBool(b: Buffer | undefined): boolean | undefined {
  if (b === undefined) return undefined;
  return b.length === 1 ? b[0] !== 0 : undefined;
}

function readUlong(b: Buffer | undefined): number | undefined {
  if (b === undefined) return undefined;
  if (b.length === 8) return Number(b.readBigUInt64LE(0));
  if (b.length === 4) return b.readUInt32LE(0);
  return undefined;
}
