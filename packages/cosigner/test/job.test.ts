/** Job validation and the hub's authorization (ES256 over the canonical job hash). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { JobError, canonicalJson, jobHash, parseJob, verifyJobAuthorization } from '../src/job.ts';
import type { Job } from '../src/job.ts';

const hub = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const id = { signing: 'ab'.repeat(32), encryption: 'cd'.repeat(32) };
const base: Omit<Job, 'authorization'> = {
  jobId: 'job-1',
  kind: 'sign',
  algorithm: 'eddsa-ed25519',
  keyId: 'key-1',
  sessionId: '11'.repeat(32),
  participants: [
    { partyId: 1, cosignerId: 'p1', role: 'primary', set: null, identity: id },
    { partyId: 2, cosignerId: 'g1', role: 'guard', set: 'A', identity: id },
  ],
  threshold: 2,
  request: {
    transactionId: 'tx-1',
    operation: 'transfer',
    asset: 'ETH',
    amount: '1000',
    destination: '0xabc',
    digest: 'aa'.repeat(32),
    derivationPath: 'm/44/60/0',
    raw: null,
  },
  timeoutMs: 30_000,
};

async function sign(
  job: Omit<Job, 'authorization'>,
  key: KeyObject = hub.privateKey,
  claims: Record<string, unknown> = {},
) {
  const iat = Math.floor(Date.now() / 1000);
  const authorization = await new SignJWT({ jobSha256: jobHash(job), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'quorate-job+jwt' })
    .setJti(job.jobId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(key);
  return { ...job, authorization } as Job;
}

async function problem(job: Job, key: KeyObject = hub.publicKey): Promise<string> {
  try {
    await verifyJobAuthorization(job, key, Date.now());
  } catch (e) {
    assert.ok(e instanceof JobError);
    return `${e.problem}:${e.field}`;
  }
  return 'ok';
}

describe('job', () => {
  test('canonical JSON sorts keys and drops nothing but undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined }),
      '{"a":[true,null,"x"],"b":1}',
    );
  });

  test('a signed job verifies', async () => {
    const job = parseJob(await sign(base));
    assert.equal(await problem(job), 'ok');
  });

  test('a bad signature (another key) is refused', async () => {
    assert.equal(
      await problem(await sign(base, other.privateKey)),
      'bad-authorization:authorization',
    );
  });

  test('a tampered job (digest, participants or session changed after signing) is refused', async () => {
    const signed = await sign(base);
    const digest = { ...signed, request: { ...signed.request!, digest: 'bb'.repeat(32) } };
    assert.equal(await problem(digest), 'bad-authorization:jobSha256');
    const parts = { ...signed, participants: [...signed.participants].reverse() };
    assert.equal(await problem(parts), 'bad-authorization:jobSha256');
    assert.equal(
      await problem({ ...signed, sessionId: '22'.repeat(32) }),
      'bad-authorization:jobSha256',
    );
  });

  test('an authorization of another job is refused', async () => {
    const other = await sign({ ...base, jobId: 'job-2' });
    assert.equal(await problem({ ...other, jobId: 'job-1' }), 'bad-authorization:jti');
  });

  test('malformed jobs name the field', () => {
    const f = (x: unknown) => {
      try {
        parseJob(x);
      } catch (e) {
        assert.ok(e instanceof JobError);
        return e.field;
      }
      return 'ok';
    };
    assert.equal(f({ ...base, authorization: 'x', extra: 1 }), 'extra');
    assert.equal(f({ ...base, authorization: 'x', sessionId: 'XYZ' }), 'sessionId');
    assert.equal(
      f({
        ...base,
        authorization: 'x',
        participants: [base.participants[0], base.participants[0]],
      }),
      'participants',
    );
    assert.equal(f({ ...base, authorization: 'x', kind: 'steal' }), 'kind');
  });
});
