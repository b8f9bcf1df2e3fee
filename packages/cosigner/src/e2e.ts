/**
 * End-to-end protection of relayed protocol messages (the relay contract, "E2E protection of
 * `data`"; SYSTEM.md "Trust boundaries"): the hub relays `data` without being able to read it,
 * forge it, or move it to another job or another pair of co-signers.
 *
 *   data = 0x01 ‖ nonce (24) ‖ XChaCha20-Poly1305(key, nonce, envelope, aad) ‖ sig (64)
 *   key  = HKDF-SHA256(ikm = X25519(own, peer), salt = jobId, info = "quorate/e2e/v1" ‖ from ‖ to)
 *   aad  = jobId ‖ from ‖ to
 *   sig  = Ed25519(sender, "quorate/e2e/v1/sig" ‖ jobId ‖ from ‖ to ‖ 0x01 ‖ nonce ‖ ct)
 *
 * "‖" of strings is realized as a 2-byte big-endian length then the UTF-8 bytes, so the fields
 * cannot be re-split ("ab"‖"c" ≠ "a"‖"bc"). The key differs per direction (from/to are in the
 * info) and per job (salt). The signature covers the same context as the AAD, so the recipient
 * holds evidence (for blame) of what the sender sent it, in which job; it is checked before
 * decryption. Only co-signers produce and read this format; the hub treats it as opaque.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ed25519PublicKeyObject, signingKeyObject } from './identity.ts';
import type { Identity } from './identity.ts';
import { RecentMap } from '@quorate/runtime/recent';

export const E2E_VERSION = 1;
const NONCE = 24;
const SIG = 64;
const TAG = 16;
const enc = new TextEncoder();
const INFO = enc.encode('quorate/e2e/v1');
const SIG_DOMAIN = enc.encode('quorate/e2e/v1/sig');

export type E2eFailure =
  'malformed' | 'bad-version' | 'bad-signature' | 'decrypt-failed' | 'bad-peer-key';

/** A relayed frame that does not verify or decrypt; names the sender it claims to come from. */
export class E2eError extends Error {
  override readonly name = 'E2eError';
  constructor(
    readonly reason: E2eFailure,
    readonly from: string,
    readonly jobId: string,
  ) {
    super(`end-to-end frame from ${from} in job ${jobId} refused: ${reason}`);
  }
}

export interface PeerKeys {
  /** Ed25519 public key (32 bytes). */
  readonly signing: Uint8Array;
  /** X25519 public key (32 bytes). */
  readonly encryption: Uint8Array;
}

function field(s: string): Uint8Array {
  const b = enc.encode(s);
  if (b.length > 0xffff) throw new RangeError('e2e: field longer than 65535 bytes');
  const out = new Uint8Array(2 + b.length);
  out[0] = b.length >> 8;
  out[1] = b.length & 0xff;
  out.set(b, 2);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function context(jobId: string, from: string, to: string): Uint8Array {
  return concat(field(jobId), field(from), field(to));
}

/** Peers whose X25519 secret is kept per own key, least recently used dropped first. */
const SHARED_SECRETS_PER_KEY = 256;
/**
 * X25519(own, peer) depends only on the two keys, not on the job, and costs a full Montgomery
 * ladder in pure JS; every relayed message needs it twice (seal and open). So it is computed once
 * per peer key and kept in memory next to the identity secret it comes from (same lifetime, same
 * sensitivity); the per-job, per-direction key is still derived by HKDF for every frame. Only
 * good secrets are kept: a bad peer key is refused every time.
 */
const sharedSecrets = new WeakMap<Uint8Array, RecentMap<string, Uint8Array>>();

function sharedSecret(own: Uint8Array, peer: Uint8Array, from: string, jobId: string): Uint8Array {
  let byPeer = sharedSecrets.get(own);
  if (!byPeer) sharedSecrets.set(own, (byPeer = new RecentMap(SHARED_SECRETS_PER_KEY)));
  return byPeer.remember(Buffer.from(peer).toString('hex'), () => {
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(own, peer);
    } catch {
      throw new E2eError('bad-peer-key', from, jobId);
    }
    // A low-order peer key gives an all-zero secret: refuse it rather than encrypt under a known key.
    if (shared.every((b) => b === 0)) throw new E2eError('bad-peer-key', from, jobId);
    return shared;
  });
}

