import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519, ed25519_FROST } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { simulate } from '@quorate/runtime/harness';
import { dealerSplit } from '../src/dealer.ts';
import { frostRefresh } from '../src/refresh.ts';
import { validateKeyShare } from '../src/keyshare.ts';
import type { KeyShare } from '../src/keyshare.ts';
import { getSuite } from '../src/suite.ts';
import { hex, runDkg, runSign, te } from './helpers.ts';

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
function nodeVerifyEd25519(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519, pub]),
    format: 'der',
    type: 'spki',
  });
  return nodeVerify(null, msg, key, sig);
}

function signOk(shares: Map<number, KeyShare>, signers: number[], msg: Uint8Array) {
  const r = runSign(shares, signers, msg);
  assert.equal(r.errors.size, 0, [...r.errors.values()].map((e) => e.message).join('; '));
  const sigs = new Set([...r.outputs.values()].map((o) => hex(o.signature)));
  assert.equal(sigs.size, 1, 'every signer outputs the same signature');
  const out = r.outputs.get(signers[0] as number);
  assert.ok(out);
  return out;
}

describe('Ed25519: DKG → sign, independent verifiers', () => {
  for (const [t, n, signers] of [
    [2, 3, [1, 3]],
    [3, 5, [2, 4, 5]],
  ] as const) {
    test(`${t}-of-${n}, signers ${signers.join(',')}`, () => {
      const shares = runDkg('ed25519', t, n);
      const pk = (shares.get(1) as KeyShare).publicKey;
      for (const s of shares.values()) {
        assert.ok(s.publicKey.equals(pk));
        assert.equal(hex(s.chainCode), hex((shares.get(1) as KeyShare).chainCode));
        validateKeyShare(s); // deep: every verifying share on one polynomial
      }
      const msg = te('pay 1 SOL to alice');
      const out = signOk(shares, [...signers], msg);
      const pub = pk.toBytes();
      assert.equal(out.signature.length, 64);
      assert.ok(ed25519.verify(out.signature, msg, pub));
      assert.ok(nodeVerifyEd25519(out.signature, msg, pub));
      assert.ok(ed25519_FROST.verify(out.signature, msg, pub));
      assert.equal(ed25519.verify(out.signature, te('pay 2 SOL to alice'), pub), false);
    });
  }
});

describe('BIP340 (secp256k1-tr): DKG → sign', () => {
  test('2-of-3 plain BIP340 under the even-Y internal key', () => {
    const shares = runDkg('secp256k1-tr', 2, 3);
    const msg = new Uint8Array(32).fill(7);
    const out = signOk(shares, [2, 3], msg);
    const xonly = (shares.get(1) as KeyShare).publicKey.toBytes(true).subarray(1);
    assert.ok(schnorr.verify(out.signature, msg, xonly));
  });
  test('3-of-5 with the BIP86 tweak (empty merkle root) and with a script merkle root', () => {
    const shares = runDkg('secp256k1-tr', 3, 5);
    const P = (shares.get(1) as KeyShare).publicKey;
    const Pxonly = P.toBytes(true).subarray(1);
    for (const merkleRoot of [new Uint8Array(0), new Uint8Array(32).fill(0xab)]) {
      const msg = new Uint8Array(32).fill(9);
      const r = runSign(shares, [1, 2, 5], msg, { config: () => ({ key: { merkleRoot } }) });
      assert.equal(r.errors.size, 0);
      const sig = (r.outputs.get(1) as { signature: Uint8Array }).signature;
      // Independent output key: Q = lift_x(P) + H_TapTweak(P ‖ root)·G (BIP341 taproot_tweak_pubkey).
      const Pt = schnorr.Point;
      const t = BigInt('0x' + hex(schnorr.utils.taggedHash('TapTweak', Pxonly, merkleRoot)));
      const Q = Pt.fromBytes(Uint8Array.of(2, ...Pxonly)).add(Pt.BASE.multiply(t));
      assert.ok(schnorr.verify(sig, msg, Q.toBytes(true).subarray(1)));
      assert.equal(schnorr.verify(sig, msg, Pxonly), false);
    }
  });
  test('odd-Y internal keys are handled (keys of both parities each sign)', () => {
    // Draw keys until both parities have signed: no outcome left to chance (bounded at 128 draws,
    // 2^-127 to miss a parity by then).
    const seen = new Set<number>();
    for (let i = 0; i < 128 && seen.size < 2; i++) {
      const shares = dealerSplit({ suite: 'secp256k1-tr', threshold: 2, parties: [1, 2, 3] });
      const P = (shares.get(1) as KeyShare).publicKey;
      const msg = te(`m${i}`);
      const out = signOk(shares, [1, 2], msg);
      assert.ok(schnorr.verify(out.signature, msg, P.toBytes(true).subarray(1)));
      seen.add(P.toBytes(true)[0] as number);
    }
    assert.deepEqual([...seen].sort(), [2, 3], 'an even-Y and an odd-Y internal key both signed');
  });
});

