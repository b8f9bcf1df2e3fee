/**
 * Typed errors of the backup format and the recovery tool. Every error names what is wrong (the
 * file, the field, the party) and never a secret value, so the operator knows which backup or
 * key to fix. `code` is stable for scripts (`--json` prints it).
 */

export type RecoveryErrorCode =
  | 'malformed-backup'
  | 'tampered-backup'
  | 'wrong-recovery-key'
  | 'too-few-backups'
  | 'inconsistent-backups'
  | 'bad-recovery-key-file'
  | 'unsupported-share';

export class RecoveryError extends Error {
  override readonly name: string = 'RecoveryError';
  constructor(
    readonly code: RecoveryErrorCode,
    message: string,
    /** The backup file or source concerned, when there is one. */
    readonly source?: string,
  ) {
    super(source === undefined ? message : `${source}: ${message}`);
  }
}

/** The file does not follow the backup format; `field` names the first bad field. */
export class MalformedBackupError extends RecoveryError {
  override readonly name = 'MalformedBackupError';
  constructor(
    readonly field: string,
    expected: string,
    source?: string,
  ) {
    super('malformed-backup', `malformed backup: ${field}: expected ${expected}`, source);
  }
}

/** Authentication failed: the clear metadata or the ciphertext was changed after export. */
export class TamperedBackupError extends RecoveryError {
  override readonly name = 'TamperedBackupError';
  constructor(what: string, source?: string) {
    super('tampered-backup', `backup fails authentication (${what}); do not use it`, source);
  }
}

/** The backup was encrypted to another recovery key. Names both fingerprints (public). */
export class WrongRecoveryKeyError extends RecoveryError {
  override readonly name = 'WrongRecoveryKeyError';
  constructor(
    readonly expected: string,
    readonly actual: string,
    source?: string,
  ) {
    super(
      'wrong-recovery-key',
      `backup is encrypted to recovery key ${expected}, not to the given key ${actual}`,
      source,
    );
  }
}

/** Fewer distinct valid backups than the threshold. */
export class TooFewBackupsError extends RecoveryError {
  override readonly name = 'TooFewBackupsError';
  constructor(
    readonly have: number,
    readonly threshold: number,
  ) {
    super(
      'too-few-backups',
      `too few backups: ${have} distinct part${have === 1 ? 'y' : 'ies'}, the threshold is ${threshold}`,
    );
  }
}

/** Backups of different keys, duplicates, or a share that does not match the group's public data. */
export class InconsistentBackupsError extends RecoveryError {
  override readonly name = 'InconsistentBackupsError';
  constructor(
    readonly field: string,
    message: string,
    source?: string,
  ) {
    super('inconsistent-backups', `${field}: ${message}`, source);
  }
}

/** The recovery key file cannot be read (format, passphrase). */
export class RecoveryKeyFileError extends RecoveryError {
  override readonly name = 'RecoveryKeyFileError';
  constructor(message: string, source?: string) {
    super('bad-recovery-key-file', message, source);
  }
}