/**
 * The frame signatures are RFC 8032 Ed25519, made and checked by OpenSSL through node:crypto, as
 * the callback JWTs (jose) already are: a pure-JS signature and verification cost about 2.5 ms per
 * relayed message, OpenSSL's about a tenth. Ed25519 signing is deterministic, so the bytes are
 * the ones noble would produce (the tests verify them with noble). Key objects are made once per
 * key: our own next to the identity secret, peers' in a bounded map.
 */
const ownSigningKeys = new WeakMap<Uint8Array, KeyObject>();
const peerSigningKeys = new RecentMap<string, KeyObject | null>(1024);

function ownSigningKey(self: Identity): KeyObject {
  let k = ownSigningKeys.get(self.signingSecret);
  if (!k) ownSigningKeys.set(self.signingSecret, (k = signingKeyObject(self)));
  return k;
}

/** The peer's Ed25519 key as a KeyObject; null when the 32 bytes are not a valid public key. */
function peerSigningKey(pub: Uint8Array): KeyObject | null {
  return peerSigningKeys.remember(Buffer.from(pub).toString('hex'), () => {
    if (pub.length !== 32) return null;
    try {
      return ed25519PublicKeyObject(pub);
    } catch {
      return null;
    }
  });
}

function deriveKey(
  ownEncryptionSecret: Uint8Array,
  peerEncryptionPublic: Uint8Array,
  jobId: string,
  from: string,
  to: string,
): Uint8Array {
  const shared = sharedSecret(ownEncryptionSecret, peerEncryptionPublic, from, jobId);
  return hkdf(sha256, shared, enc.encode(jobId), concat(INFO, field(from), field(to)), 32);
}

/** Seals one runtime envelope from `from` (us) to `to` (peer) for `jobId`. */
export function sealFrame(
  self: Identity,
  peer: PeerKeys,
  jobId: string,
  from: string,
  to: string,
  plaintext: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE),
): Uint8Array {
  if (nonce.length !== NONCE) throw new RangeError('e2e: nonce must be 24 bytes');
  const key = deriveKey(self.encryptionSecret, peer.encryption, jobId, from, to);
  const aad = context(jobId, from, to);
  const ct = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  const body = concat(Uint8Array.of(E2E_VERSION), nonce, ct);
  const sig = sign(null, concat(SIG_DOMAIN, aad, body), ownSigningKey(self));
  return concat(body, sig);
}

/** Verifies and decrypts a frame `from` (peer) to `to` (us) for `jobId`; throws E2eError. */
export function openFrame(
  self: Identity,
  peer: PeerKeys,
  jobId: string,
  from: string,
  to: string,
  data: Uint8Array,
): Uint8Array {
  if (data.length < 1 + NONCE + TAG + SIG) throw new E2eError('malformed', from, jobId);
  if (data[0] !== E2E_VERSION) throw new E2eError('bad-version', from, jobId);
  const body = data.subarray(0, data.length - SIG);
  const sig = data.subarray(data.length - SIG);
  const aad = context(jobId, from, to);
  const peerKey = peerSigningKey(peer.signing);
  let ok = false;
  try {
    ok = peerKey !== null && verify(null, concat(SIG_DOMAIN, aad, body), peerKey, sig);
  } catch {
    ok = false;
  }
  if (!ok) throw new E2eError('bad-signature', from, jobId);
  const key = deriveKey(self.encryptionSecret, peer.encryption, jobId, from, to);
  try {
    return xchacha20poly1305(key, body.subarray(1, 1 + NONCE), aad).decrypt(
      body.subarray(1 + NONCE),
    );
  } catch {
    throw new E2eError('decrypt-failed', from, jobId);
  }
}
