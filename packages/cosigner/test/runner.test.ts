/**
 * The job loop without a network: a participant cannot speak for another party inside a frame
 * it legitimately sealed (the envelope's `from` must be the E2E sender's party), and a relayed
 * frame sealed for another job is dropped.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { codec, encodeEnvelope } from '@quorate/runtime';
import {
  MemoryBackend,
  OneTimeStore,
  PassphraseSeal,
  SecretStore,
  fileCounter,
} from '@quorate/secrets';
import { AuditLog, MemoryAuditSink } from '@quorate/cosigner-risk/audit';
import { CallbackClient } from '@quorate/cosigner-risk/callback';
import { RiskEngine, parseRiskRules } from '@quorate/cosigner-risk/rules';
import { sealFrame } from '../src/e2e.ts';
import {
  callbackSigningKey,
  createIdentity,
  generateIdentity,
  publicIdentity,
} from '../src/identity.ts';
import { jobHash } from '../src/job.ts';
import type { Job } from '../src/job.ts';
import { JobRunner } from '../src/jobs.ts';
import type { JobEvent, OutFrame } from '../src/jobs.ts';

const commit = codec.object({ C: codec.bytes({ len: 32 }) });

describe('job runner', () => {
  test('an envelope claiming another party than its E2E sender is dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-runner-'));
    const store = await SecretStore.create(
      new MemoryBackend(),
      new PassphraseSeal('p', { scrypt: { N: 1024, r: 8, p: 1 } }),
    );
    const me = createIdentity(store);
    const g1 = generateIdentity();
    const g2 = generateIdentity();
    const oneTime = OneTimeStore.open(store, fileCounter(join(dir, 'ctr')));
    const hubKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const sent: OutFrame[] = [];
    const events: JobEvent[] = [];
    const runner = new JobRunner({
      cosignerId: 'p1',
      apiUserIds: () => ['api-1'],
      identity: me,
      store,
      oneTime,
      hubJobKey: () => hubKey.publicKey,
      rules: new RiskEngine(parseRiskRules({ operations: { keygen: {} } })),
      callbacks: new CallbackClient({ signingKey: callbackSigningKey(me) }),
      handlers: () => [],
      audit: await AuditLog.open(new MemoryAuditSink(), { mode: 'redact' }),
      send: (f) => sent.push(f),
      onEvent: (e) => events.push(e),
    });
    const sessionId = '5a'.repeat(32);
    const unsigned: Omit<Job, 'authorization'> = {
      jobId: 'job-r',
      kind: 'toy',
      algorithm: 'toy',
      keyId: null,
      sessionId,
      participants: [
        { partyId: 1, cosignerId: 'p1', role: 'primary', set: null, identity: publicIdentity(me) },
        { partyId: 2, cosignerId: 'g1', role: 'guard', set: 'A', identity: publicIdentity(g1) },
        { partyId: 3, cosignerId: 'g2', role: 'guard', set: 'B', identity: publicIdentity(g2) },
      ],
      threshold: null,
      request: null,
      timeoutMs: 60_000,
    };
    const authorization = await new SignJWT({ jobSha256: jobHash(unsigned) })
      .setProtectedHeader({ alg: 'ES256', typ: 'quorate-job+jwt' })
      .setJti(unsigned.jobId)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(hubKey.privateKey);
    try {
      await runner.onJob({ ...unsigned, authorization });
      assert.deepEqual(sent[0], { type: 'job-accepted', jobId: 'job-r' });
      const keys = (i: typeof me) => ({ signing: i.signingPublic, encryption: i.encryptionPublic });
      const envelope = (from: number) =>
        encodeEnvelope({
          v: 1,
          session: sessionId,
          protocol: 'toy/coin-toss',
          version: 1,
          round: 1,
          phase: 'main',
          from,
          to: null,
          payload: commit.encode({ C: new Uint8Array(32).fill(7) }),
        });
      const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
      // g1 seals, correctly, a round-1 broadcast that claims to come from g2's party 3.
      runner.onEnvelope(
        'job-r',
        'g1',
        b64(sealFrame(g1, keys(me), 'job-r', 'g1', 'p1', envelope(3))),
      );
      assert.deepEqual(events.at(-1), {
        type: 'dropped',
        jobId: 'job-r',
        from: 'g1',
        reason: 'sender-mismatch',
      });
      // A frame g1 sealed for another job is dropped too.
      runner.onEnvelope(
        'job-r',
        'g1',
        b64(sealFrame(g1, keys(me), 'job-x', 'g1', 'p1', envelope(2))),
      );
      assert.deepEqual(events.at(-1), {
        type: 'dropped',
        jobId: 'job-r',
        from: 'g1',
        reason: 'bad-signature',
      });
      // Its own party is accepted (no drop event).
      const before = events.length;
      runner.onEnvelope(
        'job-r',
        'g1',
        b64(sealFrame(g1, keys(me), 'job-r', 'g1', 'p1', envelope(2))),
      );
      assert.equal(events.length, before);
      runner.onCancel('job-r', 'test over');
    } finally {
      oneTime.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
