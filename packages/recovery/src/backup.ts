/**
 * The backup file format ("quorate/recovery-backup", version 1) and `exportBackup`, which the
 * co-signer calls for `quorate cosigner backup export`.
 *
 * A backup is one JSON file per share:
 *   { format, version,
 *     header:     group metadata in clear — keyId, algorithm, curve, publicKey, chainCode,
 *                 threshold, participants, publicShares (one per participant), partyId, createdAt
 *     encryption: { scheme, recipient (recovery key fingerprint), ephemeralPublicKey, nonce },
 *     ciphertext: AES-256-GCM of the 32-byte big-endian share scalar x_i, tag appended }
 * The AEAD's associated data is the canonical JSON (sorted keys, no spaces) of everything except
 * `ciphertext`, so the clear metadata is authenticated: editing any field fails decryption.
 * See docs/recovery.md.
 */
import { codec as c, DecodeError } from '@quorate/runtime';
import type { Json } from '@quorate/runtime';
import type { CoreKeyShare, KeyShare as EcdsaKeyShare } from '@quorate/cggmp21';
import type { KeyShare as FrostKeyShare } from '@quorate/frost';
import { getSuite } from '@quorate/frost';
import { sha256 } from '@noble/hashes/sha2.js';
import { CURVES } from './curves.ts';
import type { CurveName } from './curves.ts';
import { MalformedBackupError, RecoveryError, WrongRecoveryKeyError } from './errors.ts';
import { ENCRYPTION_SCHEME, openWith, sealTo } from './recovery-key.ts';
import type { RecoveryPrivateKey, RecoveryPublicKey } from './recovery-key.ts';

