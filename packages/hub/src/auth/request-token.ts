/**
 * Verification of signed API requests (issue 7 "Authentication"; after the Fireblocks API
 * scheme in seeds/000). Each request carries `Authorization: Bearer <JWT>` signed by the API
 * user's registered key, with claims {uri, nonce, iat, exp, sub, bodyHash}:
 *  - the signature is checked with the algorithm of the registered key only;
 *  - exp ≤ iat + 30 s, and now ∈ [iat − skew, exp + skew];
 *  - uri equals the request's path and query exactly; bodyHash is sha256 (hex) of the raw body;
 *  - the nonce is single use per subject (kept in the database until the token expires).
 * Checks run in that order, so each failure has its own error code. Nothing from the token is
 * trusted before the signature verifies, except `sub`, used only to find the key.
 */
import { createHash } from 'node:crypto';
import { compactVerify, decodeJwt, errors as joseErrors } from 'jose';
import { HubError } from '../http/errors.ts';
import type { NonceStore } from './nonce-store.ts';
import type { KeyAlgorithm, Role } from '../storage/schema.ts';
import type { KeyObject } from 'node:crypto';

export const MAX_TOKEN_LIFETIME_S = 30;
export const CLOCK_SKEW_S = 5;
const MAX_TOKEN_LENGTH = 16_384;

export interface Principal {
  readonly id: string;
  readonly workspaceId: string;
  readonly role: Role;
  readonly name: string;
}

export interface PrincipalKey {
  readonly principal: Principal;
  readonly algorithm: KeyAlgorithm;
  readonly key: KeyObject;
}

export interface VerifyRequestInput {
  readonly authorization: string | undefined;
  readonly uri: string;
  readonly rawBody: string;
}

export interface RequestVerifier {
  readonly verify: (input: VerifyRequestInput) => Promise<Principal>;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Claims {
  readonly uri: string;
  readonly nonce: string;
  readonly iat: number;
  readonly exp: number;
  readonly sub: string;
  readonly bodyHash: string;
}

function claims(payload: unknown): Claims {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new HubError('auth_malformed', 'the token payload is not a JSON object');
  const p = payload as Record<string, unknown>;
  const str = (k: string, re: RegExp): string => {
    const v = p[k];
    if (typeof v !== 'string' || !re.test(v))
      throw new HubError('auth_malformed', `the token claim "${k}" is missing or malformed`, k);
    return v;
  };
  const int = (k: string): number => {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new HubError(
        'auth_malformed',
        `the token claim "${k}" must be a whole number of seconds`,
        k,
      );
    return v;
  };
  return {
    uri: str('uri', /^\/[\x21-\x7e]{0,2047}$/),
    nonce: str('nonce', /^[\x21-\x7e]{8,128}$/),
    sub: str('sub', /^[\x21-\x7e]{1,128}$/),
    bodyHash: str('bodyHash', /^[0-9a-f]{64}$/),
    iat: int('iat'),
    exp: int('exp'),
  };
}

export function createRequestVerifier(deps: {
  readonly findKey: (subject: string) => Promise<PrincipalKey | undefined>;
  readonly nonces: NonceStore;
  readonly now: () => number;
}): RequestVerifier {
  return {
    async verify({ authorization, uri, rawBody }) {
      if (authorization === undefined || authorization === '')
        throw new HubError('auth_missing', 'send "Authorization: Bearer <signed JWT>"');
      const m = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization);
      if (!m || m[1]!.length > MAX_TOKEN_LENGTH)
        throw new HubError('auth_malformed', 'the Authorization header must be "Bearer <JWT>"');
      const token = m[1]!;
      let unverifiedSub: unknown;
      try {
        unverifiedSub = decodeJwt(token).sub;
      } catch {
        throw new HubError('auth_malformed', 'the token is not a JWT');
      }
      if (typeof unverifiedSub !== 'string' || unverifiedSub.length > 128)
        throw new HubError('auth_malformed', 'the token has no "sub" claim', 'sub');
      const found = await deps.findKey(unverifiedSub);
      if (!found) throw new HubError('auth_unknown_subject', 'unknown or disabled API user', 'sub');
      let payloadBytes: Uint8Array;
      try {
        const verified = await compactVerify(token, found.key, { algorithms: [found.algorithm] });
        payloadBytes = verified.payload;
      } catch (e) {
        if (e instanceof joseErrors.JOSEAlgNotAllowed)
          throw new HubError(
            'auth_bad_signature',
            `the token must be signed with ${found.algorithm}`,
          );
        throw new HubError('auth_bad_signature', 'the token signature does not verify');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
      } catch {
        throw new HubError('auth_malformed', 'the token payload is not JSON');
      }
      const c = claims(payload);
      if (c.sub !== unverifiedSub) throw new HubError('auth_malformed', 'sub mismatch', 'sub');
      const nowS = Math.floor(deps.now() / 1000);
      if (c.exp <= c.iat)
        throw new HubError('auth_malformed', 'the token must expire after it was issued', 'exp');
      if (c.exp - c.iat > MAX_TOKEN_LIFETIME_S)
        throw new HubError(
          'auth_lifetime_too_long',
          `exp may be at most ${MAX_TOKEN_LIFETIME_S} s after iat`,
          'exp',
        );
      if (nowS > c.exp + CLOCK_SKEW_S)
        throw new HubError('auth_expired', 'the token has expired', 'exp');
      if (c.iat > nowS + CLOCK_SKEW_S)
        throw new HubError('auth_not_yet_valid', 'the token was issued in the future', 'iat');
      if (c.uri !== uri)
        throw new HubError('auth_wrong_uri', 'the token was signed for another uri', 'uri');
      if (c.bodyHash !== sha256Hex(rawBody))
        throw new HubError(
          'auth_wrong_body_hash',
          'bodyHash is not the sha256 (hex) of the request body',
          'bodyHash',
        );
      const fresh = await deps.nonces.use(c.sub, c.nonce, (c.exp + CLOCK_SKEW_S) * 1000);
      if (!fresh) throw new HubError('auth_replayed_nonce', 'this nonce was already used', 'nonce');
      return found.principal;
    },
  };
}
