// The README's first command, run as a user would: `quorate sim ecdsa … --json`, with fresh safe
// primes; the printed signature is checked by @noble/curves and OpenSSL (node:crypto).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';

const bin = fileURLToPath(new URL('../bin/quorate.js', import.meta.url));

test('sim ecdsa 2-of-3 at the 2048 level with a BIP32 path prints a verifying signature', () => {
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'sim',
      'ecdsa',
      '--threshold',
      '2',
      '--parties',
      '3',
      '--signers',
      '1,3',
      '--message',
      'hello',
      '--level',
      '2048',
      '--path',
      'm/0/5',
      '--json',
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /primes: 6\/6/);
  const out = JSON.parse(r.stdout);
  assert.equal(out.algorithm, 'ecdsa-secp256k1');
  assert.deepEqual(out.signers, [1, 3]);
  assert.equal(out.digest, Buffer.from(sha256(new TextEncoder().encode('hello'))).toString('hex'));
  assert.equal(out.message, Buffer.from('hello').toString('hex'));
  assert.notEqual(out.derivedPublicKey, out.publicKey);
  const pub = Buffer.from(out.derivedPublicKey, 'hex');
  const sig = Buffer.from(out.r + out.s, 'hex');
  assert.ok(secp256k1.verify(sig, Buffer.from(out.digest, 'hex'), pub, { prehash: false }));
  const spki = Buffer.concat([
    Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'),
    secp256k1.Point.fromBytes(pub).toBytes(false),
  ]);
  assert.equal(
    verify(
      'sha256',
      Buffer.from('hello'),
      { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' },
      Buffer.from(out.der, 'hex'),
    ),
    true,
  );
  const recovered = secp256k1.Signature.fromBytes(sig, 'compact')
    .addRecoveryBit(out.recoveryId)
    .recoverPublicKey(Buffer.from(out.digest, 'hex'));
  assert.deepEqual(recovered.toBytes(true), new Uint8Array(pub));
});