export const BACKUP_FORMAT = 'quorate/recovery-backup';
export const BACKUP_VERSION = 1;
export const ALGORITHMS = [
  'ecdsa-secp256k1',
  'frost-ed25519',
  'frost-secp256k1',
  'frost-secp256k1-tr',
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export function curveOf(a: Algorithm): CurveName {
  return a === 'frost-ed25519' ? 'ed25519' : 'secp256k1';
}

const partyId = c.uint({ min: 1, max: 1024 });
const headerSchema = c.object({
  keyId: c.string({ max: 128, pattern: /^[A-Za-z0-9._:-]{1,128}$/ }),
  algorithm: c.oneOf(ALGORITHMS),
  curve: c.oneOf(['secp256k1', 'ed25519'] as const),
  publicKey: c.bytes({ max: 33 }),
  chainCode: c.bytes({ len: 32 }),
  threshold: c.uint({ min: 1, max: 1024 }),
  participants: c.array(partyId, { min: 1, max: 1024 }),
  publicShares: c.array(c.bytes({ max: 33 }), { min: 1, max: 1024 }),
  partyId,
  createdAt: c.string({ max: 40, pattern: /^\d{4}-\d\d-\d\dT[0-9:.]+Z$/ }),
});
const encryptionSchema = c.object({
  scheme: c.literal(ENCRYPTION_SCHEME),
  recipient: c.string({ max: 32, pattern: /^[0-9a-f]{32}$/ }),
  ephemeralPublicKey: c.bytes({ len: 32 }),
  nonce: c.bytes({ len: 12 }),
});
const backupSchema = c.object({
  format: c.literal(BACKUP_FORMAT),
  version: c.literal(BACKUP_VERSION),
  header: headerSchema,
  encryption: encryptionSchema,
  // 32-byte scalar + 16-byte tag; a little room for a future plaintext layout is not needed in v1.
  ciphertext: c.bytes({ len: 48 }),
});

export type BackupHeader = c.Infer<typeof headerSchema>;
export type Backup = c.Infer<typeof backupSchema>;

/** The AEAD associated data: canonical JSON of the clear part of the file. */
function associatedData(b: Omit<Backup, 'ciphertext'>): Uint8Array {
  const clear = c.object({
    format: c.literal(BACKUP_FORMAT),
    version: c.literal(BACKUP_VERSION),
    header: headerSchema,
    encryption: encryptionSchema,
  });
  return c.encodeCanonical(clear, b);
}

/** What a share contributes to a backup, whatever protocol produced it. */
export interface ShareMaterial {
  readonly algorithm: Algorithm;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly threshold: number;
  readonly participants: readonly number[];
  readonly publicShares: readonly Uint8Array[];
  readonly partyId: number;
  /** The secret share x_i. */
  readonly secret: bigint;
}

function isFrost(s: unknown): s is FrostKeyShare {
  return typeof s === 'object' && s !== null && 'suite' in s && 'secretShare' in s;
}
function isEcdsa(s: unknown): s is EcdsaKeyShare {
  return typeof s === 'object' && s !== null && 'core' in s;
}

/** Reads the fields a backup needs from a CGGMP21 key share (or its core) or a FROST key share. */
export function shareMaterial(share: EcdsaKeyShare | CoreKeyShare | FrostKeyShare): ShareMaterial {
  if (isFrost(share)) {
    const suite = getSuite(share.suite);
    return {
      algorithm: `frost-${share.suite}`,
      publicKey: suite.encodePoint(share.publicKey),
      chainCode: Uint8Array.from(share.chainCode),
      threshold: share.threshold,
      participants: [...share.parties],
      publicShares: share.parties.map((p) => {
        const Y = share.verifyingShares.get(p);
        if (!Y) throw new RecoveryError('unsupported-share', `no verifying share for party ${p}`);
        return suite.encodePoint(Y);
      }),
      partyId: share.self,
      secret: share.secretShare,
    };
  }
  const core: CoreKeyShare = isEcdsa(share) ? share.core : share;
  if (core.curve !== 'secp256k1')
    throw new RecoveryError('unsupported-share', `unsupported curve ${String(core.curve)}`);
  return {
    algorithm: 'ecdsa-secp256k1',
    publicKey: core.publicKey.toBytes(true),
    chainCode: Uint8Array.from(core.chainCode),
    threshold: core.t,
    participants: [...core.parties],
    publicShares: core.publicShares.map((P) => P.toBytes(true)),
    partyId: core.i,
    secret: core.x,
  };
}

/** Default key id: a fingerprint of the algorithm and the public key (stable across reshares). */
export function defaultKeyId(algorithm: Algorithm, publicKey: Uint8Array): string {
  const tag = new TextEncoder().encode(`${algorithm}:`);
  const d = sha256(Uint8Array.from([...tag, ...publicKey]));
  return `key-${Buffer.from(d.slice(0, 10)).toString('hex')}`;
}

export interface ExportOptions {
  /** The key's id in the hub/co-signer; defaults to {@link defaultKeyId}. */
  readonly keyId?: string;
  /** Time stamp to record; defaults to now. */
  readonly now?: Date;
}

/**
 * Encrypts one share to the offline recovery public key. Returns the backup (write it with
 * {@link serializeBackup}). The co-signer daemon calls this for `cosigner backup export`.
 */
export function exportBackup(
  share: EcdsaKeyShare | CoreKeyShare | FrostKeyShare,
  recoveryPublicKey: RecoveryPublicKey,
  opts: ExportOptions = {},
): Backup {
  const m = shareMaterial(share);
  const curve = curveOf(m.algorithm);
  const header: BackupHeader = {
    keyId: opts.keyId ?? defaultKeyId(m.algorithm, m.publicKey),
    algorithm: m.algorithm,
    curve,
    publicKey: m.publicKey,
    chainCode: m.chainCode,
    threshold: m.threshold,
    participants: [...m.participants],
    publicShares: [...m.publicShares],
    partyId: m.partyId,
    createdAt: (opts.now ?? new Date()).toISOString(),
  };
  // Validate what we are about to write exactly as a reader will.
  headerSchema.parse(headerSchema.encode(header), 'header');
  const plaintext = scalarBytes(m.secret);
  try {
    const sealed = sealTo(recoveryPublicKey, plaintext, (E, nonce) =>
      associatedData({
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        header,
        encryption: {
          scheme: ENCRYPTION_SCHEME,
          recipient: recoveryPublicKey.fingerprint,
          ephemeralPublicKey: E,
          nonce,
        },
      }),
    );
    return {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      header,
      encryption: {
        scheme: ENCRYPTION_SCHEME,
        recipient: recoveryPublicKey.fingerprint,
        ephemeralPublicKey: sealed.ephemeralPublicKey,
        nonce: sealed.nonce,
      },
      ciphertext: sealed.ciphertext,
    };
  } finally {
    plaintext.fill(0);
  }
}

function scalarBytes(x: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
}

/** Pretty-printed JSON (the reader accepts any white space; values must be canonical). */
export function serializeBackup(b: Backup): string {
  return JSON.stringify(backupSchema.encode(b), null, 2) + '\n';
}

/**
 * Strictly parses a backup file: JSON, exact fields, canonical values, sizes, and the header's
 * internal consistency (curve of the algorithm, one public share per participant, own id among
 * them, points decodable). Errors name the field and the source.
 */
export function parseBackup(text: string, source?: string): Backup {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    throw new MalformedBackupError('(file)', 'valid JSON', source);
  }
  let b: Backup;
  try {
    b = c.parseCanonical(backupSchema, json, 'backup');
  } catch (e) {
    if (e instanceof DecodeError) throw new MalformedBackupError(e.path, e.expected, source);
    throw e;
  }
  const h = b.header;
  if (h.curve !== curveOf(h.algorithm))
    throw new MalformedBackupError(
      'backup.header.curve',
      `${curveOf(h.algorithm)} for ${h.algorithm}`,
      source,
    );
  const sorted = [...new Set(h.participants)].sort((x, y) => x - y);
  if (sorted.length !== h.participants.length || sorted.some((p, i) => p !== h.participants[i]))
    throw new MalformedBackupError(
      'backup.header.participants',
      'sorted distinct party ids',
      source,
    );
  if (h.threshold > h.participants.length)
    throw new MalformedBackupError(
      'backup.header.threshold',
      'at most the number of participants',
      source,
    );
  if (!h.participants.includes(h.partyId))
    throw new MalformedBackupError('backup.header.partyId', 'one of the participants', source);
  if (h.publicShares.length !== h.participants.length)
    throw new MalformedBackupError('backup.header.publicShares', 'one per participant', source);
  const curve = CURVES[h.curve];
  const check = (bytes: Uint8Array, field: string) => {
    try {
      curve.decodePoint(bytes);
    } catch (e) {
      throw new MalformedBackupError(
        field,
        `a valid ${h.curve} point (${e instanceof Error ? e.message : 'invalid'})`,
        source,
      );
    }
  };
  check(h.publicKey, 'backup.header.publicKey');
  h.publicShares.forEach((s, i) => check(s, `backup.header.publicShares[${i}]`));
  return b;
}

/** Decrypts a parsed backup's share scalar (checks the recipient first, then the AEAD). */
export function decryptShare(b: Backup, key: RecoveryPrivateKey, source?: string): bigint {
  if (b.encryption.recipient !== key.publicKey.fingerprint)
    throw new WrongRecoveryKeyError(b.encryption.recipient, key.publicKey.fingerprint, source);
  const aad = associatedData({
    format: b.format,
    version: b.version,
    header: b.header,
    encryption: b.encryption,
  });
  const pt = openWith(
    key,
    {
      ephemeralPublicKey: b.encryption.ephemeralPublicKey,
      nonce: b.encryption.nonce,
      ciphertext: b.ciphertext,
    },
    aad,
    source,
  );
  try {
    return BigInt('0x' + Buffer.from(pt).toString('hex'));
  } finally {
    pt.fill(0);
  }
}
