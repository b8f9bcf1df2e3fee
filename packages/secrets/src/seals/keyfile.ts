/**
 * Key-file seal: the root key is wrapped with AES-256-GCM under a 32-byte key read from a file
 * (64 hex digits). The file must be a regular file owned by the current user with no group or
 * world permission bits (chmod 600); otherwise nothing is read and KeyFilePermissionError says
 * why. It is opened with O_NOFOLLOW and checked with fstat on the open descriptor, so a symlink or
 * a swap between check and read is refused. The blob carries a key id (a truncated hash of the
 * key) so a wrong key file is told apart from a tampered blob.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  writeSync,
  constants as fsc,
} from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { framed, gcmOpen, gcmSeal, KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from '../aead.ts';
import {
  IntegrityError,
  KeyFileFormatError,
  KeyFilePermissionError,
  WrongSecretError,
} from '../errors.ts';
import type { Seal } from '../seal.ts';
import { BlobReader, encodeBlob } from './blob.ts';
import { gcmKnownAnswer } from './selftest.ts';

const KID_LENGTH = 8;

export class KeyFileSeal implements Seal {
  readonly kind = 'keyfile';

  constructor(readonly path: string) {}

  /** Writes a fresh random key to `path` (which must not exist), mode 0600, fsynced. */
  static generate(path: string): void {
    const fd = openSync(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, randomBytes(KEY_LENGTH).toString('hex') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async selfTest(): Promise<void> {
    gcmKnownAnswer(this.kind);
    this.readKey().fill(0);
  }

  async wrap(rootKey: Uint8Array): Promise<Uint8Array> {
    const key = this.readKey();
    const kid = keyId(key);
    const nonce = randomBytes(NONCE_LENGTH);
    const ct = gcmSeal(key, nonce, rootKey, aad(kid));
    key.fill(0);
    return encodeBlob(this.kind, { kid, nonce, ct });
  }

  async unwrap(blob: Uint8Array): Promise<Uint8Array> {
    const b = new BlobReader(this.kind, blob);
    const kid = b.bytes('kid', KID_LENGTH);
    const nonce = b.bytes('nonce', NONCE_LENGTH);
    const ct = b.bytes('ct', KEY_LENGTH + TAG_LENGTH);
    b.done();
    const key = this.readKey();
    try {
      if (!keyId(key).equals(kid)) throw new WrongSecretError('keyfile');
      const out = gcmOpen(key, nonce, ct, aad(kid));
      if (out === undefined) throw new IntegrityError('keyfile seal blob', 'authentication-failed');
      return out;
    } finally {
      key.fill(0);
    }
  }

  private readKey(): Buffer {
    const fd = openSync(this.path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new KeyFilePermissionError(this.path, st.mode, 'not-a-regular-file');
      if ((st.mode & 0o077) !== 0)
        throw new KeyFilePermissionError(this.path, st.mode, 'group-or-world-accessible');
      if (typeof process.getuid === 'function' && st.uid !== process.getuid())
        throw new KeyFilePermissionError(this.path, st.mode, 'wrong-owner');
      const buf = Buffer.alloc(130);
      const n = readSync(fd, buf, 0, buf.length, 0);
      const text = buf.subarray(0, n).toString('latin1');
      buf.fill(0);
      const m = /^([0-9a-fA-F]{64})\r?\n?$/.exec(text);
      if (m === null || m[1] === undefined) throw new KeyFileFormatError(this.path);
      return Buffer.from(m[1], 'hex');
    } finally {
      closeSync(fd);
    }
  }
}

function keyId(key: Buffer): Buffer {
  return createHash('sha256')
    .update('quorate/seal/keyfile/kid')
    .update(key)
    .digest()
    .subarray(0, KID_LENGTH);
}

function aad(kid: Uint8Array): Buffer {
  return framed('quorate/seal/keyfile/v1', kid);
}
