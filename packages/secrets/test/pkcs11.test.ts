/**
 * The PKCS#11 seal against a REAL SoftHSM2 token, created by this test in a temp dir.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Pkcs11Seal } from '../src/seals/pkcs11.ts';
import type { Pkcs11SealOptions } from '../src/seals/pkcs11.ts';
import {
  HsmError,
  MechanismNotAllowedError,
  PinIncorrectError,
  SelfTestError,
  WrongSecretError,
} from '../src/errors.ts';
import { MemoryBackend } from '../src/physical.ts';
import { SecretStore } from '../src/store.ts';
import { sealConformance } from './conformance/seal.ts';
import { softHsm } from './softhsm.ts';
import type { SoftHsm } from './softhsm.ts';

const MAIN = { label: 'quorate-main', pin: '123456', soPin: '87654321' };
const SPARE = { label: 'quorate-spare', pin: '246810', soPin: '13579111' };

// Tokens must exist before the module is first loaded (SoftHSM reads its slots at C_Initialize).
const hsm: SoftHsm = softHsm([MAIN, SPARE]);
const opts = (o: Partial<Pkcs11SealOptions> = {}): Pkcs11SealOptions => ({
  library: hsm.library,
  tokenLabel: MAIN.label,
  pin: MAIN.pin,
  keyLabel: 'root-wrap',
  ...o,
});

// An extractable, non-sensitive AES key the seal must refuse, made directly through pkcs11js in a
// child process so that this process's module state stays the seal's own.
execFileSync(
  process.execPath,
  [
    '-e',
    `const p = require('pkcs11js'); const m = new p.PKCS11(); m.load(${JSON.stringify(hsm.library)}); m.C_Initialize();
     const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === ${JSON.stringify(MAIN.label)});
     const s = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION); m.C_Login(s, p.CKU_USER, ${JSON.stringify(MAIN.pin)});
     m.C_GenerateKey(s, { mechanism: p.CKM_AES_KEY_GEN }, [
       { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY }, { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
       { type: p.CKA_VALUE_LEN, value: 32 }, { type: p.CKA_LABEL, value: 'weak-key' }, { type: p.CKA_TOKEN, value: true },
       { type: p.CKA_SENSITIVE, value: false }, { type: p.CKA_EXTRACTABLE, value: true },
       { type: p.CKA_ENCRYPT, value: true }, { type: p.CKA_DECRYPT, value: true } ]);
     m.C_Logout(s); m.C_CloseSession(s); m.C_Finalize();`,
  ],
  { env: { ...process.env, SOFTHSM2_CONF: hsm.conf }, cwd: join(import.meta.dirname, '..') },
);

const main = new Pkcs11Seal(opts());
const other = new Pkcs11Seal(opts({ keyLabel: 'other-wrap' }));
main.generateKey();
other.generateKey();

after(() => {
  main.close();
  other.close();
  hsm.cleanup();
});

sealConformance('pkcs11 (SoftHSM2)', async () => ({
  seal: main,
  other,
  isWrongSecret: (e) => e instanceof WrongSecretError && e.seal === 'pkcs11',
}));

describe('pkcs11 seal', () => {
  test('the token is a real SoftHSM2 token, the one this test initialized', () => {
    const info = main.tokenInfo();
    assert.equal(info.libraryManufacturer, 'SoftHSM');
    assert.equal(info.tokenManufacturer, 'SoftHSM project');
    assert.equal(info.tokenModel, 'SoftHSM v2');
    assert.equal(info.tokenLabel, MAIN.label);
    assert.match(info.tokenSerial, /^[0-9a-f]{16}$/);
    assert.equal(info.tokenSerial, hsm.serials.get(MAIN.label));
    // The token lives in our temp dir, and now holds the key objects the seal created.
    const tokenDirs = readdirSync(join(hsm.dir, 'tokens'));
    assert.equal(tokenDirs.length, 2);
    const objects = tokenDirs.flatMap((d) =>
      readdirSync(join(hsm.dir, 'tokens', d)).filter((f) => f.endsWith('.object')),
    );
    assert.ok(objects.length >= 3, `expected the key objects on disk, found ${objects.length}`);
  });

  test('a wrong PIN gives PinIncorrectError once and the seal stops without retrying', async () => {
    const bad = new Pkcs11Seal(opts({ tokenLabel: SPARE.label, pin: '000000' }));
    let first: unknown;
    await assert.rejects(bad.selfTest(), (e: unknown) => {
      first = e;
      return (
        e instanceof PinIncorrectError &&
        e instanceof HsmError &&
        e.code === 'pin-incorrect' &&
        e.fn === 'C_Login' &&
        e.rv === 'CKR_PIN_INCORRECT' &&
        e.tokenLabel === SPARE.label &&
        !e.message.includes('000000')
      );
    });
    // Every later call rethrows the same error object: no second C_Login was attempted.
    await assert.rejects(bad.wrap(randomBytes(32)), (e: unknown) => e === first);
    await assert.rejects(bad.unwrap(new Uint8Array(1)), (e: unknown) => e === first);
    assert.throws(
      () => bad.tokenInfo(),
      (e: unknown) => e === first,
    );
    bad.close();
    // The right PIN on that token works (its retry state is untouched by the stopped seal).
    const good = new Pkcs11Seal(
      opts({ tokenLabel: SPARE.label, pin: SPARE.pin, keyLabel: 'spare-wrap' }),
    );
    good.generateKey();
    await good.selfTest();
    good.close();
  });

  test('a wrong PIN is refused even while another seal of this process is logged in to the token', async () => {
    await main.selfTest(); // main is logged in; the token would answer CKR_USER_ALREADY_LOGGED_IN
    const bad = new Pkcs11Seal(opts({ pin: '999999' }));
    await assert.rejects(
      bad.selfTest(),
      (e: unknown) => e instanceof PinIncorrectError && e.tokenLabel === MAIN.label,
    );
    bad.close();
    await main.selfTest();
  });

  test('mechanisms outside the allow-list are refused, configured or stored', async () => {
    for (const m of ['CKM_AES_CBC_PAD', 'CKM_AES_ECB', 'CKM_AES_KEY_WRAP_PAD'])
      assert.throws(
        () => new Pkcs11Seal(opts({ mechanism: m })),
        (e: unknown) =>
          e instanceof MechanismNotAllowedError &&
          e.mechanism === m &&
          e.allowed.join() === 'CKM_AES_GCM',
      );
    const blob = JSON.parse(new TextDecoder().decode(await main.wrap(randomBytes(32)))) as Record<
      string,
      unknown
    >;
    blob.mech = 'CKM_AES_ECB';
    await assert.rejects(
      main.unwrap(new TextEncoder().encode(JSON.stringify(blob))),
      (e: unknown) => e instanceof MechanismNotAllowedError && e.mechanism === 'CKM_AES_ECB',
    );
  });

  test('self-test refuses an extractable, non-sensitive key', async () => {
    const weak = new Pkcs11Seal(opts({ keyLabel: 'weak-key' }));
    await assert.rejects(
      weak.selfTest(),
      (e: unknown) =>
        e instanceof SelfTestError &&
        e.seal === 'pkcs11' &&
        e.check === 'wrapping key is not sensitive',
    );
    weak.close();
  });

  test('a missing key or token is a clear HsmError', async () => {
    const noKey = new Pkcs11Seal(opts({ keyLabel: 'no-such-key' }));
    await assert.rejects(
      noKey.selfTest(),
      (e: unknown) => e instanceof HsmError && e.fn === 'C_FindObjects' && e.rv === 'KEY_NOT_FOUND',
    );
    noKey.close();
    const noToken = new Pkcs11Seal(opts({ tokenLabel: 'no-such-token' }));
    await assert.rejects(
      noToken.selfTest(),
      (e: unknown) => e instanceof HsmError && e.rv === 'TOKEN_NOT_FOUND',
    );
    noToken.close();
  });

  test('generateKey refuses to create a second key with the same label', () => {
    assert.throws(
      () => main.generateKey(),
      (e: unknown) => e instanceof HsmError && e.rv === 'KEY_EXISTS',
    );
  });

  test('a store sealed by the token opens with a fresh seal instance', async () => {
    const backend = new MemoryBackend();
    const s = await SecretStore.create(backend, main);
    s.putKeyShare('w', 's', new Uint8Array([1, 2, 3]));
    s.seal();
    const fresh = new Pkcs11Seal(opts());
    const t = await SecretStore.open(backend, fresh);
    assert.deepEqual(t.getKeyShare('w', 's'), new Uint8Array([1, 2, 3]));
    fresh.close();
    await assert.rejects(
      SecretStore.open(backend, other),
      (e: unknown) => e instanceof WrongSecretError && e.seal === 'pkcs11',
    );
  });
});
