/**
 * Offline recovery from backups: open a set of backups with the recovery private key, check them
 * against the group's public data, rebuild the root private key by Lagrange interpolation at 0
 * (Shamir; the same coefficients the signing protocols use), and derive child keys below it with
 * the MPC chain code (BIP32 non-hardened for secp256k1, the additive scheme for Ed25519, both from
 * @quorate/hd so the children are the ones the co-signers sign for).
 */
import { deriveEd25519, deriveSecp256k1 } from '@quorate/hd';
import { addressesOf } from './addresses.ts';
import type { Addresses, BitcoinNetwork } from './addresses.ts';
import { decryptShare, parseBackup } from './backup.ts';
import type { Algorithm, Backup, BackupHeader } from './backup.ts';
import { CURVES, lagrangeAtZero, mod, modInverse } from './curves.ts';
import type { Curve, GroupPoint } from './curves.ts';
import { InconsistentBackupsError, TooFewBackupsError } from './errors.ts';
import type { RecoveryPrivateKey } from './recovery-key.ts';

export interface BackupFile {
  readonly text: string;
  /** File name (or any label) used in error messages. */
  readonly source: string;
}

export interface OpenedBackups {
  /** The group metadata every backup agrees on (partyId/createdAt are those of the first). */
  readonly header: BackupHeader;
  /** x_i by party id; secret. */
  readonly shares: ReadonlyMap<number, bigint>;
  /** The file of each party's backup. */
  readonly sources: ReadonlyMap<number, string>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Group fields that must be byte-identical across the backups of one key. */
const GROUP_FIELDS = [
  'keyId',
  'algorithm',
  'curve',
  'publicKey',
  'chainCode',
  'threshold',
  'participants',
  'publicShares',
] as const;

function fieldText(h: BackupHeader, f: (typeof GROUP_FIELDS)[number]): string {
  const v = h[f];
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v))
    return v.map((x) => (x instanceof Uint8Array ? hex(x) : String(x))).join(',');
  return String(v);
}

/**
 * The group's public data must be one Shamir sharing of degree t−1 of the public key: the first
 * t public shares interpolate to the public key, every other public share lies on the polynomial.
 */
export function checkGroupPublicData(h: BackupHeader, source?: string): void {
  const curve = CURVES[h.curve];
  const pts = h.publicShares.map((b) => curve.decodePoint(b));
  const basis = h.participants.slice(0, h.threshold);
  const at = (x: bigint): GroupPoint => {
    let acc = curve.zero();
    basis.forEach((j, n) => {
      acc = acc.add(curve.mulPublic(pts[n] as GroupPoint, lagrangeAt(curve, j, basis, x)));
    });
    return acc;
  };
  if (!at(0n).equals(curve.decodePoint(h.publicKey)))
    throw new InconsistentBackupsError(
      'header.publicShares',
      'the public shares do not interpolate to the public key',
      source,
    );
  for (let n = h.threshold; n < h.participants.length; n++) {
    const j = h.participants[n] as number;
    if (!at(BigInt(j)).equals(pts[n] as GroupPoint))
      throw new InconsistentBackupsError(
        `header.publicShares[${n}]`,
        `public share of party ${j} is not on the degree t−1 sharing polynomial`,
        source,
      );
  }
}

function lagrangeAt(curve: Curve, j: number, ids: readonly number[], x: bigint): bigint {
  if (x === 0n) return lagrangeAtZero(curve, j, ids);
  // L_j(x) = Π_{m ≠ j} (x − m) / (j − m)
  const n = curve.order;
  let num = 1n;
  let den = 1n;
  for (const m of ids) {
    if (m === j) continue;
    num = mod(num * (x - BigInt(m)), n);
    den = mod(den * (BigInt(j) - BigInt(m)), n);
  }
  return mod(num * modInverse(den, n), n);
}

/**
 * Parses and decrypts every file, then checks: one key (identical group metadata), no party twice,
 * each decrypted share matches its party's public share (x_i·G = X_i), the public data is one
 * sharing of the public key. Errors name the file.
 */
export function openBackups(files: readonly BackupFile[], key: RecoveryPrivateKey): OpenedBackups {
  if (files.length === 0) throw new TooFewBackupsError(0, 1);
  const parsed: { b: Backup; source: string }[] = files.map((f) => ({
    b: parseBackup(f.text, f.source),
    source: f.source,
  }));
  const first = parsed[0] as { b: Backup; source: string };
  const shares = new Map<number, bigint>();
  const sources = new Map<number, string>();
  // Authenticate every file first, so a tampered file is reported as such (not as a mismatch).
  const opened = parsed.map(({ b, source }) => ({ b, source, x: decryptShare(b, key, source) }));
  for (const { b, source, x } of opened) {
    for (const f of GROUP_FIELDS) {
      if (fieldText(b.header, f) !== fieldText(first.b.header, f))
        throw new InconsistentBackupsError(
          `header.${f}`,
          `differs from ${first.source} (backups of different keys or epochs?)`,
          source,
        );
    }
    const id = b.header.partyId;
    if (sources.has(id))
      throw new InconsistentBackupsError(
        'header.partyId',
        `party ${id} appears twice (also in ${sources.get(id)})`,
        source,
      );
    const curve = CURVES[b.header.curve];
    const n = b.header.participants.indexOf(id);
    const X = curve.decodePoint(b.header.publicShares[n] as Uint8Array);
    if (x <= 0n || x >= curve.order || !curve.mulBase(x).equals(X))
      throw new InconsistentBackupsError(
        'share',
        `the decrypted share of party ${id} does not match its public share`,
        source,
      );
    shares.set(id, x);
    sources.set(id, source);
  }
  checkGroupPublicData(first.b.header, first.source);
  return { header: first.b.header, shares, sources };
}

