// CGGMP21 presigning (Fig. 7) and one-round signing (Fig. 8), checked by three independent
// verifiers: @noble/curves, OpenSSL through node:crypto (SPKI + DER), and ethers' address recovery.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { computeAddress, recoverAddress, Signature as EthSignature, hexlify } from 'ethers';
import { deriveSecp256k1 } from '@quorate/hd';
import { simulate } from '@quorate/runtime/harness';
import { presign } from '../src/presign.ts';
import { Presignature, PresignatureConsumedError } from '../src/presignature.ts';
import { sign } from '../src/sign.ts';
import { toDer } from '../src/ecdsa.ts';
import type { EcdsaSignature } from '../src/ecdsa.ts';
import type { KeyShare } from '../src/key-share.ts';
import { loadShares } from './fixtures.ts';

function spki(compressed: Uint8Array) {
  const uncompressed = secp256k1.Point.fromBytes(compressed).toBytes(false);
  // SubjectPublicKeyInfo for id-ecPublicKey / secp256k1.
  const prefix = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');
  return createPublicKey({
    key: Buffer.concat([prefix, uncompressed]),
    format: 'der',
    type: 'spki',
  });
}

export function runPresign(shares: KeyShare[], signers: number[], seed: string) {
  const byId = new Map(shares.map((s) => [s.core.i, s]));
  return simulate(presign, { parties: signers, config: (p) => ({ share: byId.get(p)! }), seed });
}

function runSign(
  presigs: Map<number, Presignature>,
  signers: number[],
  digest: Uint8Array,
  shift = 0n,
) {
  return simulate(sign, {
    parties: signers,
    config: (p) => ({ presignature: presigs.get(p)!, digest, shift }),
    seed: 'sign',
  });
}

function checkAllVerifiers(
  sig: EcdsaSignature,
  message: string,
  digest: Uint8Array,
  publicKey: Uint8Array,
) {
  const compact = new secp256k1.Signature(sig.r, sig.s).toBytes('compact');
  assert.ok(secp256k1.verify(compact, digest, publicKey, { prehash: false }), 'noble');
  assert.ok(sig.s <= secp256k1.Point.Fn.ORDER >> 1n, 'low S');
  // OpenSSL hashes the message itself (digest = sha256(message)) and checks the DER encoding.
  assert.equal(
    cryptoVerify(
      'sha256',
      Buffer.from(message),
      { key: spki(publicKey), dsaEncoding: 'der' },
      Buffer.from(toDer(sig)),
    ),
    true,
    'OpenSSL',
  );
  const ethSig = EthSignature.from({
    r: '0x' + sig.r.toString(16).padStart(64, '0'),
    s: '0x' + sig.s.toString(16).padStart(64, '0'),
    v: 27 + sig.recoveryId,
  });
  assert.equal(
    recoverAddress(hexlify(digest), ethSig),
    computeAddress(hexlify(publicKey)),
    'ethers recovery',
  );
}

function presignAndSign(shares: KeyShare[], signers: number[], message: string, path?: string) {
  const pre = runPresign(shares, signers, `pre-${signers.join('')}-${message}`);
  assert.equal(pre.errors.size, 0, [...pre.errors.values()].map((e) => e.message).join('; '));
  const presigs = new Map([...pre.outputs].map(([p, o]) => [p, new Presignature(o)]));
  const core = shares[0]!.core;
  const derived = path
    ? deriveSecp256k1(core.publicKey.toBytes(true), core.chainCode, path)
    : undefined;
  const digest = sha256(new TextEncoder().encode(message));
  const r = runSign(presigs, signers, digest, derived?.tweak ?? 0n);
  assert.equal(r.errors.size, 0, [...r.errors.values()].map((e) => e.message).join('; '));
  const sigs = [...r.outputs.values()];
  for (const s of sigs) assert.deepEqual(s, sigs[0]);
  return {
    sig: sigs[0]!,
    digest,
    publicKey: derived?.publicKey ?? core.publicKey.toBytes(true),
    presigs,
  };
}

describe('presign + sign', () => {
  for (const [t, n, subsets] of [
    [
      2,
      3,
      [
        [1, 2],
        [1, 3],
        [2, 3],
      ],
    ],
    [3, 3, [[1, 2, 3]]],
    [
      3,
      5,
      [
        [1, 2, 3],
        [2, 4, 5],
      ],
    ],
  ] as const) {
    test(`${t}-of-${n}: every listed t-subset signs and all three verifiers accept`, () => {
      const shares = loadShares(t, n);
      for (const signers of subsets) {
        const message = `hello ${signers.join(',')}`;
        const { sig, digest, publicKey } = presignAndSign(shares, [...signers], message);
        checkAllVerifiers(sig, message, digest, publicKey);
      }
    });
  }

  test('a BIP32 path signs under the derived key', () => {
    const shares = loadShares(2, 3);
    const { sig, digest, publicKey } = presignAndSign(shares, [2, 3], 'derived', 'm/0/5');
    const core = shares[0]!.core;
    assert.deepEqual(
      publicKey,
      deriveSecp256k1(core.publicKey.toBytes(true), core.chainCode, 'm/0/5').publicKey,
    );
    assert.notDeepEqual(publicKey, core.publicKey.toBytes(true));
    checkAllVerifiers(sig, 'derived', digest, publicKey);
  });

  test('a presignature is consumed: a second use is refused', () => {
    const shares = loadShares(2, 3);
    const { presigs } = presignAndSign(shares, [1, 2], 'once');
    const p = presigs.get(1)!;
    assert.equal(p.consumed, true);
    assert.throws(() => p.issuePartial(new Uint8Array(32)), PresignatureConsumedError);
  });
});
