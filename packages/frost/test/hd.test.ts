import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { deriveEd25519, deriveSecp256k1, DerivationPathError } from '@quorate/hd';
import type { KeyShare } from '../src/keyshare.ts';
import { signingKey } from '../src/taproot.ts';
import { hex, runDkg, runSign, te } from './helpers.ts';

// Each derived public key must be the key the derived shares actually sign for.
describe('HD derivation', () => {
  test('Ed25519 additive scheme: m/0/5 and m/7 sign under the derived key', () => {
    const shares = runDkg('ed25519', 2, 3, 'hd-ed');
    const root = shares.get(1) as KeyShare;
    for (const path of ['m/0/5', 'm/7']) {
      const expected = deriveEd25519(root.publicKey.toBytes(), root.chainCode, path).publicKey;
      for (const s of shares.values())
        assert.equal(hex(signingKey(s, { path }).publicKey.toBytes()), hex(expected));
      const msg = te(`withdraw via ${path}`);
      const r = runSign(shares, [1, 3], msg, { config: () => ({ key: { path } }) });
      assert.equal(r.errors.size, 0);
      const sig = (r.outputs.get(1) as { signature: Uint8Array }).signature;
      assert.ok(ed25519.verify(sig, msg, expected));
      const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), expected]);
      assert.ok(
        nodeVerify(null, msg, createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig),
      );
      assert.equal(ed25519.verify(sig, msg, root.publicKey.toBytes()), false);
    }
  });

  test('Taproot: BIP32 on the untweaked internal key, then the BIP86 tweak', () => {
    const shares = runDkg('secp256k1-tr', 2, 3, 'hd-tr');
    const root = shares.get(2) as KeyShare;
    const path = 'm/0/5';
    const d = deriveSecp256k1(root.publicKey.toBytes(true), root.chainCode, path);
    const internal = d.publicKey.subarray(1);
    const t = BigInt('0x' + hex(schnorr.utils.taggedHash('TapTweak', internal)));
    const Q = schnorr.Point.fromBytes(Uint8Array.of(2, ...internal)).add(
      schnorr.Point.BASE.multiply(t),
    );
    const outputKey = Q.toBytes(true).subarray(1);
    const msg = new Uint8Array(32).fill(3);
    // Untweaked: BIP340 under the derived internal key; tweaked: under the output key.
    for (const [key, pub] of [
      [{ path }, internal],
      [{ path, merkleRoot: new Uint8Array(0) }, outputKey],
    ] as const) {
      assert.equal(hex(signingKey(root, key).publicKey.toBytes(true).subarray(1)), hex(pub));
      const r = runSign(shares, [2, 3], msg, { config: () => ({ key }) });
      assert.equal(r.errors.size, 0);
      assert.ok(
        schnorr.verify((r.outputs.get(2) as { signature: Uint8Array }).signature, msg, pub),
      );
    }
  });

  test('hardened steps are refused', () => {
    const share = runDkg('secp256k1-tr', 2, 2, 'hd-hard').get(1) as KeyShare;
    assert.throws(() => signingKey(share, { path: "m/0'" }), DerivationPathError);
  });
});
