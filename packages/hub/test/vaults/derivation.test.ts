/** Account derivation below a vault key (vaults/derivation.ts), checked against independent code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { deriveAccount } from '../../src/vaults/derivation.ts';
import { HubError } from '../../src/http/errors.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const root = secp256k1.Point.BASE.multiply(0x1234567890abcdefn).toBytes(true);
const chainCode = new Uint8Array(32).fill(7);

test('ECDSA accounts: BIP32 public derivation and the Ethereum address, remembered', () => {
  const want = new HDKey({ publicKey: root, chainCode }).derive('m/0/5').publicKey!;
  const a = deriveAccount('ecdsa-secp256k1', hex(root), hex(chainCode), 'm/0/5');
  assert.equal(a.publicKey, hex(want));
  const addr = keccak_256(secp256k1.Point.fromBytes(want).toBytes(false).subarray(1)).subarray(12);
  assert.equal(a.address.toLowerCase(), '0x' + hex(addr));
  // The same inputs give the same (frozen) result without deriving again; other paths differ.
  assert.equal(deriveAccount('ecdsa-secp256k1', hex(root), hex(chainCode), 'm/0/5'), a);
  assert.ok(Object.isFrozen(a));
  const b = deriveAccount('ecdsa-secp256k1', hex(root), hex(chainCode), 'm/0/6');
  assert.notEqual(b.publicKey, a.publicKey);
});

test('a refused path is refused every time (errors are not remembered)', () => {
  for (let i = 0; i < 2; i++)
    assert.throws(
      () => deriveAccount('ecdsa-secp256k1', hex(root), hex(chainCode), "m/0'/1"),
      (e: unknown) => e instanceof HubError && e.field === 'path',
    );
});
