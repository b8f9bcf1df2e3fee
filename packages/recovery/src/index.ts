/**
 * @quorate/recovery — share backups encrypted to an offline recovery key, and the offline
 * recovery tool (keygen, verify, reconstruct, derive). See README.md and docs/recovery.md.
 */
export {
  ALGORITHMS,
  BACKUP_FORMAT,
  BACKUP_VERSION,
  decryptShare,
  defaultKeyId,
  exportBackup,
  parseBackup,
  serializeBackup,
  shareMaterial,
} from './backup.ts';
export type { Algorithm, Backup, BackupHeader, ExportOptions, ShareMaterial } from './backup.ts';
export {
  ENCRYPTION_SCHEME,
  fingerprintOf,
  generateRecoveryKeyPair,
  parseRecoveryPrivateKey,
  parseRecoveryPublicKey,
} from './recovery-key.ts';
export type { RecoveryKeyPair, RecoveryPrivateKey, RecoveryPublicKey } from './recovery-key.ts';
export {
  checkGroupPublicData,
  deriveChild,
  openBackups,
  privateKeyHex,
  reconstruct,
  verifyBackups,
} from './recover.ts';
export type {
  BackupFile,
  DerivedKey,
  OpenedBackups,
  RecoveredKey,
  VerifyReport,
} from './recover.ts';
export { addressesOf, evmAddress, p2trAddress, p2wpkhAddress, solanaAddress } from './addresses.ts';
export type { Addresses, BitcoinNetwork } from './addresses.ts';
export * from './errors.ts';
export { recoveryCommand } from './cli.ts';
