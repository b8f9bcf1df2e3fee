import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassphraseSeal, DEFAULT_SCRYPT } from '../src/seals/passphrase.ts';
import { KeyFileSeal } from '../src/seals/keyfile.ts';
import {
  IntegrityError,
  KeyFileFormatError,
  KeyFilePermissionError,
  WrongSecretError,
} from '../src/errors.ts';
import { sealConformance } from './conformance/seal.ts';

// Small scrypt cost for tests; the parameters travel in the blob (production default: N = 2^17).
const FAST = { N: 1024, r: 8, p: 1 };

sealConformance('passphrase', async () => ({
  seal: new PassphraseSeal('correct horse battery staple', { scrypt: FAST }),
  other: new PassphraseSeal('correct horse battery stapler', { scrypt: FAST }),
  isWrongSecret: (e) => e instanceof WrongSecretError && e.seal === 'passphrase',
}));

sealConformance('keyfile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-keyfile-'));
  KeyFileSeal.generate(join(dir, 'a.key'));
  KeyFileSeal.generate(join(dir, 'b.key'));
  return {
    seal: new KeyFileSeal(join(dir, 'a.key')),
    other: new KeyFileSeal(join(dir, 'b.key')),
    isWrongSecret: (e) => e instanceof WrongSecretError && e.seal === 'keyfile',
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('passphrase seal', () => {
  test('unwrap uses the parameters stored in the blob, not the seal’s own', async () => {
    const k = randomBytes(32);
    const blob = await new PassphraseSeal('pw', { scrypt: FAST }).wrap(k);
    const o = JSON.parse(new TextDecoder().decode(blob)) as Record<string, unknown>;
    assert.deepEqual([o.kdf, o.N, o.r, o.p], ['scrypt', 1024, 8, 1]);
    // A seal configured with other parameters still opens it.
    assert.deepEqual(
      Buffer.from(await new PassphraseSeal('pw', { scrypt: { N: 2048, r: 4, p: 1 } }).unwrap(blob)),
      k,
    );
  });

  test('the production default is N = 2^17, r = 8, p = 1', () => {
    assert.deepEqual(DEFAULT_SCRYPT, { N: 131072, r: 8, p: 1 });
  });

  test('editing the stored parameters does not open the key', async () => {
    const blob = await new PassphraseSeal('pw', { scrypt: FAST }).wrap(randomBytes(32));
    const o = JSON.parse(new TextDecoder().decode(blob)) as Record<string, unknown>;
    o.N = 512;
    // The KDF output changes, so the check value no longer matches.
    await assert.rejects(
      new PassphraseSeal('pw').unwrap(new TextEncoder().encode(JSON.stringify(o))),
      (e: unknown) => e instanceof WrongSecretError,
    );
    o.N = 2 ** 22; // with r = 8: 4 GiB of scrypt memory, refused before deriving
    await assert.rejects(
      new PassphraseSeal('pw').unwrap(new TextEncoder().encode(JSON.stringify(o))),
      (e: unknown) => e instanceof IntegrityError && e.reason === 'bad-header',
    );
    o.N = 1000; // not a power of two
    await assert.rejects(
      new PassphraseSeal('pw').unwrap(new TextEncoder().encode(JSON.stringify(o))),
      (e: unknown) => e instanceof IntegrityError && e.reason === 'bad-header',
    );
  });

  test('the passphrase is NFC-normalized', async () => {
    const k = randomBytes(32);
    const blob = await new PassphraseSeal('caf\u00e9', { scrypt: FAST }).wrap(k);
    assert.deepEqual(
      Buffer.from(await new PassphraseSeal('cafe\u0301', { scrypt: FAST }).unwrap(blob)),
      k,
    );
  });
});

describe('key file seal', () => {
  const withDir = (fn: (dir: string) => Promise<void>) => async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-keyfile-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  for (const mode of [0o640, 0o604, 0o660, 0o644, 0o610]) {
    test(
      `a key file with mode ${mode.toString(8)} is refused before it is read`,
      withDir(async (dir) => {
        const path = join(dir, 'k');
        KeyFileSeal.generate(path);
        chmodSync(path, mode);
        const seal = new KeyFileSeal(path);
        const check = (e: unknown) =>
          e instanceof KeyFilePermissionError &&
          e.path === path &&
          e.reason === 'group-or-world-accessible' &&
          (e.mode & 0o777) === mode &&
          e.message.includes('chmod 600');
        await assert.rejects(seal.selfTest(), check);
        await assert.rejects(seal.wrap(randomBytes(32)), check);
        chmodSync(path, 0o600);
        await seal.selfTest();
      }),
    );
  }

  test(
    'generate creates mode 0600 and refuses to overwrite',
    withDir(async (dir) => {
      const path = join(dir, 'k');
      KeyFileSeal.generate(path);
      assert.throws(() => KeyFileSeal.generate(path), { code: 'EEXIST' });
    }),
  );

  test(
    'a symlink is refused (O_NOFOLLOW)',
    withDir(async (dir) => {
      KeyFileSeal.generate(join(dir, 'k'));
      symlinkSync(join(dir, 'k'), join(dir, 'link'));
      await assert.rejects(new KeyFileSeal(join(dir, 'link')).selfTest(), { code: 'ELOOP' });
    }),
  );

  test(
    'a directory is refused as not a regular file',
    withDir(async (dir) => {
      chmodSync(dir, 0o700);
      await assert.rejects(
        new KeyFileSeal(dir).selfTest(),
        (e: unknown) => e instanceof KeyFilePermissionError && e.reason === 'not-a-regular-file',
      );
    }),
  );

  test(
    'contents other than 64 hex digits are refused with KeyFileFormatError',
    withDir(async (dir) => {
      for (const body of ['', 'abc', 'zz'.repeat(32), '00'.repeat(33), '00'.repeat(32) + '\n\n']) {
        const path = join(dir, `k${body.length}`);
        writeFileSync(path, body, { mode: 0o600 });
        await assert.rejects(
          new KeyFileSeal(path).selfTest(),
          (e: unknown) => e instanceof KeyFileFormatError && e.path === path,
        );
      }
      const ok = join(dir, 'ok');
      writeFileSync(ok, 'AB'.repeat(32), { mode: 0o600 });
      await new KeyFileSeal(ok).selfTest();
    }),
  );
});
