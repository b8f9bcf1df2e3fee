import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  DerivationPathError,
  deriveEd25519,
  deriveSecp256k1,
  formatPath,
  parsePath,
} from '../src/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const seedScalar = (label: string, n: bigint) =>
  (BigInt('0x' + hex(sha256(new TextEncoder().encode(label)))) % (n - 1n)) + 1n;

describe('paths', () => {
  test('parse and format', () => {
    assert.deepEqual(parsePath('m'), []);
    assert.deepEqual(parsePath('m/0/5/2147483647'), [0, 5, 2147483647]);
    assert.equal(formatPath([0, 5]), 'm/0/5');
  });
  for (const [path, field] of [
    ["m/0'", 'path[0]'],
    ['m/1/5h', 'path[1]'],
    ['m/2147483648', 'path[0]'],
    ['m/01', 'path[0]'],
    ['m/-1', 'path[0]'],
    ['0/1', 'path'],
    ['m/', 'path[0]'],
  ] as const) {
    test(`rejects ${path} naming ${field}`, () => {
      assert.throws(
        () => parsePath(path),
        (e: unknown) => e instanceof DerivationPathError && e.field === field,
      );
    });
  }
});

describe('BIP32 non-hardened (secp256k1)', () => {
  const N = secp256k1.Point.Fn.ORDER;
  const root = seedScalar('hd-root', N);
  const rootPub = secp256k1.Point.BASE.multiply(root).toBytes(true);
  const chainCode = sha256(new TextEncoder().encode('hd-chain'));
  const xpub = new HDKey({ publicKey: rootPub, chainCode });
  for (const path of ['m', 'm/0', 'm/0/5', 'm/44/0/0/1/7', 'm/2147483647/1']) {
    test(`${path}: equals @scure/bip32's public derivation; tweak moves the secret`, () => {
      const d = deriveSecp256k1(rootPub, chainCode, path);
      const ref = xpub.derive(path);
      assert.equal(hex(d.publicKey), hex(ref.publicKey as Uint8Array));
      assert.equal(hex(d.chainCode), hex(ref.chainCode as Uint8Array));
      const child = secp256k1.Point.BASE.multiply((root + d.tweak) % N || N).toBytes(true);
      if (path !== 'm') assert.equal(hex(child), hex(d.publicKey));
      assert.equal(d.steps.length, parsePath(path).length);
    });
  }
  test('Shamir shares plus the tweak interpolate to the child key (2-of-3)', () => {
    const a1 = seedScalar('coef', N);
    const f = (x: bigint) => (root + a1 * x) % N;
    const d = deriveSecp256k1(rootPub, chainCode, 'm/0/5');
    const s1 = (f(1n) + d.tweak) % N;
    const s3 = (f(3n) + d.tweak) % N;
    const inv = (x: bigint) => secp256k1.Point.Fn.inv(((x % N) + N) % N);
    const l1 = (3n * inv(3n - 1n)) % N;
    const l3 = (1n * inv(1n - 3n)) % N;
    const k = (((l1 * s1 + l3 * s3) % N) + N) % N;
    assert.equal(hex(secp256k1.Point.BASE.multiply(k).toBytes(true)), hex(d.publicKey));
  });
  test('rejects a bad root key length and chain code length', () => {
    assert.throws(
      () => deriveSecp256k1(rootPub.slice(1), chainCode, 'm/0'),
      (e: unknown) => e instanceof DerivationPathError && e.field === 'rootPublicKey',
    );
    assert.throws(
      () => deriveSecp256k1(rootPub, chainCode.slice(1), 'm/0'),
      (e: unknown) => e instanceof DerivationPathError && e.field === 'chainCode',
    );
  });
});

describe('Ed25519 additive scheme', () => {
  const L = ed25519.Point.Fn.ORDER;
  const root = seedScalar('ed-root', L);
  const rootPub = ed25519.Point.BASE.multiply(root).toBytes();
  const chainCode = sha256(new TextEncoder().encode('ed-chain'));
  test('child key = (root secret + tweak)·B, step by step', () => {
    const d = deriveEd25519(rootPub, chainCode, 'm/0/5/9');
    assert.equal(d.steps.length, 3);
    let acc = root;
    for (const s of d.steps) {
      acc = (acc + s.tweak) % L;
      assert.equal(hex(ed25519.Point.BASE.multiply(acc).toBytes()), hex(s.publicKey));
    }
    assert.equal((root + d.tweak) % L, acc);
    assert.equal(hex(d.publicKey), hex(d.steps[2]?.publicKey as Uint8Array));
  });
  test('deterministic, and distinct per index and per chain code', () => {
    const a = deriveEd25519(rootPub, chainCode, 'm/1');
    const b = deriveEd25519(rootPub, chainCode, [1]);
    const c = deriveEd25519(rootPub, chainCode, 'm/2');
    const d = deriveEd25519(rootPub, sha256(chainCode), 'm/1');
    assert.equal(hex(a.publicKey), hex(b.publicKey));
    assert.notEqual(hex(a.publicKey), hex(c.publicKey));
    assert.notEqual(hex(a.publicKey), hex(d.publicKey));
    assert.notEqual(hex(a.chainCode), hex(c.chainCode));
  });
  test('pinned output (the scheme cannot change silently)', () => {
    const d = deriveEd25519(rootPub, chainCode, 'm/0/5');
    assert.equal(hex(d.publicKey).length, 64);
    assert.equal(hex(d.publicKey), PINNED_ED25519);
  });
});

const PINNED_ED25519 = '7a42c8ca4deb48e720282b04b12663b3c3ea09e019bb1ac0b11b1dd761560b03';

describe('remembered derivations', () => {
  const root = secp256k1.Point.BASE.multiply(seedScalar('remembered', secp256k1.Point.Fn.ORDER));
  const cc = sha256(new TextEncoder().encode('remembered chain code'));
  test('a repeated derivation gives equal values, in copies a caller cannot spoil', () => {
    for (const derive of [
      () => deriveSecp256k1(root.toBytes(true), cc, 'm/7/8'),
      () => deriveEd25519(ed25519.Point.BASE.multiply(9n).toBytes(), cc, 'm/7/8'),
    ]) {
      const first = derive();
      const again = derive();
      assert.notEqual(again, first);
      assert.deepEqual(again, first);
      first.publicKey.fill(0);
      (first.steps[0] as { chainCode: Uint8Array }).chainCode.fill(0);
      assert.deepEqual(derive(), again);
    }
    // Still @scure/bip32's answer after being remembered.
    const scure = new HDKey({ publicKey: root.toBytes(true), chainCode: cc }).derive('m/7/8');
    assert.equal(
      hex(deriveSecp256k1(root.toBytes(true), cc, [7, 8]).publicKey),
      hex(scure.publicKey!),
    );
  });
  test('a refused input is refused every time', () => {
    for (let i = 0; i < 2; i++)
      assert.throws(
        () => deriveEd25519(new Uint8Array(31), cc, 'm/1'),
        (e: unknown) => e instanceof DerivationPathError && e.field === 'rootPublicKey',
      );
  });
});
