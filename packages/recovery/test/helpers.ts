// Shared test material: the committed CGGMP21 key-share fixtures (2-of-3 at the 2048 level),
// FROST shares from a seeded dealer split, and one recovery key pair per test file.
import { readFileSync } from 'node:fs';
import { deserializeKeyShare } from '@quorate/cggmp21';
import type { KeyShare as EcdsaKeyShare } from '@quorate/cggmp21';
import { dealerSplit } from '@quorate/frost';
import type { KeyShare as FrostKeyShare, SuiteId } from '@quorate/frost';
import { deterministicRng } from '@quorate/runtime/harness';
import { exportBackup, serializeBackup } from '../src/backup.ts';
import type { Backup } from '../src/backup.ts';
import { generateRecoveryKeyPair, parseRecoveryPrivateKey } from '../src/recovery-key.ts';
import type { RecoveryKeyPair, RecoveryPrivateKey } from '../src/recovery-key.ts';
import type { BackupFile } from '../src/recover.ts';

export function ecdsaShares(t: number, n: number): EcdsaKeyShare[] {
  const file = new URL(
    `../../cggmp21/test/fixtures/shares-${t}-of-${n}-2048.json`,
    import.meta.url,
  );
  const { shares } = JSON.parse(readFileSync(file, 'utf8')) as { shares: string[] };
  return shares.map((s) => deserializeKeyShare(new TextEncoder().encode(s)));
}

export function frostShares(suite: SuiteId, t = 2, n = 3): FrostKeyShare[] {
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  return [
    ...dealerSplit({
      suite,
      threshold: t,
      parties,
      rng: deterministicRng(`recovery/${suite}`),
    }).values(),
  ];
}

export interface RecoveryKeys {
  readonly pair: RecoveryKeyPair;
  readonly priv: RecoveryPrivateKey;
}

export function recoveryKeys(): RecoveryKeys {
  const pair = generateRecoveryKeyPair();
  return { pair, priv: parseRecoveryPrivateKey(pair.privateKeyPem) };
}

export function files(backups: readonly Backup[]): BackupFile[] {
  return backups.map((b) => ({
    text: serializeBackup(b),
    source: `party-${b.header.partyId}.json`,
  }));
}

export { exportBackup };
