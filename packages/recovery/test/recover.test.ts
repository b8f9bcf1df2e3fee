// Recovery from backups: the reconstructed key is the MPC key (same addresses, signs an EIP-1559
// transaction that recovers to the MPC address), child keys match the MPC derivation and
// @scure/bip32, Ed25519/BIP340 keys recover too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { computeAddress, Transaction, Wallet } from 'ethers';
import { deriveEd25519, deriveSecp256k1 } from '@quorate/hd';
import { evmAddress, p2trAddress, p2wpkhAddress, solanaAddress } from '../src/addresses.ts';
import { deriveChild, privateKeyHex, reconstruct, verifyBackups } from '../src/recover.ts';
import { dealerSplit } from '@quorate/frost';
import { deterministicRng } from '@quorate/runtime/harness';
import { ecdsaShares, exportBackup, files, frostShares, recoveryKeys } from './helpers.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const keys = recoveryKeys();
const shares = ecdsaShares(2, 3);
const backups = shares.map((s) => exportBackup(s, keys.pair.publicKey, { keyId: 'vault-1' }));
const mpcPublicKey = (shares[0] as (typeof shares)[number]).core.publicKey.toBytes(true);

describe('ECDSA (CGGMP21 2-of-3 fixtures)', () => {
  test('verify: every backup checks against the public key; report carries no secret', () => {
    const r = verifyBackups(files(backups), keys.priv);
    assert.deepEqual(r.present, [1, 2, 3]);
    assert.equal(r.recoverable, true);
    assert.equal(r.keyId, 'vault-1');
    assert.equal(r.publicKey, hex(mpcPublicKey));
    assert.equal(r.addresses.evm, computeAddress('0x' + hex(mpcPublicKey)));
    const text = JSON.stringify(r);
    for (const s of shares) assert.ok(!text.includes(s.core.x.toString(16)));
  });

  test('any 2 of the 3 backups rebuild the same key, whose address is the MPC address', () => {
    const mpcAddress = computeAddress('0x' + hex(mpcPublicKey));
    for (const pick of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const root = reconstruct(files(pick.map((i) => backups[i]!)), keys.priv);
      assert.deepEqual(secp256k1.Point.BASE.multiply(root.privateKey).toBytes(true), mpcPublicKey);
      const wallet = new Wallet('0x' + privateKeyHex('secp256k1', root.privateKey));
      assert.equal(wallet.address, mpcAddress);
      assert.equal(evmAddress(mpcPublicKey), mpcAddress);
    }
  });

  test('the recovered key signs an EIP-1559 transaction that recovers to the MPC address', async () => {
    const root = reconstruct(files(backups.slice(1)), keys.priv);
    const wallet = new Wallet('0x' + privateKeyHex('secp256k1', root.privateKey));
    const signed = await wallet.signTransaction({
      type: 2,
      chainId: 1,
      nonce: 7,
      to: '0x000000000000000000000000000000000000dEaD',
      value: 10n ** 15n,
      gasLimit: 21000n,
      maxFeePerGas: 30n * 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const tx = Transaction.from(signed);
    assert.equal(tx.from, computeAddress('0x' + hex(mpcPublicKey)));
  });

  test('derive m/44/60/0/0/0: child key = MPC child public key = @scure/bip32 from the root', () => {
    const root = reconstruct(files(backups.slice(0, 2)), keys.priv);
    const path = 'm/44/60/0/0/0';
    const child = deriveChild(root, path);
    const mpc = deriveSecp256k1(mpcPublicKey, root.chainCode, path);
    assert.deepEqual(child.publicKey, mpc.publicKey);
    const hd = new HDKey({
      privateKey: Uint8Array.from(Buffer.from(privateKeyHex('secp256k1', root.privateKey), 'hex')),
      chainCode: root.chainCode,
    }).derive(path);
    assert.equal(privateKeyHex('secp256k1', child.privateKey), hex(hd.privateKey!));
    assert.equal(child.addresses.evm, computeAddress('0x' + hex(mpc.publicKey)));
    assert.equal(child.addresses.bitcoinP2wpkh, p2wpkhAddress(mpc.publicKey));
    assert.equal(new Wallet('0x' + hex(hd.privateKey!)).address, child.addresses.evm);
  });
});

describe('addresses (spec vectors)', () => {
  const G = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
  test('BIP173: P2WPKH of the generator', () => {
    assert.equal(
      p2wpkhAddress(Buffer.from(G, 'hex')),
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    );
    assert.equal(
      p2wpkhAddress(Buffer.from(G, 'hex'), 'testnet'),
      'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx',
    );
  });
  test('BIP86: first receiving address', () => {
    const internal = '02cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115';
    assert.equal(
      p2trAddress(Buffer.from(internal, 'hex')),
      'bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr',
    );
  });
  test('EIP-55 checksum of the generator’s address', () => {
    assert.equal(evmAddress(Buffer.from(G, 'hex')), computeAddress('0x' + G));
  });
});

describe('FROST keys', () => {
  test('Ed25519: imported secret comes back; child scalar matches the additive derivation', () => {
    const secret = 0x1234567890abcdefn;
    const parties = [1, 2, 3, 4, 5];
    const split = dealerSplit({
      suite: 'ed25519',
      threshold: 3,
      parties,
      secret,
      rng: deterministicRng('ed'),
    });
    const bs = [...split.values()].map((s) => exportBackup(s, keys.pair.publicKey));
    assert.equal(bs[0]!.header.algorithm, 'frost-ed25519');
    const root = reconstruct(files([bs[4]!, bs[1]!, bs[2]!]), keys.priv);
    assert.equal(root.privateKey, secret);
    const child = deriveChild(root, 'm/0/7');
    const mpc = deriveEd25519(root.publicKey, root.chainCode, 'm/0/7');
    assert.deepEqual(ed25519.Point.BASE.multiply(child.privateKey).toBytes(), mpc.publicKey);
    assert.equal(child.addresses.solana, solanaAddress(mpc.publicKey));
    assert.equal(child.addresses.evm, undefined);
  });

  test('BIP340: root key recovers, P2TR address of the internal key is reported', () => {
    const bs = frostShares('secp256k1-tr').map((s) => exportBackup(s, keys.pair.publicKey));
    const r = verifyBackups(files(bs.slice(0, 2)), keys.priv);
    assert.equal(r.algorithm, 'frost-secp256k1-tr');
    assert.equal(r.addresses.bitcoinP2tr, p2trAddress(bs[0]!.header.publicKey));
    const root = reconstruct(files(bs.slice(1)), keys.priv);
    assert.deepEqual(
      secp256k1.Point.BASE.multiply(root.privateKey).toBytes(true),
      bs[0]!.header.publicKey,
    );
  });
});
