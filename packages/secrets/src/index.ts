/**
 * @quorate/secrets: the co-signer's sealed secrets store (issue 6, items 1, 2 and 8). See README.md.
 */
export * from './errors.ts';
export type { PhysicalBackend, PhysicalReader, PhysicalTxn } from './physical.ts';
export { MemoryBackend } from './physical.ts';
export { SqliteBackend } from './sqlite.ts';
export type { SqliteBackendOptions } from './sqlite.ts';
export { Barrier, CIPHERTEXT_VERSION } from './barrier.ts';
export type { RecordRef } from './barrier.ts';
export type { Seal } from './seal.ts';
export { PassphraseSeal, DEFAULT_SCRYPT } from './seals/passphrase.ts';
export type { PassphraseSealOptions } from './seals/passphrase.ts';
export type { ScryptParams } from './seals/selftest.ts';
export { KeyFileSeal } from './seals/keyfile.ts';
export { SecretStore, RecordType } from './store.ts';
export type { SecretReader, SecretTxn } from './store.ts';
export { Pkcs11Seal, ALLOWED_MECHANISMS } from './seals/pkcs11.ts';
export type { Pkcs11SealOptions, Pkcs11Mechanism, TokenInfo } from './seals/pkcs11.ts';
export { OneTimeStore, ONE_TIME_KINDS } from './onetime.ts';
export type { OneTimeKind } from './onetime.ts';
export { FileCounter, fileCounter } from './counter.ts';
export type { MonotonicCounter, CounterSource } from './counter.ts';