describe('secp256k1 (RFC 9591 §6.5)', () => {
  test('2-of-3 signature verifies with noble’s FROST verifier', () => {
    const shares = runDkg('secp256k1', 2, 3);
    const msg = te('hello');
    const out = signOk(shares, [1, 2], msg);
    assert.equal(out.signature.length, 65);
    assert.ok(
      secp256k1_FROST.verify(
        out.signature,
        msg,
        (shares.get(1) as KeyShare).publicKey.toBytes(true),
      ),
    );
  });
});

describe('dealer split (key import)', () => {
  test('an existing Ed25519 key: shares sign for exactly that key', () => {
    const suite = getSuite('ed25519');
    const secret = 0x1234567890abcdefn;
    const shares = dealerSplit({ suite: 'ed25519', threshold: 2, parties: [1, 2, 3], secret });
    const pub = suite.mulBase(secret).toBytes();
    const msg = te('imported');
    const out = signOk(shares, [2, 3], msg);
    assert.ok(nodeVerifyEd25519(out.signature, msg, pub));
  });
  test('refuses a bad threshold and a secret out of range', () => {
    assert.throws(
      () => dealerSplit({ suite: 'ed25519', threshold: 4, parties: [1, 2, 3] }),
      /threshold/,
    );
    assert.throws(
      () =>
        dealerSplit({
          suite: 'ed25519',
          threshold: 2,
          parties: [1, 2, 3],
          secret: getSuite('ed25519').order,
        }),
      /secret/,
    );
  });
});

describe('refresh', () => {
  const shares = runDkg('ed25519', 2, 3, 'refresh-base');
  const run = (seed: string) =>
    simulate(frostRefresh('ed25519'), {
      parties: [1, 2, 3],
      seed,
      config: (p) => ({ share: shares.get(p) as KeyShare }),
    });
  test('same key, new shares, new shares sign, old and new do not mix', () => {
    const r = run('refresh-1');
    assert.equal(r.errors.size, 0);
    const fresh = r.outputs as Map<number, KeyShare>;
    for (const [p, s] of fresh) {
      const old = shares.get(p) as KeyShare;
      assert.ok(s.publicKey.equals(old.publicKey));
      assert.notEqual(s.secretShare, old.secretShare);
      assert.equal(s.epoch, 1);
      validateKeyShare(s);
    }
    const msg = te('after refresh');
    const out = signOk(fresh, [1, 3], msg);
    assert.ok(ed25519.verify(out.signature, msg, (shares.get(1) as KeyShare).publicKey.toBytes()));
    // Party 1 keeps its old share, party 3 has the new one: party 3 names party 1.
    const mixed = new Map([
      [1, shares.get(1) as KeyShare],
      [3, fresh.get(3) as KeyShare],
    ]);
    const m = runSign(mixed, [1, 3], msg);
    assert.equal(m.outputs.size, 0);
    assert.deepEqual(m.errors.get(3)?.culprits, [1]);
    assert.equal(m.errors.get(3)?.kind, 'aborted');
  });
});
