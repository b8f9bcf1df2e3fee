/**
 * Typed errors of the secrets store. Every failure the co-signer can act on has its own class with
 * the fields that name what failed (a record, a file, a PKCS#11 function), never a secret value.
 * Callers branch with `instanceof` or on `code`.
 */

export type SecretsErrorCode =
  | 'sealed'
  | 'not-initialized'
  | 'already-initialized'
  | 'integrity'
  | 'invalid-record-id'
  | 'invalid-seal-blob'
  | 'wrong-secret'
  | 'key-file-permissions'
  | 'key-file-format'
  | 'hsm'
  | 'pin-incorrect'
  | 'pin-locked'
  | 'mechanism-not-allowed'
  | 'self-test-failed'
  | 'store-locked'
  | 'not-found'
  | 'already-consumed'
  | 'rollback'
  | 'counter';

export abstract class SecretsError extends Error {
  abstract readonly code: SecretsErrorCode;
}

/** The barrier is sealed: no record can be read or written until it is unsealed through a seal. */
export class SealedError extends SecretsError {
  override readonly name = 'SealedError';
  readonly code = 'sealed';
  constructor(readonly operation: string) {
    super(`secrets store is sealed: ${operation} refused; unseal it first`);
  }
}

/** The physical store holds no barrier yet (run init), or a barrier is already there (init twice). */
export class InitializationError extends SecretsError {
  override readonly name = 'InitializationError';
  readonly code: 'not-initialized' | 'already-initialized';
  constructor(initialized: boolean) {
    super(
      initialized
        ? 'secrets store is already initialized'
        : 'secrets store is not initialized (run init first)',
    );
    this.code = initialized ? 'already-initialized' : 'not-initialized';
  }
}

/**
 * A stored value failed authentication: it was modified, moved to another record id, or written
 * under a key term this keyring does not have. `key` is the physical key of the record.
 */
export class IntegrityError extends SecretsError {
  override readonly name = 'IntegrityError';
  readonly code = 'integrity';
  constructor(
    readonly key: string,
    readonly reason:
      'authentication-failed' | 'bad-header' | 'unknown-term' | 'bad-keyring' | 'bad-format',
  ) {
    super(`record ${key} failed integrity check (${reason}): tampered, moved or corrupt`);
  }
}

/** A record type, owner or id is not a valid name (`field` says which). */
export class RecordIdError extends SecretsError {
  override readonly name = 'RecordIdError';
  readonly code = 'invalid-record-id';
  constructor(
    readonly field: 'type' | 'owner' | 'id' | 'key' | 'value',
    readonly expected: string,
  ) {
    super(`invalid record ${field}: expected ${expected}`);
  }
}

/** A wrapped-key blob a seal was asked to unwrap does not parse (`field` names the bad part). */
export class SealBlobError extends SecretsError {
  override readonly name = 'SealBlobError';
  readonly code = 'invalid-seal-blob';
  constructor(
    readonly seal: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`invalid ${seal} seal blob: ${field}: expected ${expected}`);
  }
}

/** The passphrase or key file given to a seal is not the one the root key was wrapped with. */
export class WrongSecretError extends SecretsError {
  override readonly name = 'WrongSecretError';
  readonly code = 'wrong-secret';
  constructor(readonly seal: 'passphrase' | 'keyfile' | 'pkcs11') {
    super(
      seal === 'passphrase'
        ? 'wrong passphrase: the root key was sealed with a different passphrase'
        : seal === 'keyfile'
          ? 'wrong key file: the root key was sealed with a different key file'
          : 'wrong HSM key: the root key was sealed with a different key on the token',
    );
  }
}

/** A key file is readable by group or others (or not owned by us): refused, nothing was read. */
export class KeyFilePermissionError extends SecretsError {
  override readonly name = 'KeyFilePermissionError';
  readonly code = 'key-file-permissions';
  constructor(
    readonly path: string,
    readonly mode: number,
    readonly reason: 'group-or-world-accessible' | 'wrong-owner' | 'not-a-regular-file',
  ) {
    super(
      reason === 'group-or-world-accessible'
        ? `key file ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}; it must not be accessible by group or others (chmod 600 ${path})`
        : reason === 'wrong-owner'
          ? `key file ${path} is not owned by the user running the co-signer`
          : `key file ${path} is not a regular file`,
    );
  }
}

