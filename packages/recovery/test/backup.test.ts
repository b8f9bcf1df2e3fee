// The backup format and its failure modes: each gets its own typed error naming the problem
// (tampered metadata or ciphertext, wrong recovery key, too few backups, mixed keys, duplicate
// parties, a share that does not match its public share, malformed files, key-file problems).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { CoreKeyShare } from '@quorate/cggmp21';
import { parseBackup, serializeBackup } from '../src/backup.ts';
import type { Backup } from '../src/backup.ts';
import {
  InconsistentBackupsError,
  MalformedBackupError,
  RecoveryKeyFileError,
  TamperedBackupError,
  TooFewBackupsError,
  WrongRecoveryKeyError,
} from '../src/errors.ts';
import { reconstruct, verifyBackups } from '../src/recover.ts';
import type { BackupFile } from '../src/recover.ts';
import {
  generateRecoveryKeyPair,
  parseRecoveryPrivateKey,
  parseRecoveryPublicKey,
} from '../src/recovery-key.ts';
import { ecdsaShares, exportBackup, files, frostShares, recoveryKeys } from './helpers.ts';

const keys = recoveryKeys();
const shares = ecdsaShares(2, 3);
const backups = shares.map((s) => exportBackup(s, keys.pair.publicKey, { keyId: 'vault-1' }));

/** The backup file as plain JSON, for editing. */
interface Doc {
  [k: string]: unknown;
  ciphertext: string;
  header: { [k: string]: unknown; publicShares: string[]; chainCode?: string };
  encryption: { nonce: string; ephemeralPublicKey: string; recipient: string };
}

/** Edits the JSON of one backup file (as an attacker with write access to the file would). */
function edit(b: Backup, change: (j: Doc) => void): BackupFile {
  const j = JSON.parse(serializeBackup(b)) as Doc;
  change(j);
  return { text: JSON.stringify(j), source: `party-${b.header.partyId}.json` };
}
const flip = (h: string) => h.slice(0, -1) + (parseInt(h.slice(-1), 16) ^ 1).toString(16);

describe('format', () => {
  test('serialize → parse round trip; metadata in clear, share not', () => {
    const b = backups[0]!;
    const text = serializeBackup(b);
    assert.deepEqual(parseBackup(text), b);
    const j = JSON.parse(text);
    assert.equal(j.format, 'quorate/recovery-backup');
    assert.equal(j.version, 1);
    assert.equal(j.header.threshold, 2);
    assert.deepEqual(j.header.participants, [1, 2, 3]);
    assert.equal(j.header.algorithm, 'ecdsa-secp256k1');
    assert.equal(j.encryption.recipient, keys.pair.publicKey.fingerprint);
    assert.ok(!text.includes(shares[0]!.core.x.toString(16).padStart(64, '0')));
  });

  test('two exports of one share differ (fresh ephemeral key and nonce)', () => {
    const again = exportBackup(shares[0]!, keys.pair.publicKey, { keyId: 'vault-1' });
    assert.notDeepEqual(again.ciphertext, backups[0]!.ciphertext);
    assert.notDeepEqual(
      again.encryption.ephemeralPublicKey,
      backups[0]!.encryption.ephemeralPublicKey,
    );
  });

  test('malformed files name the field', () => {
    const cases: [(j: Doc) => void, string][] = [
      [(j) => delete j.header.chainCode, 'backup.header.chainCode'],
      [(j) => (j.header.extra = 1), 'backup.header.extra'],
      [(j) => (j.ciphertext = 'zz'), 'backup.ciphertext'],
      [(j) => (j.version = 2), 'backup.version'],
      [(j) => (j.header.algorithm = 'rsa'), 'backup.header.algorithm'],
      [(j) => (j.header.curve = 'ed25519'), 'backup.header.curve'],
      [(j) => (j.header.partyId = 9), 'backup.header.partyId'],
      [(j) => j.header.publicShares.pop(), 'backup.header.publicShares'],
      [(j) => (j.header.participants = [1, 1, 3]), 'backup.header.participants'],
      [(j) => (j.header.publicKey = '02' + '00'.repeat(32)), 'backup.header.publicKey'],
    ];
    for (const [change, field] of cases) {
      const f = edit(backups[0]!, change);
      assert.throws(
        () => parseBackup(f.text, f.source),
        (e: unknown) =>
          e instanceof MalformedBackupError &&
          e.field === field &&
          e.message.startsWith('party-1.json'),
        field,
      );
    }
    assert.throws(() => parseBackup('{', 'x'), MalformedBackupError);
  });
});

describe('tampering', () => {
  const cases: [string, (j: Doc) => void][] = [
    ['ciphertext', (j) => (j.ciphertext = flip(j.ciphertext))],
    ['nonce', (j) => (j.encryption.nonce = flip(j.encryption.nonce))],
    ['threshold', (j) => (j.header.threshold = 3)],
    ['chain code', (j) => (j.header.chainCode = flip(j.header.chainCode ?? ''))],
    ['key id', (j) => (j.header.keyId = 'vault-2')],
    ['created at', (j) => (j.header.createdAt = '2020-01-01T00:00:00.000Z')],
    [
      'ephemeral key',
      (j) => (j.encryption.ephemeralPublicKey = flip(j.encryption.ephemeralPublicKey)),
    ],
  ];
  for (const [what, change] of cases) {
    test(`${what} changed → TamperedBackupError naming the file`, () => {
      const bad = edit(backups[1]!, change);
      const set = [files([backups[0]!])[0]!, bad];
      assert.throws(
        () => reconstruct(set, keys.priv),
        (e: unknown) =>
          e instanceof TamperedBackupError &&
          e.code === 'tampered-backup' &&
          e.source === 'party-2.json',
      );
      assert.throws(() => verifyBackups(set, keys.priv), TamperedBackupError);
    });
  }
});

