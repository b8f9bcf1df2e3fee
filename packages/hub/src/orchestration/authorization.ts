/**
 * The hub's authorization of a job (relay contract, `Job.authorization`): a JWT (ES256) signed by
 * the hub's job-signing key over the sha256 of the canonical JSON of the job without the
 * `authorization` field. Co-signers pin the hub's public key and refuse a job whose hash or
 * signature does not match, so a relay that alters a job (participants, digest, session) is
 * caught. Canonical JSON here: object keys sorted by UTF-16 code units, no whitespace, arrays in
 * order (RFC 8785 for the value types a job contains: strings, integers, booleans, null).
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
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