export interface VerifyReport {
  readonly keyId: string;
  readonly algorithm: Algorithm;
  readonly publicKey: string;
  readonly chainCode: string;
  readonly threshold: number;
  readonly participants: readonly number[];
  /** Parties whose backups were given and checked. */
  readonly present: readonly number[];
  /** True when at least `threshold` valid backups are present. */
  readonly recoverable: boolean;
  readonly addresses: Addresses;
}

/**
 * Checks a set of backups without revealing the key: everything `openBackups` checks, plus that
 * the present shares interpolate to the public key (in the group, never computing the key itself:
 * Σ λ_i·X_i over the present parties only after their shares were tied to X_i).
 */
export function verifyBackups(
  files: readonly BackupFile[],
  key: RecoveryPrivateKey,
  opts: { network?: BitcoinNetwork; requireThreshold?: boolean } = {},
): VerifyReport {
  const o = openBackups(files, key);
  const h = o.header;
  const present = [...o.shares.keys()].sort((a, b) => a - b);
  const report: VerifyReport = {
    keyId: h.keyId,
    algorithm: h.algorithm,
    publicKey: hex(h.publicKey),
    chainCode: hex(h.chainCode),
    threshold: h.threshold,
    participants: h.participants,
    present,
    recoverable: present.length >= h.threshold,
    addresses: addressesOf(h.curve, h.publicKey, {
      taproot: h.algorithm === 'frost-secp256k1-tr',
      ...(opts.network ? { network: opts.network } : {}),
    }),
  };
  if ((opts.requireThreshold ?? true) && !report.recoverable)
    throw new TooFewBackupsError(present.length, h.threshold);
  return report;
}

export interface RecoveredKey {
  readonly keyId: string;
  readonly algorithm: Algorithm;
  readonly curve: 'secp256k1' | 'ed25519';
  /** The root private scalar. Secret: print only on explicit request. */
  readonly privateKey: bigint;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
}

/** Rebuilds the root private key from ≥ t backups and checks it against the public key. */
export function reconstruct(files: readonly BackupFile[], key: RecoveryPrivateKey): RecoveredKey {
  const o = openBackups(files, key);
  const h = o.header;
  const ids = [...o.shares.keys()].sort((a, b) => a - b);
  if (ids.length < h.threshold) throw new TooFewBackupsError(ids.length, h.threshold);
  const curve = CURVES[h.curve];
  const basis = ids.slice(0, h.threshold);
  let x = 0n;
  for (const j of basis)
    x = mod(x + lagrangeAtZero(curve, j, basis) * (o.shares.get(j) as bigint), curve.order);
  if (!curve.mulBase(x).equals(curve.decodePoint(h.publicKey)))
    // Unreachable after openBackups' checks, kept as the last line of defence.
    throw new InconsistentBackupsError(
      'publicKey',
      'the reconstructed key does not match the public key',
    );
  return Object.freeze({
    keyId: h.keyId,
    algorithm: h.algorithm,
    curve: h.curve,
    privateKey: x,
    publicKey: Uint8Array.from(h.publicKey),
    chainCode: Uint8Array.from(h.chainCode),
  });
}

export interface DerivedKey {
  readonly path: string;
  /** Child private scalar (secret). */
  readonly privateKey: bigint;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly addresses: Addresses;
}

/**
 * Child key at a non-hardened path: child secret = root secret + Σ step tweaks (what every
 * co-signer adds to its share when signing for that path). Checked: child secret·G = child key.
 */
export function deriveChild(
  root: RecoveredKey,
  path: string,
  opts: { network?: BitcoinNetwork } = {},
): DerivedKey {
  const curve = CURVES[root.curve];
  const d =
    root.curve === 'ed25519'
      ? deriveEd25519(root.publicKey, root.chainCode, path)
      : deriveSecp256k1(root.publicKey, root.chainCode, path);
  const x = mod(root.privateKey + d.tweak, curve.order);
  if (!curve.mulBase(x).equals(curve.decodePoint(d.publicKey)))
    throw new InconsistentBackupsError(
      'derivation',
      'child private key does not match the child public key',
    );
  return Object.freeze({
    path,
    privateKey: x,
    publicKey: Uint8Array.from(d.publicKey),
    chainCode: Uint8Array.from(d.chainCode),
    addresses: addressesOf(root.curve, d.publicKey, {
      taproot: root.algorithm === 'frost-secp256k1-tr',
      ...(opts.network ? { network: opts.network } : {}),
    }),
  });
}

/** 32-byte big-endian hex (secp256k1) or little-endian (Ed25519 scalar, RFC 8032 order). */
export function privateKeyHex(curve: 'secp256k1' | 'ed25519', x: bigint): string {
  const be = x.toString(16).padStart(64, '0');
  if (curve === 'secp256k1') return be;
  return Buffer.from(be, 'hex').reverse().toString('hex');
}
