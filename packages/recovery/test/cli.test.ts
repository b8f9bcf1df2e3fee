// `quorate recovery …` end to end on temp files: keygen (0600, passphrase), verify (nothing
// secret printed), reconstruct (private key only with --print-private-key), derive, --help on
// every command, exit codes 0 / 1 (typed error, code in --json) / 2 (usage).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeAddress } from 'ethers';
import { recoveryCommand } from '../src/cli.ts';
import { serializeBackup } from '../src/backup.ts';
import { parseRecoveryPublicKey } from '../src/recovery-key.ts';
import { ecdsaShares, exportBackup } from './helpers.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const shares = ecdsaShares(2, 3);
const pub = shares[0]!.core.publicKey.toBytes(true);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let dir: string;
let backupFiles: string[];
let keyFile: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quorate-recovery-'));
  const r = io();
  assert.equal(await recoveryCommand(['keygen', '--out', join(dir, 'k'), '--json'], r.io), 0);
  const made = JSON.parse(r.out[0]!);
  keyFile = made.privateKeyFile;
  const recipient = parseRecoveryPublicKey(readFileSync(made.publicKeyFile, 'utf8'));
  assert.equal(recipient.fingerprint, made.fingerprint);
  backupFiles = shares.map((s, n) => {
    const f = join(dir, `backup-${n + 1}.json`);
    writeFileSync(f, serializeBackup(exportBackup(s, recipient, { keyId: 'vault-1' })));
    return f;
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('quorate recovery', () => {
  test('keygen: private key file 0600, no overwrite without --force', async () => {
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const r = io();
    assert.equal(await recoveryCommand(['keygen', '--out', join(dir, 'k')], r.io), 2);
    assert.match(r.err.join(''), /--force/);
  });

  test('keygen with a passphrase; commands then need it', async () => {
    const pf = join(dir, 'pass.txt');
    writeFileSync(pf, 'a long enough passphrase\n');
    const r = io();
    assert.equal(
      await recoveryCommand(
        ['keygen', '--out', join(dir, 'p'), '--passphrase-file', pf, '--json'],
        r.io,
      ),
      0,
    );
    const made = JSON.parse(r.out[0]!);
    assert.equal(made.encrypted, true);
    assert.match(readFileSync(made.privateKeyFile, 'utf8'), /ENCRYPTED PRIVATE KEY/);
    const recipient = parseRecoveryPublicKey(readFileSync(made.publicKeyFile, 'utf8'));
    const files = shares.slice(0, 2).map((s, n) => {
      const f = join(dir, `p-${n}.json`);
      writeFileSync(f, serializeBackup(exportBackup(s, recipient)));
      return f;
    });
    const noPass = io();
    assert.equal(
      await recoveryCommand(
        ['verify', '--key', made.privateKeyFile, '--json', ...files],
        noPass.io,
      ),
      1,
    );
    assert.equal(JSON.parse(noPass.out[0]!).error.code, 'bad-recovery-key-file');
    const ok = io();
    assert.equal(
      await recoveryCommand(
        ['verify', '--key', made.privateKeyFile, '--passphrase-file', pf, ...files],
        ok.io,
      ),
      0,
    );
  });

  test('verify prints the public data and no secret', async () => {
    const r = io();
    assert.equal(
      await recoveryCommand(['verify', '--key', keyFile, '--json', ...backupFiles], r.io),
      0,
    );
    const out = JSON.parse(r.out[0]!);
    assert.equal(out.ok, true);
    assert.equal(out.publicKey, hex(pub));
    assert.deepEqual(out.present, [1, 2, 3]);
    assert.equal(out.addresses.evm, computeAddress('0x' + hex(pub)));
    for (const s of shares) assert.ok(!r.out.join('').includes(s.core.x.toString(16)));
  });

  test('reconstruct: private key only with --print-private-key', async () => {
    const quiet = io();
    assert.equal(
      await recoveryCommand(
        ['reconstruct', '--key', keyFile, '--json', ...backupFiles.slice(1)],
        quiet.io,
      ),
      0,
    );
    const q = JSON.parse(quiet.out[0]!);
    assert.equal(q.privateKey, undefined);
    assert.equal(q.addresses.evm, computeAddress('0x' + hex(pub)));
    const loud = io();
    assert.equal(
      await recoveryCommand(
        ['reconstruct', '--key', keyFile, '--json', '--print-private-key', ...backupFiles.slice(1)],
        loud.io,
      ),
      0,
    );
    const l = JSON.parse(loud.out[0]!);
    assert.equal(computeAddress('0x' + l.privateKey), q.addresses.evm);
  });

  test('derive: several paths, private keys on request', async () => {
    const r = io();
    const code = await recoveryCommand(
      [
        'derive',
        '--key',
        keyFile,
        '--path',
        'm/44/60/0/0/0',
        '--path',
        'm/0',
        '--json',
        '--print-private-key',
        ...backupFiles.slice(0, 2),
      ],
      r.io,
    );
    assert.equal(code, 0, r.err.join('\n'));
    const out = JSON.parse(r.out[0]!);
    assert.equal(out.children.length, 2);
    const c0 = out.children[0];
    assert.equal(c0.path, 'm/44/60/0/0/0');
    assert.equal(computeAddress('0x' + c0.privateKey), c0.addresses.evm);
    assert.match(c0.addresses.bitcoinP2wpkh, /^bc1q/);
  });

  test('errors: too few backups (1), hardened path and missing flags (2), --help (0)', async () => {
    const few = io();
    assert.equal(
      await recoveryCommand(['reconstruct', '--key', keyFile, '--json', backupFiles[0]!], few.io),
      1,
    );
    assert.equal(JSON.parse(few.out[0]!).error.code, 'too-few-backups');
    assert.match(few.err.join(''), /too few backups: 1 distinct party, the threshold is 2/);
    const hard = io();
    assert.equal(
      await recoveryCommand(
        ['derive', '--key', keyFile, '--path', "m/44'/0", ...backupFiles],
        hard.io,
      ),
      2,
    );
    const nokey = io();
    assert.equal(await recoveryCommand(['verify', ...backupFiles], nokey.io), 2);
    assert.match(nokey.err.join(''), /--key/);
    const unknown = io();
    assert.equal(await recoveryCommand(['bogus'], unknown.io), 2);
    for (const cmd of ['keygen', 'verify', 'reconstruct', 'derive']) {
      const h = io();
      assert.equal(await recoveryCommand([cmd, '--help'], h.io), 0);
      assert.match(h.out[0]!, new RegExp(`quorate recovery ${cmd}`));
    }
  });
});
