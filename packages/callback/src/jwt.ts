/**
 * JWT helpers of the callback protocol (docs/callback-protocol.md): sign and verify the request
 * (co-signer → handler) and the response (handler → co-signer), with `jose`.
 *
 * RFC 7519 JWTs in JWS compact form (RFC 7515), algorithms RS256, ES256 and EdDSA (RFC 8037,
 * Ed25519). The verifier pins the algorithm to the one configured with the key, so a token can
 * never choose how it is checked (no `alg: none`, no RSA/HMAC confusion). Every token carries
 * iat/exp; a token whose lifetime exceeds MAX_TTL_SECONDS is refused, so a captured token is
 * useless after a few minutes.
 */
import {
  SignJWT,
  jwtVerify,
  importPKCS8,
  importSPKI,
  generateKeyPair,
  exportSPKI,
  errors,
} from 'jose';
import type { CryptoKey, KeyObject, JWTPayload } from 'jose';
import { CallbackError } from './errors.ts';
import { checkResponseFor, parseClaims, parseRequest, responseSchema } from './protocol.ts';
import type {
  CallbackRequest,
  CallbackResponse,
  CallbackResponseBody,
  ConfigChangeRequestBody,
  RequestKind,
  TxSignRequestBody,
} from './protocol.ts';

export const CALLBACK_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type CallbackAlg = (typeof CALLBACK_ALGS)[number];

/** A key with the one algorithm it may be used with. */
export interface CallbackKey {
  readonly alg: CallbackAlg;
  readonly key: CryptoKey | KeyObject;
  /** Optional key id, put in the JWT header when signing. */
  readonly kid?: string;
}

/** Lifetime given to the tokens we sign, and the longest lifetime we accept. */
export const DEFAULT_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 300;
/** Clock skew tolerated between co-signer and handler. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export interface TimeOptions {
  /** Milliseconds since the epoch; injected in tests. */
  readonly now?: () => number;
  readonly ttlSeconds?: number;
}

export function isCallbackAlg(alg: string): alg is CallbackAlg {
  return (CALLBACK_ALGS as readonly string[]).includes(alg);
}

/** Imports a PKCS#8 PEM private key for signing with `alg`. */
export async function importPrivateKey(pem: string, alg: CallbackAlg): Promise<CallbackKey> {
  try {
    return { alg, key: await importPKCS8(pem, alg) };
  } catch (e) {
    throw new CallbackError('malformed', `not a PKCS#8 ${alg} private key`, {
      field: 'privateKey',
      cause: e,
    });
  }
}

/** Imports an SPKI PEM public key for verifying `alg` signatures. */
export async function importPublicKey(pem: string, alg: CallbackAlg): Promise<CallbackKey> {
  try {
    return { alg, key: await importSPKI(pem, alg) };
  } catch (e) {
    throw new CallbackError('malformed', `not an SPKI ${alg} public key`, {
      field: 'publicKey',
      cause: e,
    });
  }
}

/** A fresh key pair (for a handler's first start, and for tests). */
export async function generateCallbackKeyPair(
  alg: CallbackAlg,
): Promise<{ privateKey: CallbackKey; publicKey: CallbackKey; publicKeyPem: string }> {
  const opts = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const pair = await generateKeyPair(alg, opts);
  return {
    privateKey: { alg, key: pair.privateKey },
    publicKey: { alg, key: pair.publicKey },
    publicKeyPem: await exportSPKI(pair.publicKey),
  };
}

async function sign(claims: JWTPayload, key: CallbackKey, time: TimeOptions): Promise<string> {
  const ttl = time.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS)
    throw new CallbackError('malformed', `ttlSeconds must be 1..${MAX_TTL_SECONDS}`, {
      field: 'ttlSeconds',
    });
  const iat = Math.floor((time.now ?? Date.now)() / 1000);
  const header: { alg: CallbackAlg; typ: string; kid?: string } = { alg: key.alg, typ: 'JWT' };
  if (key.kid !== undefined) header.kid = key.kid;
  return new SignJWT(claims)
    .setProtectedHeader(header)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(key.key);
}

/** Verifies signature, algorithm, typ and timing; returns the raw claims (not yet validated). */
async function verify(
  token: string,
  key: CallbackKey,
  time: TimeOptions,
  what: string,
): Promise<unknown> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 64 * 1024)
    throw new CallbackError('malformed', `${what}: not a JWT`, { field: 'token' });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token.trim(), key.key, {
      algorithms: [key.alg],
      typ: 'JWT',
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date((time.now ?? Date.now)()),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (e) {
    throw mapJoseError(e, what);
  }
  const { iat, exp } = payload;
  if (typeof iat === 'number' && typeof exp === 'number' && exp - iat > MAX_TTL_SECONDS)
    throw new CallbackError('malformed', `${what}: lifetime over ${MAX_TTL_SECONDS} s`, {
      field: 'exp',
    });
  return payload;
}

function mapJoseError(e: unknown, what: string): CallbackError {
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JOSEAlgNotAllowed)
    return new CallbackError('bad-signature', `${what}: signature does not verify`, { cause: e });
  if (e instanceof errors.JWTExpired)
    return new CallbackError('expired', `${what}: token expired`, { field: 'exp', cause: e });
  if (e instanceof errors.JWTClaimValidationFailed) {
    const kind = e.claim === 'iat' || e.claim === 'nbf' ? 'expired' : 'malformed';
    return new CallbackError(kind, `${what}: claim ${e.claim} invalid (${e.reason})`, {
      field: e.claim,
      cause: e,
    });
  }
  return new CallbackError('malformed', `${what}: not a valid JWT`, { field: 'token', cause: e });
}

/** Co-signer side: sign a transaction request. */
export function signTxSignRequest(
  body: TxSignRequestBody,
  key: CallbackKey,
  time: TimeOptions = {},
): Promise<string> {
  return sign({ ...body, kind: 'tx_sign_request' }, key, time);
}

/** Co-signer side: sign a configuration-change request. */
export function signConfigChangeRequest(
  body: ConfigChangeRequestBody,
  key: CallbackKey,
  time: TimeOptions = {},
): Promise<string> {
  return sign({ ...body, kind: 'config_change_sign_request' }, key, time);
}

/** Handler side: verify a request JWT with the co-signer's public key and validate its claims. */
export async function verifyRequest(
  token: string,
  kind: RequestKind,
  cosignerKey: CallbackKey,
  time: TimeOptions = {},
): Promise<CallbackRequest> {
  return parseRequest(kind, await verify(token, cosignerKey, time, kind));
}

/** Handler side: sign the answer. */
export async function signResponse(
  body: CallbackResponseBody,
  handlerKey: CallbackKey,
  time: TimeOptions = {},
): Promise<string> {
  const claims: JWTPayload = { requestId: body.requestId, action: body.action };
  if (body.rejectionReason !== undefined) claims['rejectionReason'] = body.rejectionReason;
  return sign(claims, handlerKey, time);
}

/**
 * Co-signer side: verify a response JWT with the handler's public key, validate its claims, and
 * check it answers `sentRequestId` with an action allowed for `kind`.
 */
export async function verifyResponse(
  token: string,
  kind: RequestKind,
  sentRequestId: string,
  handlerKey: CallbackKey,
  time: TimeOptions = {},
): Promise<CallbackResponse> {
  const res = parseClaims(
    responseSchema,
    await verify(token, handlerKey, time, 'response'),
    'response',
  );
  checkResponseFor(kind, sentRequestId, res);
  return res;
}
