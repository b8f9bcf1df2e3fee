/** End-to-end frames: round trip, tampering, wrong key, replay into another job or pair. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { E2eError, openFrame, sealFrame } from '../src/e2e.ts';
import { generateIdentity } from '../src/identity.ts';
import type { Identity } from '../src/identity.ts';

const a = generateIdentity();
const b = generateIdentity();
const c = generateIdentity();
const keys = (i: Identity) => ({ signing: i.signingPublic, encryption: i.encryptionPublic });
const msg = new TextEncoder().encode('{"v":1,"payload":"round 1"}');

// The frame layout, written out independently of e2e.ts: a field is a 2-byte length, then UTF-8.
const te = new TextEncoder();
const f = (x: string) => {
  const v = te.encode(x);
  return [v.length >> 8, v.length & 0xff, ...v];
};

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof E2eError);
    return e.reason;
  }
  assert.fail('expected an E2eError');
}

describe('e2e frames', () => {
  const frame = sealFrame(a, keys(b), 'job-1', 'A', 'B', msg);

  test('the recipient opens what the sender sealed; layout version|nonce|ct|sig', () => {
    assert.deepEqual(openFrame(b, keys(a), 'job-1', 'A', 'B', frame), msg);
    assert.equal(frame[0], 1);
    assert.equal(frame.length, 1 + 24 + msg.length + 16 + 64);
    // fresh nonce each time
    assert.notDeepEqual(sealFrame(a, keys(b), 'job-1', 'A', 'B', msg), frame);
  });

  test('the signature is the RFC 8032 one: noble makes the same bytes and verifies them', () => {
    const signed = Uint8Array.from([
      ...te.encode('quorate/e2e/v1/sig'),
      ...f('job-1'),
      ...f('A'),
      ...f('B'),
      ...frame.subarray(0, frame.length - 64),
    ]);
    const sig = frame.subarray(frame.length - 64);
    assert.ok(ed25519.verify(sig, signed, a.signingPublic));
    assert.deepEqual(ed25519.sign(signed, a.signingSecret), Uint8Array.from(sig));
  });

  test('a peer signing key that is not a valid Ed25519 key fails the signature', () => {
    const bad = { signing: new Uint8Array(31), encryption: a.encryptionPublic };
    assert.equal(
      reason(() => openFrame(b, bad, 'job-1', 'A', 'B', frame)),
      'bad-signature',
    );
  });

  test('a flipped ciphertext byte fails the signature; a flipped signature byte too', () => {
    const t = Uint8Array.from(frame);
    t[30] = (t[30] as number) ^ 1;
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-1', 'A', 'B', t)),
      'bad-signature',
    );
    const s = Uint8Array.from(frame);
    s[s.length - 1] = (s[s.length - 1] as number) ^ 1;
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-1', 'A', 'B', s)),
      'bad-signature',
    );
  });

  test('a re-signed tampered frame (sender key known to attacker) still fails decryption', () => {
    // An attacker holding A's signing key but not the pair's X25519 secret: AEAD catches it.
    const forged = sealFrame(a, keys(c), 'job-1', 'A', 'B', msg); // encrypted to the wrong peer
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-1', 'A', 'B', forged)),
      'decrypt-failed',
    );
  });

  test('the wrong sender key fails the signature; the wrong recipient cannot decrypt', () => {
    assert.equal(
      reason(() => openFrame(b, keys(c), 'job-1', 'A', 'B', frame)),
      'bad-signature',
    );
    // C, given A's real keys, verifies the signature but cannot decrypt a frame for B.
    assert.equal(
      reason(() => openFrame(c, keys(a), 'job-1', 'A', 'B', frame)),
      'decrypt-failed',
    );
  });

  test('replay into another job, or as another sender/recipient, is refused', () => {
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-2', 'A', 'B', frame)),
      'bad-signature',
    );
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-1', 'A', 'C', frame)),
      'bad-signature',
    );
    assert.equal(
      reason(() => openFrame(a, keys(b), 'job-1', 'B', 'A', frame)),
      'bad-signature',
    );
  });

  test('field framing: "ab"+"c" differs from "a"+"bc"', () => {
    const f = sealFrame(a, keys(b), 'job', 'ab', 'c', msg);
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job', 'a', 'bc', f)),
      'bad-signature',
    );
  });

  test('with the per-peer secret remembered, each frame is still under its own pair and job key', () => {
    // Independent derivation from the layout in e2e.ts, for frames sealed after the secret for
    // each peer is remembered (a→b was used above), to two peers and in two jobs.
    const open = (
      own: Identity,
      peer: Identity,
      job: string,
      from: string,
      to: string,
      d: Uint8Array,
    ) => {
      const shared = x25519.getSharedSecret(own.encryptionSecret, peer.encryptionPublic);
      const info = Uint8Array.from([...te.encode('quorate/e2e/v1'), ...f(from), ...f(to)]);
      const key = hkdf(sha256, shared, te.encode(job), info, 32);
      const aad = Uint8Array.from([...f(job), ...f(from), ...f(to)]);
      const body = d.subarray(0, d.length - 64);
      return xchacha20poly1305(key, body.subarray(1, 25), aad).decrypt(body.subarray(25));
    };
    for (const [peer, name] of [
      [b, 'B'],
      [c, 'C'],
      [b, 'B'],
    ] as const)
      for (const job of ['job-7', 'job-8']) {
        const d = sealFrame(a, keys(peer), job, 'A', name, msg);
        assert.deepEqual(open(peer, a, job, 'A', name, d), msg);
        assert.deepEqual(openFrame(peer, keys(a), job, 'A', name, d), msg);
      }
  });

  test('short frames, a bad version and a low-order peer key are refused', () => {
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-1', 'A', 'B', frame.subarray(0, 100))),
      'malformed',
    );
    const v = Uint8Array.from(frame);
    v[0] = 2;
    assert.equal(
      reason(() => openFrame(b, keys(a), 'job-1', 'A', 'B', v)),
      'bad-version',
    );
    // A low-order peer key, sealing or opening, refused every time (never remembered).
    const lowOrder = (i: Identity) => ({
      signing: i.signingPublic,
      encryption: new Uint8Array(32),
    });
    for (const job of ['j', 'k'])
      assert.equal(
        reason(() => sealFrame(a, lowOrder(b), job, 'A', 'B', msg)),
        'bad-peer-key',
      );
    assert.equal(
      reason(() => openFrame(b, lowOrder(a), 'job-1', 'A', 'B', frame)),
      'bad-peer-key',
    );
  });
});
