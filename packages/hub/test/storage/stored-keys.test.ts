/** storedPublicKey (auth/public-keys.ts): key objects kept by PEM text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { storedPublicKey } from '../../src/auth/public-keys.ts';

const pemOf = () =>
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

test('one key object per PEM text; another key (a rotated one) gets its own', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const k = storedPublicKey(pem);
  assert.equal(storedPublicKey(pem), k);
  assert.ok(k.equals(publicKey));
  const msg = Buffer.from('request');
  assert.ok(verify(null, msg, k, sign(null, msg, privateKey)));
  const other = pemOf();
  const k2 = storedPublicKey(other);
  assert.notEqual(k2, k);
  assert.equal(k2.export({ type: 'spki', format: 'pem' }).toString(), other);
});

test('a PEM that does not parse still throws (nothing is kept for it)', () => {
  assert.throws(() =>
    storedPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
  );
  assert.throws(() =>
    storedPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
  );
});