/** A key file does not hold exactly 64 hex digits (32 bytes). */
export class KeyFileFormatError extends SecretsError {
  override readonly name = 'KeyFileFormatError';
  readonly code = 'key-file-format';
  constructor(readonly path: string) {
    super(`key file ${path} must hold exactly 64 hex digits (a 32-byte key)`);
  }
}

/** A PKCS#11 call failed. `fn` is the function, `rv` the CKR_* name. */
export class HsmError extends SecretsError {
  override readonly name: string = 'HsmError';
  readonly code: 'hsm' | 'pin-incorrect' | 'pin-locked' = 'hsm';
  constructor(
    readonly fn: string,
    readonly rv: string,
    message?: string,
  ) {
    super(message ?? `PKCS#11 ${fn} failed: ${rv}`);
  }
}

/**
 * The token rejected the user PIN. The seal stops here: it never retries, and refuses any later
 * call without touching the token, so a misconfigured PIN cannot lock the token by itself.
 */
export class PinIncorrectError extends HsmError {
  override readonly name = 'PinIncorrectError';
  override readonly code = 'pin-incorrect';
  constructor(readonly tokenLabel: string) {
    super(
      'C_Login',
      'CKR_PIN_INCORRECT',
      `wrong PIN for token "${tokenLabel}": fix the configured PIN; the seal will not retry`,
    );
  }
}

/** The token's user PIN is locked (too many wrong attempts); the security officer must reset it. */
export class PinLockedError extends HsmError {
  override readonly name = 'PinLockedError';
  override readonly code = 'pin-locked';
  constructor(readonly tokenLabel: string) {
    super('C_Login', 'CKR_PIN_LOCKED', `the user PIN of token "${tokenLabel}" is locked`);
  }
}

/** A mechanism outside the seal's allow-list was configured or found in a blob. */
export class MechanismNotAllowedError extends SecretsError {
  override readonly name = 'MechanismNotAllowedError';
  readonly code = 'mechanism-not-allowed';
  constructor(
    readonly mechanism: string,
    readonly allowed: readonly string[],
  ) {
    super(`mechanism ${mechanism} is not allowed (allowed: ${allowed.join(', ')})`);
  }
}

/** A seal's start-up self-test failed; `check` names the failed check. The seal must not be used. */
export class SelfTestError extends SecretsError {
  override readonly name = 'SelfTestError';
  readonly code = 'self-test-failed';
  constructor(
    readonly seal: string,
    readonly check: string,
  ) {
    super(`${seal} seal self-test failed: ${check}`);
  }
}

/** Another process holds the store open (the SQLite database is locked exclusively). */
export class StoreLockedError extends SecretsError {
  override readonly name = 'StoreLockedError';
  readonly code = 'store-locked';
  constructor(readonly path: string) {
    super(`secrets store ${path} is in use by another process`);
  }
}

/** No such one-time material (never added, or deleted). */
export class NotFoundError extends SecretsError {
  override readonly name = 'NotFoundError';
  readonly code = 'not-found';
  constructor(readonly key: string) {
    super(`no record ${key}`);
  }
}

/** This presignature or nonce was consumed before; it must never be used again. */
export class AlreadyConsumedError extends SecretsError {
  override readonly name = 'AlreadyConsumedError';
  readonly code = 'already-consumed';
  constructor(
    readonly kind: string,
    readonly owner: string,
    readonly id: string,
  ) {
    super(`${kind} ${owner}/${id} was already consumed and cannot be used again`);
  }
}

/**
 * The database is older than the external consumption counter: it was restored from a backup or
 * swapped, and may hold presignatures or nonces that were already used. One-time material is
 * refused until an operator deletes it (see README, "Rollback").
 */
export class RollbackError extends SecretsError {
  override readonly name = 'RollbackError';
  readonly code = 'rollback';
  constructor(
    readonly databaseCounter: bigint,
    readonly externalCounter: bigint,
  ) {
    super(
      `secrets database is older than its consumption counter (database ${databaseCounter}, counter ${externalCounter}): it was restored or replaced; one-time material refused`,
    );
  }
}

/** The external consumption counter file is missing, corrupt or belongs to another store. */
export class CounterError extends SecretsError {
  override readonly name = 'CounterError';
  readonly code = 'counter';
  constructor(
    readonly path: string,
    readonly reason:
      'missing' | 'bad-header' | 'wrong-store' | 'not-monotonic' | 'exists' | 'write-failed',
  ) {
    super(`consumption counter ${path}: ${reason}`);
  }
}
