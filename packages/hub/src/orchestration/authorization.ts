/**
 * The hub's authorization of a job (relay contract, `Job.authorization`): a JWT (ES256) signed by
 * the hub's job-signing key over the sha256 of the canonical JSON of the job without the
 * `authorization` field. Co-signers pin the hub's public key and refuse a job whose hash or
 * signature does not match, so a relay that alters a job (participants, digest, session) is
 * caught. Canonical JSON here: object keys sorted by UTF-16 code units, no whitespace, arrays in
 * order (RFC 8785 for the value types a job contains: strings, integers, booleans, null).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Job } from './frames.ts';

export const JOB_TOKEN_TYPE = 'quorate-job+jwt';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isSafeInteger(value))
      throw new TypeError('canonical JSON: only safe integers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 hex of the canonical JSON of `job` without `authorization`. */
export function jobHash(job: Omit<Job, 'authorization'> | Job): string {
  const { authorization: _drop, ...rest } = job as Job;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export interface JobSigner {
  readonly publicKey: KeyObject;
  readonly sign: (job: Omit<Job, 'authorization'>, nowMs: number) => Promise<Job>;
}

/**
 * Signs jobs with a P-256 key. Without a key an ephemeral one is generated (tests, or a hub whose
 * co-signers re-pin at start); a deployed hub passes the key kept in its data directory.
 */
export function createJobSigner(privateKey?: KeyObject): JobSigner {
  const key = privateKey ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const publicKey = createPublicKey(key);
  return {
    publicKey,
    async sign(job, nowMs) {
      const iat = Math.floor(nowMs / 1000);
      const authorization = await new SignJWT({ jobSha256: jobHash(job) })
        .setProtectedHeader({ alg: 'ES256', typ: JOB_TOKEN_TYPE })
        .setJti(job.jobId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + Math.ceil(job.timeoutMs / 1000) + 60)
        .sign(key);
      return { ...job, authorization };
    },
  };
}

/**
 * The hub's job-signing key, derived from its Ed25519 pairing key (kept 0600 in the data
 * directory) so it survives restarts without another secret file: HKDF-SHA256 with a purpose
 * label gives 48 bytes, reduced to a P-256 scalar in [1, n-1] (FIPS 186-5 A.2.1, extra bits).
 * The label separates the two uses, so neither key says anything about the other.
 */
export function deriveJobSigningKey(pairingPrivateKey: KeyObject): KeyObject {
  const jwk = pairingPrivateKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
    throw new TypeError('the pairing key must be an Ed25519 private key');
  const okm = hkdf(
    sha256,
    Buffer.from(jwk.d, 'base64url'),
    new TextEncoder().encode('quorate-hub'),
    new TextEncoder().encode('quorate/job-signing/p256/v1'),
    48,
  );
  const n = p256.Point.Fn.ORDER;
  const d = (BigInt('0x' + Buffer.from(okm).toString('hex')) % (n - 1n)) + 1n;
  const dBytes = Buffer.from(d.toString(16).padStart(64, '0'), 'hex');
  const pub = p256.getPublicKey(dBytes, false);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64(dBytes),
      x: b64(pub.subarray(1, 33)),
      y: b64(pub.subarray(33, 65)),
    },
  });
}
