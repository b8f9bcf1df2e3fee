/**
 * Jobs name their API user (relay contract `Job.apiUserId`): the primary co-signer p1, paired with
 * two API users that each have their own callback handler, runs exactly the named user's handler;
 * a keygen naming none of its users asks each handler once; a sign job for an API user that is not
 * paired with the primary (or for none) is refused (check `api-user`) before any handler is asked
 * and before any protocol message; guards take part in other users' signatures, subject to
 * their own embedded rules, which see the job's API user (g2 signs only for api-a and api-b).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  callbackListener,
  createCallbackHandler,
  generateCallbackKeyPair,
  importPublicKey,
} from '@quorate/callback';
import type { TxSignRequest } from '@quorate/callback';
import { identityPublicKeyPem } from '../src/identity.ts';
import type { Job } from '../src/job.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { participant, startInstance } from './helpers/instance.ts';
import type { Instance } from './helpers/instance.ts';
import { createTestCa } from './helpers/tls.ts';

const DENIED_BY_B = 'bb'.repeat(32);
const hex32 = (n: number) => n.toString(16).padStart(64, '0');

interface Handler {
  readonly server: Server;
  readonly url: string;
  readonly publicKeyPem: string;
  /** What this handler was asked: operation and API user of each request. */
  readonly seen: { operation: string; apiUserId: string }[];
}

