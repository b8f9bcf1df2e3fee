/**
 * `quorate cosigner backup export` (issue 9 item 2; docs/recovery.md "Backup format"): each key
 * share this co-signer holds, encrypted to the institution's offline recovery public key with
 * `exportBackup` of @quorate/recovery (X25519 + HKDF-SHA256 + AES-256-GCM; the group metadata —
 * key id, public key, chain code, threshold, participants, public shares — is the authenticated
 * clear header). One file per share, written 0600 and never over an existing file. Every export
 * is audited before its file is written (fail closed: no audit entry, no file); the audit entry
 * names the key, the party and the recipient's fingerprint, never the share.
 */
import { constants, mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { exportBackup, parseRecoveryPublicKey, serializeBackup } from '@quorate/recovery';
import type { RecoveryPublicKey } from '@quorate/recovery';
import type { AuditLog } from '@quorate/cosigner-risk/audit';
import { ecdsaShare } from './ecdsa.ts';
import type { KeyStore } from './protocols.ts';

export class BackupExportError extends Error {
  override readonly name = 'BackupExportError';
  constructor(
    /** What went wrong: the flag or key it is about. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ExportedBackup {
  readonly keyId: string;
  readonly algorithm: string;
  readonly partyId: number;
  readonly file: string;
}

/** Parses the recovery public key (SPKI PEM or 64 hex, from `quorate recovery keygen`). */
export function recoveryRecipient(text: string, source: string): RecoveryPublicKey {
  return parseRecoveryPublicKey(text, source);
}

/** A file name that is safe whatever the key id holds (ids are the hub's, letters and digits). */
function fileName(keyId: string, partyId: number): string {
  const safe = keyId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return `${safe}.party-${partyId}.backup.json`;
}

function writeNew(path: string, text: string): void {
  // O_EXCL: an existing backup is never overwritten (choose another --out).
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BackupExportError('out', `${path} already exists: export into an empty directory`);
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Exports the shares of `keyIds` (each a key id or public key; all keys when empty) to `outDir`.
 * Throws BackupExportError('key') for an unknown key, before anything is written.
 */
export async function exportBackups(opts: {
  readonly keys: KeyStore;
  readonly recipient: RecoveryPublicKey;
  readonly outDir: string;
  readonly keyIds: readonly string[];
  readonly audit: AuditLog;
  readonly now?: Date;
}): Promise<ExportedBackup[]> {
  const { keys } = opts;
  const names =
    opts.keyIds.length === 0
      ? keys.list().map((k) => k.name)
      : opts.keyIds.map((id) => {
          const name = keys.resolve(id);
          if (name === undefined)
            throw new BackupExportError('key', `no key ${id} on this co-signer`);
          return name;
        });
  const unique = [...new Set(names)].sort();
  // Build every backup first: a share that cannot be read fails the command before any file.
  const backups = unique.map((name) => {
    const meta = keys.meta(name);
    if (meta === undefined) throw new BackupExportError('key', `key ${name} has no metadata`);
    const share =
      meta.algorithm === 'ecdsa-secp256k1'
        ? ecdsaShare(keys, name)
        : meta.algorithm === 'eddsa-ed25519' || meta.algorithm === 'schnorr-bip340'
          ? keys.frostShare(name)
          : undefined;
    if (share === undefined)
      throw new BackupExportError('key', `key ${name}: ${meta.algorithm} keys have no backup`);
    return exportBackup(share, opts.recipient, {
      keyId: name,
      ...(opts.now === undefined ? {} : { now: opts.now }),
    });
  });
  mkdirSync(opts.outDir, { recursive: true, mode: 0o700 });
  const out: ExportedBackup[] = [];
  for (const b of backups) {
    const file = join(opts.outDir, fileName(b.header.keyId, b.header.partyId));
    await opts.audit.append('backup.export', {
      keyId: b.header.keyId,
      algorithm: b.header.algorithm,
      partyId: b.header.partyId,
      recipient: opts.recipient.fingerprint,
      file,
    });
    writeNew(file, serializeBackup(b));
    out.push({
      keyId: b.header.keyId,
      algorithm: b.header.algorithm,
      partyId: b.header.partyId,
      file,
    });
  }
  return out;
}