describe('keys and sets', () => {
  test('wrong recovery key → WrongRecoveryKeyError naming both fingerprints', () => {
    const other = recoveryKeys();
    assert.throws(
      () => reconstruct(files(backups), other.priv),
      (e: unknown) =>
        e instanceof WrongRecoveryKeyError &&
        e.expected === keys.pair.publicKey.fingerprint &&
        e.actual === other.pair.publicKey.fingerprint &&
        e.source === 'party-1.json',
    );
  });

  test('recipient rewritten to the wrong key → tampered, not decrypted', () => {
    const other = recoveryKeys();
    const bad = edit(
      backups[0]!,
      (j) => (j.encryption.recipient = other.pair.publicKey.fingerprint),
    );
    assert.throws(() => reconstruct([bad], other.priv), TamperedBackupError);
  });

  test('too few backups → TooFewBackupsError(have, threshold)', () => {
    assert.throws(
      () => reconstruct(files([backups[2]!]), keys.priv),
      (e: unknown) => e instanceof TooFewBackupsError && e.have === 1 && e.threshold === 2,
    );
    assert.throws(() => verifyBackups(files([backups[2]!]), keys.priv), TooFewBackupsError);
    const partial = verifyBackups(files([backups[2]!]), keys.priv, { requireThreshold: false });
    assert.equal(partial.recoverable, false);
    assert.throws(() => reconstruct([], keys.priv), TooFewBackupsError);
  });

  test('the same party twice does not count twice', () => {
    const again = exportBackup(shares[0]!, keys.pair.publicKey, { keyId: 'vault-1' });
    assert.throws(
      () => reconstruct(files([backups[0]!, again]), keys.priv),
      (e: unknown) => e instanceof InconsistentBackupsError && e.field === 'header.partyId',
    );
  });

  test('backups of different keys → InconsistentBackupsError naming the field', () => {
    const other = frostShares('secp256k1').map((s) =>
      exportBackup(s, keys.pair.publicKey, { keyId: 'vault-1' }),
    );
    assert.throws(
      () => reconstruct(files([backups[0]!, other[1]!]), keys.priv),
      (e: unknown) => e instanceof InconsistentBackupsError && e.field === 'header.algorithm',
    );
  });

  test('a share that does not match its public share (validly encrypted) is named', () => {
    const core = shares[1]!.core;
    const forged: CoreKeyShare = { ...core, x: core.x + 1n };
    const bad = exportBackup(forged, keys.pair.publicKey, { keyId: 'vault-1' });
    assert.throws(
      () => verifyBackups(files([backups[0]!, bad]), keys.priv),
      (e: unknown) =>
        e instanceof InconsistentBackupsError && e.field === 'share' && e.source === 'party-2.json',
    );
  });

  test('public shares that do not interpolate to the public key are refused', () => {
    const stray = secp256k1.Point.BASE.multiply(12345n);
    const forge = (s: (typeof shares)[number]): CoreKeyShare => ({
      ...s.core,
      publicShares: s.core.publicShares.map((P, n) => (n === 2 ? stray : P)),
    });
    const bad = shares
      .slice(0, 2)
      .map((s) => exportBackup(forge(s), keys.pair.publicKey, { keyId: 'vault-1' }));
    assert.throws(
      () => verifyBackups(files(bad), keys.priv),
      (e: unknown) => e instanceof InconsistentBackupsError && e.field === 'header.publicShares[2]',
    );
  });
});

describe('recovery key files', () => {
  test('passphrase-protected private key: needed, and must be right', () => {
    const pair = generateRecoveryKeyPair('correct horse battery staple');
    assert.match(pair.privateKeyPem, /ENCRYPTED PRIVATE KEY/);
    assert.throws(() => parseRecoveryPrivateKey(pair.privateKeyPem), RecoveryKeyFileError);
    assert.throws(
      () => parseRecoveryPrivateKey(pair.privateKeyPem, 'wrong passphrase!!'),
      (e: unknown) => e instanceof RecoveryKeyFileError && /wrong passphrase/.test(e.message),
    );
    const k = parseRecoveryPrivateKey(pair.privateKeyPem, 'correct horse battery staple');
    assert.equal(k.publicKey.fingerprint, pair.publicKey.fingerprint);
    assert.throws(() => generateRecoveryKeyPair('short'), RecoveryKeyFileError);
  });

  test('public key from PEM or raw hex; other key types refused', async () => {
    const fromPem = parseRecoveryPublicKey(keys.pair.publicKeyPem);
    const fromHex = parseRecoveryPublicKey(Buffer.from(keys.pair.publicKey.raw).toString('hex'));
    assert.equal(fromPem.fingerprint, keys.pair.publicKey.fingerprint);
    assert.equal(fromHex.fingerprint, keys.pair.publicKey.fingerprint);
    const { generateKeyPairSync } = await import('node:crypto');
    const ed = generateKeyPairSync('ed25519');
    assert.throws(
      () => parseRecoveryPublicKey(ed.publicKey.export({ format: 'pem', type: 'spki' }) as string),
      RecoveryKeyFileError,
    );
    assert.throws(
      () =>
        parseRecoveryPrivateKey(ed.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
      RecoveryKeyFileError,
    );
    assert.throws(() => parseRecoveryPublicKey('hello'), RecoveryKeyFileError);
  });
});
