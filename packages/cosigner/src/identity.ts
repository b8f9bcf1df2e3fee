/**
 * The co-signer's identity (issue 6 item 3; docs/api-contract-relay "E2E protection"): one
 * Ed25519 key pair (signs relayed protocol frames and the callback JWTs, alg EdDSA) and one X25519
 * key pair (end-to-end encryption of protocol messages), created at `cosigner init` and kept only
 * inside the sealed secrets store. The public halves are announced in `hello`.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import type { CallbackKey } from '@quorate/callback';
import type { SecretStore } from '@quorate/secrets';

const OWNER = 'self';
const TYPE = 'identity-key';

export interface Identity {
  readonly signingSecret: Uint8Array;
  readonly signingPublic: Uint8Array;
  readonly encryptionSecret: Uint8Array;
  readonly encryptionPublic: Uint8Array;
}

export interface PublicIdentity {
  /** Ed25519 public key, 64 lowercase hex digits. */
  readonly signing: string;
  /** X25519 public key, 64 lowercase hex digits. */
  readonly encryption: string;
}

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
}

export function generateIdentity(): Identity {
  const signingSecret = ed25519.utils.randomSecretKey();
  const encryptionSecret = x25519.utils.randomSecretKey();
  return {
    signingSecret,
    signingPublic: ed25519.getPublicKey(signingSecret),
    encryptionSecret,
    encryptionPublic: x25519.getPublicKey(encryptionSecret),
  };
}

export function publicIdentity(id: Identity): PublicIdentity {
  return {
    signing: Buffer.from(id.signingPublic).toString('hex'),
    encryption: Buffer.from(id.encryptionPublic).toString('hex'),
  };
}

/** Creates the identity and the audit HMAC key in a fresh store (init). Refuses to overwrite. */
export function createIdentity(store: SecretStore): Identity {
  const id = generateIdentity();
  store.transaction((tx) => {
    if (tx.get(TYPE, OWNER, 'ed25519') !== undefined)
      throw new IdentityError('an identity already exists in this store');
    tx.put(TYPE, OWNER, 'ed25519', id.signingSecret);
    tx.put(TYPE, OWNER, 'x25519', id.encryptionSecret);
    tx.put('audit-key', OWNER, 'hmac', randomBytes(32));
  });
  return id;
}

export function loadIdentity(store: SecretStore): Identity {
  const s = store.get(TYPE, OWNER, 'ed25519');
  const e = store.get(TYPE, OWNER, 'x25519');
  if (s === undefined || e === undefined || s.length !== 32 || e.length !== 32)
    throw new IdentityError('no identity in the secrets store (run "quorate cosigner init")');
  return {
    signingSecret: s,
    signingPublic: ed25519.getPublicKey(s),
    encryptionSecret: e,
    encryptionPublic: x25519.getPublicKey(e),
  };
}

export function loadAuditKey(store: SecretStore): Uint8Array {
  const k = store.get('audit-key', OWNER, 'hmac');
  if (k === undefined || k.length < 32)
    throw new IdentityError('no audit HMAC key in the secrets store (run "quorate cosigner init")');
  return k;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** The identity's Ed25519 key as a node KeyObject (for JWT signing and CSRs). */
export function signingKeyObject(id: Identity): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: b64u(id.signingSecret), x: b64u(id.signingPublic) },
    format: 'jwk',
  });
}

/** The key the co-signer signs callback request JWTs with (EdDSA). */
export function callbackSigningKey(id: Identity): CallbackKey {
  return { alg: 'EdDSA', key: signingKeyObject(id), kid: b64u(id.signingPublic).slice(0, 16) };
}

/** A raw 32-byte Ed25519 public key as a node KeyObject (throws if it is not one). */
export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(raw) }, format: 'jwk' });
}

/** SPKI PEM of the callback/identity public key: what a callback handler is configured with. */
export function identityPublicKeyPem(id: Identity): string {
  return ed25519PublicKeyObject(id.signingPublic)
    .export({ type: 'spki', format: 'pem' })
    .toString();
}
