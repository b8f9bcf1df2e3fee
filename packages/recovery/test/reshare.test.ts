// Backups across a reshare: the new committee's backups recover the same key; an old-epoch
// backup cannot be mixed with new ones (its public data differs), so it is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frostOldKeyPublic, frostReshare } from '@quorate/frost';
import type { KeyShare } from '@quorate/frost';
import { simulate } from '@quorate/runtime/harness';
import { InconsistentBackupsError } from '../src/errors.ts';
import { reconstruct } from '../src/recover.ts';
import { exportBackup, files, frostShares, recoveryKeys } from './helpers.ts';

test('backups after a 2-of-3 → 3-of-4 reshare recover the same key; old ones do not mix', () => {
  const keys = recoveryKeys();
  const old = frostShares('ed25519');
  const byId = new Map(old.map((s) => [s.self, s]));
  const r = simulate(frostReshare('ed25519'), {
    parties: [1, 2, 3, 4],
    config: (p) => ({
      oldKey: frostOldKeyPublic(old[0] as KeyShare),
      ...(p <= 2 ? { oldShare: byId.get(p) as KeyShare } : {}),
      dealers: [1, 2],
      newParties: [1, 2, 3, 4],
      newThreshold: 3,
    }),
    seed: 'recovery-reshare',
  });
  assert.equal(r.errors.size, 0);
  const fresh = [...r.outputs.values()].map((o) => o.share as KeyShare);
  const oldBackups = old.map((s) => exportBackup(s, keys.pair.publicKey));
  const newBackups = fresh.map((s) => exportBackup(s, keys.pair.publicKey));
  const before = reconstruct(files(oldBackups.slice(0, 2)), keys.priv);
  const after = reconstruct(files(newBackups.slice(1)), keys.priv);
  assert.equal(after.privateKey, before.privateKey);
  assert.equal(newBackups[0]?.header.keyId, oldBackups[0]?.header.keyId);
  assert.throws(
    () => reconstruct(files([newBackups[0]!, newBackups[1]!, oldBackups[2]!]), keys.priv),
    (e: unknown) => e instanceof InconsistentBackupsError && e.field === 'header.threshold',
  );
});