describe('co-signer: jobs for an API user', () => {
  let hub: FakeHub;
  let p1: Instance;
  let g1: Instance;
  let g2: Instance;
  let all: Instance[];
  let handlerA: Handler;
  let handlerB: Handler;
  let sessionN = 1;
  const p1Key: { pem?: string } = {};

  async function startHandler(deny: string | null): Promise<Handler> {
    const keys = await generateCallbackKeyPair('ES256');
    const seen: { operation: string; apiUserId: string }[] = [];
    const handler = {
      // Built lazily: p1's identity key exists only once p1 started.
      h: undefined as ReturnType<typeof createCallbackHandler> | undefined,
    };
    const server = createServer(
      callbackListener({
        handle: async (path, body) => {
          handler.h ??= createCallbackHandler({
            cosignerKeys: [await importPublicKey(p1Key.pem as string, 'EdDSA')],
            handlerKey: keys.privateKey,
            onTxSignRequest: (req: TxSignRequest) => {
              seen.push({ operation: req.operation, apiUserId: req.apiUserId });
              return deny !== null && req.digests.includes(deny)
                ? { action: 'REJECT', rejectionReason: 'denied by handler B' }
                : { action: 'APPROVE' };
            },
          });
          return handler.h.handle(path, body);
        },
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      server,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      publicKeyPem: keys.publicKeyPem,
      seen,
    };
  }

  before(async () => {
    const ca = await createTestCa();
    hub = await FakeHub.start(ca);
    handlerA = await startHandler(null);
    handlerB = await startHandler(DENIED_BY_B);
    p1 = await startInstance('p1', ca, hub, {
      apiUserIds: ['api-a', 'api-b'],
      callbackHandlers: [
        { apiUserId: 'api-a', url: handlerA.url, publicKeyPem: handlerA.publicKeyPem },
        { apiUserId: 'api-b', url: handlerB.url, publicKeyPem: handlerB.publicKeyPem },
      ],
    });
    p1Key.pem = identityPublicKeyPem(p1.identity);
    g1 = await startInstance('g1', ca, hub);
    // g2's embedded rules are per API user: it signs only for api-a and api-b.
    g2 = await startInstance('g2', ca, hub, {
      rules: { operations: { keygen: {}, sign: { apiUsers: ['api-a', 'api-b'] } } },
    });
    all = [p1, g1, g2];
    await hub.waitFor(() => all.every((i) => hub.conns.has(i.id)), 'three hellos');
  });

  after(async () => {
    await Promise.all(all.map((i) => i.close()));
    await hub.close();
    for (const h of [handlerA, handlerB]) await new Promise<void>((r) => h.server.close(() => r()));
  });

  const participants = () => [
    participant(p1, 1, 'primary', null),
    participant(g1, 2, 'guard', 'A'),
    participant(g2, 3, 'guard', 'B'),
  ];

  async function send(job: Omit<Job, 'authorization' | 'sessionId'>): Promise<Job> {
    const signed = await hub.sign({ ...job, sessionId: hex32(sessionN++) });
    for (const i of all) hub.sendJob(i.id, signed);
    return signed;
  }

  const results = (jobId: string) => hub.framesOf(jobId, 'job-result');
  const sign = (jobId: string, apiUserId: string | null, digest: string) =>
    send({
      jobId,
      kind: 'sign',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-u',
      participants: participants(),
      threshold: 3,
      apiUserId,
      request: {
        transactionId: `tx-${jobId}`,
        operation: 'raw',
        asset: null,
        amount: null,
        destination: null,
        digest,
        derivationPath: null,
        raw: null,
      },
      timeoutMs: 20_000,
    });

  const cancelOthers = (jobId: string) => {
    for (const i of [g1, g2])
      hub.conns.get(i.id)?.send(JSON.stringify({ type: 'cancel', jobId, reason: 'p1 refused' }));
  };

  test('a keygen naming no API user of p1 asks each of its handlers once', async () => {
    const kg = await send({
      jobId: 'u-kg',
      kind: 'keygen',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-u',
      participants: participants(),
      threshold: 3,
      apiUserId: null,
      request: null,
      timeoutMs: 20_000,
    });
    await hub.waitFor(() => results(kg.jobId).length === 3, 'three keygen results');
    assert.deepEqual(handlerA.seen, [{ operation: 'keygen', apiUserId: 'api-a' }]);
    assert.deepEqual(handlerB.seen, [{ operation: 'keygen', apiUserId: 'api-a' }]);
  });

  test('a sign for API user a runs only a’s handler, and completes', async () => {
    const job = await sign('u-sign-a', 'api-a', DENIED_BY_B);
    await hub.waitFor(() => results(job.jobId).length === 3, 'three sign results');
    assert.deepEqual(
      results(job.jobId).map((r) => r.frame['status']),
      ['done', 'done', 'done'],
    );
    // B would have refused this digest: it was not asked.
    assert.deepEqual(handlerA.seen.at(-1), { operation: 'sign', apiUserId: 'api-a' });
    assert.equal(handlerB.seen.length, 1);
  });

  test('a sign for API user b runs b’s handler; its REJECT refuses before any message', async () => {
    const before = handlerA.seen.length;
    const job = await sign('u-sign-b', 'api-b', DENIED_BY_B);
    await hub.waitFor(
      () => hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'p1'),
      'p1 refusal',
    );
    const refusal = hub.framesOf(job.jobId, 'job-refused').find((f) => f.from === 'p1');
    assert.match(String(refusal?.frame['reason']), /REJECT \(denied by handler B\)/);
    assert.deepEqual(handlerB.seen.at(-1), { operation: 'sign', apiUserId: 'api-b' });
    assert.equal(handlerA.seen.length, before);
    assert.deepEqual(
      hub
        .framesOf(job.jobId)
        .filter((f) => f.from === 'p1')
        .map((f) => f.frame['type']),
      ['job-refused'],
    );
    cancelOthers(job.jobId);
  });

  for (const [name, apiUserId] of [
    ['an API user not paired with the primary', 'api-of-someone-else'],
    ['no API user', null],
  ] as const)
    test(`a sign for ${name} is refused by the primary (api-user), no handler asked`, async () => {
      const asked = handlerA.seen.length + handlerB.seen.length;
      const job = await sign(`u-sign-${apiUserId ?? 'none'}`, apiUserId, 'cc'.repeat(32));
      await hub.waitFor(
        () => hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'p1'),
        'p1 refusal',
      );
      const refusal = hub.framesOf(job.jobId, 'job-refused').find((f) => f.from === 'p1');
      assert.equal(
        refusal?.frame['reason'],
        apiUserId === null
          ? 'the sign job names no API user'
          : `API user ${apiUserId} is not paired with this co-signer`,
      );
      assert.equal(
        p1.events.some(
          (e) => e.type === 'refused' && e.jobId === job.jobId && e.check === 'api-user',
        ),
        true,
      );
      assert.equal(handlerA.seen.length + handlerB.seen.length, asked);
      assert.deepEqual(
        hub
          .framesOf(job.jobId)
          .filter((f) => f.from === 'p1')
          .map((f) => f.frame['type']),
        ['job-refused'],
      );
      // The check is the primary's: g1 (a guard) accepted. g2's rule allows api-a and api-b
      // only; a job naming no API user is shown to its rules as g2's own first API user.
      await hub.waitFor(
        () =>
          hub.framesOf(job.jobId, 'job-accepted').some((f) => f.from === 'g1') &&
          hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'g2'),
        'g1 acceptance, g2 refusal',
      );
      const byRule = hub.framesOf(job.jobId, 'job-refused').find((f) => f.from === 'g2');
      assert.equal(
        byRule?.frame['reason'],
        `embedded rule operation: API user ${apiUserId ?? 'api-g2'} may not sign`,
      );
      cancelOthers(job.jobId);
    });
});
