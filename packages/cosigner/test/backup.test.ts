/**
 * `quorate cosigner backup export` (issue 9 item 2) end to end on temp data dirs (key-file seal):
 * three co-signers are initialized, each holds its share of a CGGMP21 key (committed 2-of-3
 * fixtures) and of a FROST Ed25519 key (seeded dealer split); each exports to the recovery public
 * key from `quorate recovery keygen`; then `quorate recovery verify` and `reconstruct` over the
 * files of t = 2 co-signers rebuild keys whose public keys are the stored ones. The export is
 * audited; --key selects, an unknown key and a wrong recovery key file are usage errors, an
 * existing file is never overwritten.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserializeKeyShare, serializeKeyShare } from '@quorate/cggmp21';
import { dealerSplit, getSuite } from '@quorate/frost';
import { deterministicRng } from '@quorate/runtime/harness';
import { recoveryCommand } from '@quorate/recovery';
import { cosignerCommand } from '../src/cli.ts';
import { writeKeyFileConfig } from './helpers/config-file.ts';
import { loadConfig } from '../src/config.ts';
import { KeyStore } from '../src/protocols.ts';
import { openStore, sealFromConfig } from '../src/state.ts';
import { schemaOfCommittee } from '../src/clique.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function run(
  fn: typeof cosignerCommand | typeof recoveryCommand,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  return fn(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, {}).then((code) => ({
    code,
    out: out.join('\n'),
    err: err.join('\n'),
  }));
}

const ecdsaFixture = () => {
  const file = new URL('../../cggmp21/test/fixtures/shares-2-of-3-2048.json', import.meta.url);
  const { shares } = JSON.parse(readFileSync(file, 'utf8')) as { shares: string[] };
  return shares.map((s) => deserializeKeyShare(new TextEncoder().encode(s)));
};

describe('quorate cosigner backup export', () => {
  let dir: string;
  const cfgFiles: string[] = [];
  const ecdsa = ecdsaFixture();
  const frost = [
    ...dealerSplit({
      suite: 'ed25519',
      threshold: 2,
      parties: [1, 2, 3],
      rng: deterministicRng('cosigner/backup-test'),
    }).values(),
  ];
  const ecdsaPub = hex(ecdsa[0]!.core.publicKey.toBytes(true));
  const frostPub = hex(getSuite('ed25519').encodePoint(frost[0]!.publicKey));
  let pub: string;
  let priv: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorate-cosigner-backup-'));
    const kg = await run(recoveryCommand, ['keygen', '--out', join(dir, 'recovery')]);
    assert.equal(kg.code, 0, kg.err);
    pub = join(dir, 'recovery', 'recovery-key.pub.pem');
    priv = join(dir, 'recovery', 'recovery-key.pem');
    const participants = [1, 2, 3].map((partyId) => ({
      partyId,
      cosignerId: `cs-${partyId}`,
      role: partyId === 1 ? ('primary' as const) : ('guard' as const),
      set: partyId === 1 ? null : `S${partyId}`,
      identity: { signing: '00'.repeat(32), encryption: '00'.repeat(32) },
    }));
    // The key's schema as stored at keygen (only carried as metadata here).
    const schema = schemaOfCommittee(participants.slice(0, 2), 2);
    for (let i = 0; i < 3; i++) {
      const cs = join(dir, `cs-${i + 1}`);
      mkdirSync(cs, { recursive: true });
      const cfgFile = writeKeyFileConfig(cs);
      cfgFiles.push(cfgFile);
      const init = await run(cosignerCommand, ['init', '--config', cfgFile, '--generate-key-file']);
      assert.equal(init.code, 0, init.err);
      const cfg = loadConfig(cfgFile, {});
      const opened = await openStore(cfg, sealFromConfig(cfg, {}));
      try {
        const keys = new KeyStore(opened.store);
        const e = ecdsa[i]!;
        keys.save('vault-eth', 'cggmp21', serializeKeyShare(e), {
          algorithm: 'ecdsa-secp256k1',
          publicKey: ecdsaPub,
          chainCode: hex(e.core.chainCode),
          schema,
        });
        keys.saveFrost('vault-sol', frost[i]!, {
          algorithm: 'eddsa-ed25519',
          publicKey: frostPub,
          chainCode: hex(frost[i]!.chainCode),
          schema,
        });
      } finally {
        opened.close();
      }
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each co-signer exports its two shares (0600 files), audited, nothing secret printed', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run(cosignerCommand, [
        'backup',
        'export',
        '--config',
        cfgFiles[i]!,
        '--recovery-key',
        pub,
        '--out',
        join(dir, 'backups'),
        '--json',
      ]);
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out);
      assert.deepEqual(
        out.backups.map((b: { keyId: string; algorithm: string; partyId: number }) => [
          b.keyId,
          b.algorithm,
          b.partyId,
        ]),
        [
          ['vault-eth', 'ecdsa-secp256k1', ecdsa[i]!.core.i],
          ['vault-sol', 'frost-ed25519', frost[i]!.self],
        ],
      );
      for (const b of out.backups as { file: string }[])
        assert.equal(statSync(b.file).mode & 0o777, 0o600);
      // The audit log names the export, the party and the recipient; the share appears nowhere.
      const audit = readFileSync(join(dir, `cs-${i + 1}`, 'data', 'audit.log'), 'utf8');
      assert.equal(audit.match(/backup\.export/g)?.length, 2);
      assert.ok(audit.includes(out.recipient));
      const secret = ecdsa[i]!.core.x.toString(16).padStart(64, '0');
      assert.ok(!audit.includes(secret) && !r.out.includes(secret));
    }
    assert.equal(readdirSync(join(dir, 'backups')).length, 6);
  });

  test('recovery verify and reconstruct over t = 2 co-signers’ files rebuild both keys', async () => {
    for (const [keyId, publicKey] of [
      ['vault-eth', ecdsaPub],
      ['vault-sol', frostPub],
    ] as const) {
      const files = [1, 3].map((p) => join(dir, 'backups', `${keyId}.party-${p}.backup.json`));
      const v = await run(recoveryCommand, ['verify', '--key', priv, '--json', ...files]);
      assert.equal(v.code, 0, v.err);
      const rec = await run(recoveryCommand, ['reconstruct', '--key', priv, '--json', ...files]);
      assert.equal(rec.code, 0, rec.err);
      assert.ok(rec.out.includes(publicKey), `${keyId}: the rebuilt public key is the stored one`);
      assert.ok(rec.out.includes(keyId));
      // One backup is not enough.
      const few = await run(recoveryCommand, ['reconstruct', '--key', priv, files[0]!]);
      assert.equal(few.code, 1);
      assert.match(few.err, /too-few|at least|threshold/i);
    }
  });

  test('--key selects; an unknown key or a bad recovery key file is refused before any file', async () => {
    const one = await run(cosignerCommand, [
      'backup',
      'export',
      '--config',
      cfgFiles[1]!,
      '--recovery-key',
      pub,
      '--out',
      join(dir, 'only-eth'),
      '--key',
      'vault-eth',
      '--json',
    ]);
    assert.equal(one.code, 0, one.err);
    assert.deepEqual(readdirSync(join(dir, 'only-eth')), ['vault-eth.party-2.backup.json']);

    const unknown = await run(cosignerCommand, [
      'backup',
      'export',
      '--config',
      cfgFiles[1]!,
      '--recovery-key',
      pub,
      '--out',
      join(dir, 'none'),
      '--key',
      'vault-nope',
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no key vault-nope on this co-signer/);

    writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
    const bad = await run(cosignerCommand, [
      'backup',
      'export',
      '--config',
      cfgFiles[1]!,
      '--recovery-key',
      join(dir, 'not-a-key.pem'),
      '--out',
      join(dir, 'none'),
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /not a PEM public key/);
    assert.throws(() => readdirSync(join(dir, 'none')), /ENOENT/);

    const missing = await run(cosignerCommand, ['backup', 'export', '--config', cfgFiles[1]!]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--recovery-key and --out are required/);
  });

  test('an existing backup file is never overwritten', async () => {
    const again = await run(cosignerCommand, [
      'backup',
      'export',
      '--config',
      cfgFiles[1]!,
      '--recovery-key',
      pub,
      '--out',
      join(dir, 'only-eth'),
      '--key',
      'vault-eth',
    ]);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists: export into an empty directory/);
  });
});
