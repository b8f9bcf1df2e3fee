/**
 * Jobs from the hub (the relay contract, "Frames hub → co-signer" and `Job`): strict validation
 * of the untrusted job into a typed value, and the check of its `authorization`: a JWT (ES256,
 * typ `quorate-job+jwt`, jti = jobId) signed by the hub's job-signing key, pinned at pairing,
 * whose claim `jobSha256` is the sha256 of the canonical JSON of the job without `authorization`
 * (object keys sorted, no whitespace; the hub's orchestration/authorization.ts does the same).
 * A relay that alters any field (participants, digest, session id) breaks the hash.
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { z } from 'zod';

export const JOB_TOKEN_TYPE = 'quorate-job+jwt';
const HEX32 = /^[0-9a-f]{64}$/;
const id = z.string().min(1).max(128);
const hex = z.string().regex(/^([0-9a-f]{2})*$/, 'lower-case hex');

export const participantSchema = z.strictObject({
  partyId: z.number().int().min(1).max(1024),
  cosignerId: id,
  role: z.enum(['primary', 'guard']),
  set: z.string().min(1).max(128).nullable(),
  identity: z.strictObject({
    signing: z.string().regex(HEX32, 'expected 32 bytes hex'),
    encryption: z.string().regex(HEX32, 'expected 32 bytes hex'),
  }),
});

export const jobSchema = z.strictObject({
  jobId: id,
  kind: z.enum(['keygen', 'aux-info', 'presign', 'sign', 'refresh', 'reshare', 'toy']),
  algorithm: z.enum(['ecdsa-secp256k1', 'eddsa-ed25519', 'schnorr-bip340', 'toy']),
  keyId: id.nullable(),
  sessionId: z.string().regex(HEX32, 'expected 64 lower-case hex digits'),
  participants: z.array(participantSchema).min(1).max(1024),
  threshold: z.number().int().min(1).max(1024).nullable(),
  /**
   * The API user the job is for (a sign job's designated signer; the API user that asked for a
   * keygen); null for hub-internal jobs (presign refills). Absent from older hubs: read as null.
   */
  apiUserId: id.nullable().optional(),
  request: z
    .strictObject({
      transactionId: id,
      operation: z.string().min(1).max(64),
      asset: z.string().min(1).max(256).nullable(),
      amount: z
        .string()
        .regex(/^(0|[1-9][0-9]{0,77})$/, 'a decimal integer of base units')
        .nullable(),
      destination: z.string().min(1).max(256).nullable(),
      digest: hex.max(2 * 4096),
      derivationPath: z
        .string()
        .regex(/^m(\/[0-9]{1,10})*$/, 'a non-hardened path like m/44/0/0')
        .nullable(),
      raw: z
        .strictObject({ kind: z.enum(['evm', 'psbt', 'solana']), data: hex.max(2 * (1 << 20)) })
        .nullable(),
      /** ECDSA: the jobId of the presign job whose presignature this signature consumes. */
      presignatureId: id.regex(/^[A-Za-z0-9._:@=+-]+$/, 'a presign jobId').optional(),
    })
    .nullable(),
  /**
   * `reshare` only: the old committee's dealers (party ids of old holders among the participants,
   * at least the old threshold), the new committee (party ids among the participants; their roles
   * and sets are the new schema, `threshold` the new threshold), the key's public key (hex, as
   * reported at keygen) and the old threshold. A co-signer in both committees keeps its party id.
   */
  reshare: z
    .strictObject({
      publicKey: z.string().regex(/^([0-9a-f]{2}){32,33}$/, '32 or 33 bytes hex'),
      oldThreshold: z.number().int().min(1).max(1024),
      dealers: z.array(z.number().int().min(1).max(1024)).min(1).max(1024),
      newParties: z.array(z.number().int().min(1).max(1024)).min(2).max(1024),
    })
    .optional(),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600_000),
  authorization: z.string().min(1).max(4096),
});

export type Job = z.output<typeof jobSchema>;
export type Participant = z.output<typeof participantSchema>;

export type JobProblem = 'malformed' | 'bad-authorization';

export class JobError extends Error {
  override readonly name = 'JobError';
  constructor(
    readonly problem: JobProblem,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses an untrusted job; JobError('malformed') names the first bad field. */
export function parseJob(input: unknown): Job {
  const r = jobSchema.safeParse(input);
  if (r.success) {
    const parties = new Set(r.data.participants.map((p) => p.partyId));
    const ids = new Set(r.data.participants.map((p) => p.cosignerId));
    if (parties.size !== r.data.participants.length || ids.size !== r.data.participants.length)
      throw new JobError('malformed', 'participants', 'a party id or co-signer id appears twice');
    checkReshare(r.data, parties);
    return r.data;
  }
  const issue = r.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = path.join('.') || '(root)';
  throw new JobError('malformed', field, `job: invalid ${field}: ${issue?.message ?? 'invalid'}`);
}

/** A reshare's committees: `reshare` present exactly for a reshare; dealers ∪ new = participants. */
function checkReshare(job: Job, parties: ReadonlySet<number>): void {
  if ((job.kind === 'reshare') !== (job.reshare !== undefined))
    throw new JobError(
      'malformed',
      'reshare',
      'job: `reshare` is required for, and only for, a reshare',
    );
  const rs = job.reshare;
  if (rs === undefined) return;
  const both = [...rs.dealers, ...rs.newParties];
  if (new Set(rs.dealers).size !== rs.dealers.length)
    throw new JobError('malformed', 'reshare.dealers', 'job: a dealer appears twice');
  if (new Set(rs.newParties).size !== rs.newParties.length)
    throw new JobError('malformed', 'reshare.newParties', 'job: a new party appears twice');
  if (both.some((p) => !parties.has(p)) || [...parties].some((p) => !both.includes(p)))
    throw new JobError(
      'malformed',
      'reshare',
      'job: the participants must be exactly the dealers and the new parties',
    );
  if (rs.dealers.length < rs.oldThreshold)
    throw new JobError('malformed', 'reshare.dealers', 'job: fewer dealers than the old threshold');
}

/** Canonical JSON: sorted object keys, no whitespace, safe integers only. */
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

export function jobHash(job: Job | Omit<Job, 'authorization'>): string {
  const { authorization: _drop, ...rest } = job as Job;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Checks `job.authorization` against the pinned hub key; throws JobError('bad-authorization'). */
export async function verifyJobAuthorization(
  job: Job,
  hubKey: KeyObject,
  nowMs: number,
): Promise<void> {
  let claims: Record<string, unknown>;
  try {
    const r = await jwtVerify(job.authorization, hubKey, {
      algorithms: ['ES256'],
      typ: JOB_TOKEN_TYPE,
      currentDate: new Date(nowMs),
      clockTolerance: 30,
      requiredClaims: ['jti', 'exp'],
    });
    claims = r.payload as Record<string, unknown>;
  } catch (e) {
    throw new JobError(
      'bad-authorization',
      'authorization',
      `job ${job.jobId}: authorization does not verify under the pinned hub key (${e instanceof Error ? e.name : 'error'})`,
    );
  }
  if (claims['jti'] !== job.jobId)
    throw new JobError(
      'bad-authorization',
      'jti',
      `job ${job.jobId}: authorization names another job`,
    );
  if (claims['jobSha256'] !== jobHash(job))
    throw new JobError(
      'bad-authorization',
      'jobSha256',
      `job ${job.jobId}: the job differs from what the hub authorized`,
    );
}
