/** Account derivation below a vault key (vaults/derivation.ts), checked against independent code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { deriveAccount, verifySignature } from '../../src/vaults/derivation.ts';
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

test('Ed25519 signatures are checked by OpenSSL: a good one passes, any change fails', () => {
  const sk = new Uint8Array(32).fill(3);
  const pk = ed25519.getPublicKey(sk);
  const msg = new TextEncoder().encode('a Solana message');
  const sig = ed25519.sign(msg, sk);
  assert.equal(verifySignature('eddsa-ed25519', hex(pk), hex(msg), hex(sig)), true);
  const bad = Uint8Array.from(sig);
  bad[5]! ^= 1;
  assert.equal(verifySignature('eddsa-ed25519', hex(pk), hex(msg), hex(bad)), false);
  assert.equal(verifySignature('eddsa-ed25519', hex(pk), hex(msg) + '00', hex(sig)), false);
  assert.equal(verifySignature('eddsa-ed25519', hex(pk).slice(2), hex(msg), hex(sig)), false);
  assert.equal(verifySignature('eddsa-ed25519', 'zz', hex(msg), hex(sig)), false);
  // S ≥ ℓ (a malleated signature: S + ℓ) is refused, as RFC 8032 requires.
  const L = ed25519.Point.Fn.ORDER;
  const S = BigInt('0x' + hex(sig.slice(32).reverse()));
  const big = Buffer.from((S + L).toString(16).padStart(64, '0'), 'hex').reverse();
  assert.equal(
    verifySignature('eddsa-ed25519', hex(pk), hex(msg), hex(sig.slice(0, 32)) + hex(big)),
    false,
  );
});
