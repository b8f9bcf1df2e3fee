/**
 * Pairing with a hub (issue 6 item 4; SYSTEM.md "Pairing"; seed 000 "pairing token"):
 *  - `pair <token>` decodes the hub's pairing token (a JWT: workspace `ws`, API user `sub`, expiry)
 *    to say what is being paired; the hub alone verifies it. A fresh P-256 key (kept in the sealed
 *    store) and a PKCS#10 CSR (@peculiar/x509) go to `POST /v1/cosigners/pair`; the answer is the
 *    mTLS client certificate, the hub CA certificate and the co-signer id. One pairing per
 *    workspace: several workspaces (and hubs) each get their own certificate.
 *  - Pairing another API user of an already paired workspace, setting the callback handler and
 *    unpairing are configuration changes: requested through the hub's signed API
 *    (`POST /v1/cosigners/:id/api-users`, `PUT …/callback-handler`, `DELETE …`) with an API user
 *    key allowed to request them, recorded as pending here, and applied only when the hub reports
 *    them approved (the daemon polls whoami).
 */
import 'reflect-metadata';
import { createHash, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { SecretStore } from '@quorate/secrets';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;

export class PairingError extends Error {
  override readonly name = 'PairingError';
  constructor(
    readonly field: string,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface PairingTokenInfo {
  readonly workspaceId: string;
  readonly apiUserId: string;
  readonly issuer: string;
  readonly expiresAt: number;
}

/** Reads (without verifying: the hub does) what a pairing token is for. */
export function decodePairingToken(token: string, nowMs = Date.now()): PairingTokenInfo {
  let claims: Record<string, unknown>;
  try {
    const h = decodeProtectedHeader(token);
    if (h.typ !== 'quorate-pairing+jwt') throw new Error('typ');
    claims = decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw new PairingError('token', 'not a Quorate pairing token (a JWT from "hub pairing-token")');
  }
  const { ws, sub, iss, exp } = claims;
  if (typeof ws !== 'string' || typeof sub !== 'string' || typeof exp !== 'number')
    throw new PairingError('token', 'the pairing token lacks its workspace, API user or expiry');
  if (exp * 1000 <= nowMs)
    throw new PairingError('token', 'the pairing token has expired: ask an admin for a new one');
  return {
    workspaceId: ws,
    apiUserId: sub,
    issuer: typeof iss === 'string' ? iss : '',
    expiresAt: exp * 1000,
  };
}

/** A fresh P-256 key and a CSR for it; the key's PKCS#8 DER goes into the sealed store. */
export async function createCsr(name: string): Promise<{ csrPem: string; pkcs8: Uint8Array }> {
  const keys = (await webcrypto.subtle.generateKey(KEY_ALG, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${name.replace(/[,=+<>#;"\\]/g, '_')}`,
    keys,
    signingAlgorithm: SIGN_ALG,
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { csrPem: csr.toString('pem'), pkcs8 };
}

export function storeTlsKey(store: SecretStore, workspaceId: string, pkcs8: Uint8Array): void {
  store.put('tls-key', safeName(workspaceId), 'client', pkcs8);
}

export function deleteTlsKey(store: SecretStore, workspaceId: string): void {
  store.delete('tls-key', safeName(workspaceId), 'client');
}

/** PEM of the mTLS client key of a workspace's pairing (from the sealed store). */
export function tlsKeyPem(store: SecretStore, workspaceId: string): string {
  const der = store.get('tls-key', safeName(workspaceId), 'client');
  if (der === undefined)
    throw new PairingError('workspaceId', `no TLS key for workspace ${workspaceId}: pair again`);
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/** Record names allow [A-Za-z0-9._:@=+-]; other ids are hashed. */
function safeName(id: string): string {
  return /^[A-Za-z0-9._:@=+-]{1,128}$/.test(id)
    ? id
    : 'h-' + createHash('sha256').update(id).digest('hex').slice(0, 64);
}

export interface PairResponse {
  readonly cosigner: { id: string; workspaceId: string; name: string; apiUserIds: string[] };
  readonly certificate: string;
  readonly caCertificate: string;
  readonly jobSigningKey?: string;
}

async function hubFetch(
  f: typeof fetch,
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let r: Response;
  try {
    r = await f(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new PairingError(
      'hub',
      `cannot reach the hub at ${url}: ${e instanceof Error ? e.message : ''}`,
    );
  }
  const text = await r.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: reported below by status */
  }
  if (r.status < 200 || r.status > 299) {
    const err = body['error'] as { code?: string; message?: string; field?: string } | undefined;
    throw new PairingError(
      err?.field ?? 'hub',
      `the hub refused: ${err?.message ?? `HTTP ${r.status}`}`,
      r.status,
      err?.code,
    );
  }
  return { status: r.status, body };
}

/** `POST /v1/cosigners/pair` (public: the pairing token is the credential). */
export async function redeemPairingToken(
  apiUrl: string,
  input: { token: string; csr: string; name?: string },
  f: typeof fetch = fetch,
): Promise<PairResponse> {
  const { body } = await hubFetch(f, new URL('/v1/cosigners/pair', apiUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const c = body['cosigner'] as PairResponse['cosigner'] | undefined;
  if (
    typeof c?.id !== 'string' ||
    typeof body['certificate'] !== 'string' ||
    typeof body['caCertificate'] !== 'string'
  )
    throw new PairingError('hub', 'the hub answered pairing without a certificate');
  new x509.X509Certificate(body['certificate']); // must parse
  return body as unknown as PairResponse;
}

/** An API user's credentials for the hub's signed API (docs/hub-api.md "Authentication"). */
export interface ApiCredentials {
  readonly userId: string;
  readonly key: KeyObject;
}

function algOf(key: KeyObject): 'RS256' | 'ES256' | 'EdDSA' {
  const t = key.asymmetricKeyType;
  if (t === 'rsa') return 'RS256';
  if (t === 'ec') return 'ES256';
  if (t === 'ed25519') return 'EdDSA';
  throw new PairingError('apiKey', `unsupported API key type ${t ?? 'unknown'}`);
}

/** A request to the hub's API signed per docs/hub-api.md: {uri, nonce, iat, exp, sub, bodyHash}. */
export async function signedHubRequest(
  apiUrl: string,
  creds: ApiCredentials,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  uri: string,
  body: unknown,
  f: typeof fetch = fetch,
): Promise<Record<string, unknown>> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const iat = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({
    uri,
    nonce: randomBytes(16).toString('hex'),
    bodyHash: createHash('sha256').update(text).digest('hex'),
  })
    .setProtectedHeader({ alg: algOf(creds.key), typ: 'JWT' })
    .setSubject(creds.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 20)
    .sign(creds.key);
  const { body: out } = await hubFetch(f, new URL(uri, apiUrl).toString(), {
    method,
    headers: {
      authorization: `Bearer ${jwt}`,
      ...(text === '' ? {} : { 'content-type': 'application/json' }),
    },
    ...(text === '' ? {} : { body: text }),
  });
  return out;
}
