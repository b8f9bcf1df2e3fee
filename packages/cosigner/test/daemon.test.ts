/**
 * Daemon-level test: three co-signer instances connect over mTLS WebSocket to a FAKE in-process
 * hub, which sends them jobs and relays their end-to-end protected envelopes. A toy job, a FROST
 * Ed25519 keygen and a FROST sign complete; a job refused by an embedded rule (rate limit) or by a
 * callback REJECT is refused before that co-signer sends any protocol message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { generateKeyPairSync } from 'node:crypto';
import {
  callbackListener,
  createCallbackHandler,
  generateCallbackKeyPair,
  importPublicKey,
} from '@quorate/callback';
import type { CallbackHandler } from '@quorate/callback';
import { createCosignerMetrics } from '@quorate/cosigner-risk/metrics';
import { identityPublicKeyPem } from '../src/identity.ts';
import type { Job } from '../src/job.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { participant, startInstance } from './helpers/instance.ts';
import type { Instance } from './helpers/instance.ts';
import { createTestCa } from './helpers/tls.ts';

const FORBIDDEN_DIGEST = 'ff'.repeat(32);
const hex32 = (n: number) => n.toString(16).padStart(64, '0');

describe('co-signer daemon with a fake hub', () => {
  let hub: FakeHub;
  let p1: Instance;
  let g1: Instance;
  let g2: Instance;
  let cbServer: Server;
  let all: Instance[];
  let sessionN = 1;
  const g1Metrics = createCosignerMetrics();

  before(async () => {
    const ca = await createTestCa();
    hub = await FakeHub.start(ca);
    // The callback handler of p1: approves everything but a signature over FORBIDDEN_DIGEST.
    const handlerKey = await generateCallbackKeyPair('ES256');
    const ref: { h?: CallbackHandler } = {};
    cbServer = createServer(
      callbackListener({ handle: (p, b) => (ref.h as CallbackHandler).handle(p, b) }),
    );
    await new Promise<void>((r) => cbServer.listen(0, '127.0.0.1', () => r()));
    const cbUrl = `http://127.0.0.1:${(cbServer.address() as AddressInfo).port}`;
    p1 = await startInstance('p1', ca, hub, {
      callback: { url: cbUrl, publicKeyPem: handlerKey.publicKeyPem },
    });
    ref.h = createCallbackHandler({
      cosignerKeys: [await importPublicKey(identityPublicKeyPem(p1.identity), 'EdDSA')],
      handlerKey: handlerKey.privateKey,
      onTxSignRequest: (req) =>
        req.digests.includes(FORBIDDEN_DIGEST)
          ? { action: 'REJECT', rejectionReason: 'digest on the deny list' }
          : { action: 'APPROVE' },
    });
    g1 = await startInstance('g1', ca, hub, { metrics: g1Metrics });
    // g2 signs at most twice per hour (embedded rate limit): the third sign job is refused.
    g2 = await startInstance('g2', ca, hub, {
      rules: {
        operations: { keygen: {}, sign: {} },
        rateLimits: [{ operation: 'sign', max: 2, windowSeconds: 3600 }],
      },
    });
    all = [p1, g1, g2];
    await hub.waitFor(() => all.every((i) => hub.conns.has(i.id)), 'three hellos');
  });

  after(async () => {
    await Promise.all(all.map((i) => i.close()));
    await hub.close();
    await new Promise<void>((r) => cbServer.close(() => r()));
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

  test('a toy job completes on all three co-signers', async () => {
    const job = await send({
      jobId: 'job-toy-1',
      kind: 'toy',
      algorithm: 'toy',
      keyId: null,
      participants: participants(),
      threshold: null,
      request: null,
      timeoutMs: 20_000,
    });
    await hub.waitFor(() => results(job.jobId).length === 3, 'three toy results');
    assert.deepEqual(
      results(job.jobId)
        .map((r) => [r.from, r.frame['status'], r.frame['output']])
        .sort(),
      [
        ['g1', 'done', {}],
        ['g2', 'done', {}],
        ['p1', 'done', {}],
      ],
    );
    assert.equal(hub.framesOf(job.jobId, 'job-accepted').length, 3);
    // The same coin everywhere (local output, never sent to the hub).
    const coins = all.map(
      (i) =>
        (
          i.events.find((e) => e.type === 'done' && e.jobId === job.jobId) as {
            local: { coin: string };
          }
        ).local.coin,
    );
    assert.equal(new Set(coins).size, 1);
    // Counted in g1's metrics.
    const runs = await g1Metrics.protocolRuns.get();
    assert.deepEqual(
      runs.values.map((v) => [v.labels, v.value]),
      [[{ protocol: 'toy/toy', outcome: 'done' }, 1]],
    );
    const decisions = await g1Metrics.riskDecisions.get();
    assert.deepEqual(
      decisions.values.map((v) => [v.labels, v.value]),
      [[{ decision: 'approve', decided_by: 'rules' }, 1]],
    );
  });

  test('FROST Ed25519 keygen then sign complete, and the signature verifies', async () => {
    const kg = await send({
      jobId: 'job-kg-1',
      kind: 'keygen',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-ed',
      participants: participants(),
      threshold: 3,
      request: null,
      timeoutMs: 20_000,
    });
    await hub.waitFor(() => results(kg.jobId).length === 3, 'three keygen results');
    const outs = results(kg.jobId).map(
      (r) => r.frame['output'] as { publicKey: string; chainCode: string },
    );
    assert.equal(new Set(outs.map((o) => o.publicKey)).size, 1);
    assert.match(outs[0]?.publicKey ?? '', /^[0-9a-f]{64}$/);
    assert.match(outs[0]?.chainCode ?? '', /^[0-9a-f]{64}$/);
    // The share is in each co-signer's store, not in any frame.
    for (const i of all) assert.notEqual(i.store.get('key-share', 'key-ed', 'frost'), undefined);

    const message = Buffer.from('quorate daemon test message').toString('hex');
    const sg = await send({
      jobId: 'job-sign-1',
      kind: 'sign',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-ed',
      participants: participants(),
      threshold: 3,
      request: {
        transactionId: 'tx-1',
        operation: 'raw',
        asset: null,
        amount: null,
        destination: null,
        digest: message,
        derivationPath: null,
        raw: null,
      },
      timeoutMs: 20_000,
    });
    await hub.waitFor(() => results(sg.jobId).length === 3, 'three sign results');
    const sigs = results(sg.jobId).map(
      (r) => (r.frame['output'] as { signature: string }).signature,
    );
    assert.equal(new Set(sigs).size, 1);
    assert.equal(
      ed25519.verify(
        Buffer.from(sigs[0] as string, 'hex'),
        Buffer.from(message, 'hex'),
        Buffer.from(outs[0]?.publicKey as string, 'hex'),
      ),
      true,
    );
    // Each signer's nonce was consumed in the one-time store (tombstone present).
    for (const i of all) assert.equal(i.store.list('nonce-consumed', 'key-ed').length, 1);
  });

  test('FROST BIP340 keygen then sign complete, and the signature verifies', async () => {
    const kg = await send({
      jobId: 'job-kg-tr',
      kind: 'keygen',
      algorithm: 'schnorr-bip340',
      keyId: 'key-tr',
      participants: participants(),
      threshold: 3,
      request: null,
      timeoutMs: 20_000,
    });
    await hub.waitFor(() => results(kg.jobId).length === 3, 'three keygen results');
    const pub = (results(kg.jobId)[0]?.frame['output'] as { publicKey: string }).publicKey;
    const digest = 'ab'.repeat(32);
    // g2's rate limit counts this second signature.
    const sg = await send({
      jobId: 'job-sign-tr',
      kind: 'sign',
      algorithm: 'schnorr-bip340',
      keyId: pub, // a key may be named by its public key
      participants: participants(),
      threshold: 3,
      request: {
        transactionId: 'tx-tr',
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
    await hub.waitFor(() => results(sg.jobId).length === 3, 'three sign results');
    const sig = (results(sg.jobId)[0]?.frame['output'] as { signature: string }).signature;
    // BIP86: Q = lift_x(P) + H_TapTweak(x(P))·G; the signature verifies under x(Q), not x(P).
    const P = secp256k1.Point.fromBytes(Buffer.from(pub, 'hex'));
    const xP = P.toBytes(true).subarray(1);
    const t = BigInt('0x' + Buffer.from(schnorr.utils.taggedHash('TapTweak', xP)).toString('hex'));
    const even = P.toBytes(true)[0] === 2 ? P : P.negate();
    const xQ = even.add(secp256k1.Point.BASE.multiply(t)).toBytes(true).subarray(1);
    const sigBytes = Buffer.from(sig, 'hex');
    const msg = Buffer.from(digest, 'hex');
    assert.equal(schnorr.verify(sigBytes, msg, xQ), true);
    assert.equal(schnorr.verify(sigBytes, msg, xP), false);
  });

  test('a job signed by another key, a swapped peer key or a non-clique is refused by all', async () => {
    const base = {
      kind: 'toy' as const,
      algorithm: 'toy' as const,
      keyId: null,
      threshold: null,
      request: null,
      timeoutMs: 5_000,
    };
    // Bad authorization: signed by a key the co-signers did not pin.
    const forged = await hub.sign(
      { ...base, jobId: 'job-forged', participants: participants(), sessionId: hex32(sessionN++) },
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
    );
    for (const i of all) hub.sendJob(i.id, forged);
    // Tampered after signing: the time-out changed.
    const good = await hub.sign({
      ...base,
      jobId: 'job-tampered',
      participants: participants(),
      sessionId: hex32(sessionN++),
    });
    const tampered = { ...good, timeoutMs: 6_000 };
    for (const i of all) hub.sendJob(i.id, tampered);
    // A swapped identity key for g2 (the hub cannot replace a pinned key).
    const swapped = participants();
    swapped[2] = {
      ...swapped[2]!,
      identity: { ...swapped[2]!.identity, encryption: '77'.repeat(32) },
    };
    await send({ ...base, jobId: 'job-swapped', participants: swapped });
    // Two guards of the same set: not a clique.
    const twoA = participants();
    twoA[2] = { ...twoA[2]!, set: 'A' };
    await send({ ...base, jobId: 'job-two-a', participants: twoA });

    const checks = (jobId: string) => {
      const list = all.map((i) => {
        const e = i.events.find((x) => x.type === 'refused' && x.jobId === jobId);
        return e?.type === 'refused' ? e.check : undefined;
      });
      return list;
    };
    for (const j of ['job-forged', 'job-tampered', 'job-swapped', 'job-two-a'])
      await hub.waitFor(() => hub.framesOf(j, 'job-refused').length === 3, `${j} refusals`);
    assert.deepEqual(checks('job-forged'), ['authorization', 'authorization', 'authorization']);
    assert.deepEqual(checks('job-tampered'), ['authorization', 'authorization', 'authorization']);
    // p1 and g1 refuse g2's swapped key; g2 itself sees its own keys misstated.
    assert.deepEqual(checks('job-swapped'), ['pinning', 'pinning', 'pinning']);
    assert.deepEqual(checks('job-two-a'), ['clique', 'clique', 'clique']);
    for (const j of ['job-forged', 'job-tampered', 'job-swapped', 'job-two-a'])
      assert.equal(hub.framesOf(j, 'envelope').length, 0);
  });

  test('a raw transaction that does not yield the digest is refused (digest check) by all', async () => {
    const job = await send({
      jobId: 'job-raw-bad',
      kind: 'sign',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-ed',
      participants: participants(),
      threshold: 3,
      request: {
        transactionId: 'tx-raw',
        operation: 'transfer',
        asset: 'ETH',
        amount: '1',
        destination: '0x1111111111111111111111111111111111111111',
        digest: 'cc'.repeat(32),
        derivationPath: null,
        raw: { kind: 'evm', data: 'deadbeef' },
      },
      timeoutMs: 20_000,
    });
    await hub.waitFor(() => hub.framesOf(job.jobId, 'job-refused').length === 3, 'three refusals');
    for (const i of all) {
      const e = i.events.find((x) => x.type === 'refused' && x.jobId === job.jobId);
      assert.equal(e?.type === 'refused' ? e.check : undefined, 'digest');
    }
    assert.equal(hub.framesOf(job.jobId, 'envelope').length, 0);
  });

  test('an embedded rule (rate limit) refuses before any protocol message is sent', async () => {
    const job = await send({
      jobId: 'job-sign-2',
      kind: 'sign',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-ed',
      participants: participants(),
      threshold: 3,
      request: {
        transactionId: 'tx-2',
        operation: 'raw',
        asset: null,
        amount: null,
        destination: null,
        digest: 'aa'.repeat(32),
        derivationPath: null,
        raw: null,
      },
      timeoutMs: 20_000,
    });
    await hub.waitFor(
      () => hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'g2'),
      'g2 refusal',
    );
    const refusal = hub.framesOf(job.jobId, 'job-refused').find((f) => f.from === 'g2');
    assert.match(String(refusal?.frame['reason']), /^embedded rule rate-limit: /);
    assert.equal(
      g2.events.some((e) => e.type === 'refused' && e.jobId === job.jobId && e.check === 'rules'),
      true,
    );
    // The others accepted and started; g2 sent nothing for this job but its refusal.
    await hub.waitFor(
      () => hub.framesOf(job.jobId, 'job-accepted').length === 2,
      'two acceptances',
    );
    assert.deepEqual(
      hub
        .framesOf(job.jobId)
        .filter((f) => f.from === 'g2')
        .map((f) => f.frame['type']),
      ['job-refused'],
    );
    for (const i of [p1, g1])
      hub.conns
        .get(i.id)
        ?.send(JSON.stringify({ type: 'cancel', jobId: job.jobId, reason: 'g2 refused' }));
  });

  test('a callback REJECT refuses before any protocol message is sent', async () => {
    const job = await send({
      jobId: 'job-sign-3',
      kind: 'sign',
      algorithm: 'eddsa-ed25519',
      keyId: 'key-ed',
      participants: participants(),
      threshold: 3,
      request: {
        transactionId: 'tx-3',
        operation: 'raw',
        asset: null,
        amount: null,
        destination: null,
        digest: FORBIDDEN_DIGEST,
        derivationPath: null,
        raw: null,
      },
      timeoutMs: 20_000,
    });
    await hub.waitFor(
      () => hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'p1'),
      'p1 refusal',
    );
    const refusal = hub.framesOf(job.jobId, 'job-refused').find((f) => f.from === 'p1');
    assert.match(String(refusal?.frame['reason']), /REJECT \(digest on the deny list\)/);
    assert.equal(
      p1.events.some(
        (e) => e.type === 'refused' && e.jobId === job.jobId && e.check === 'callback',
      ),
      true,
    );
    assert.deepEqual(
      hub
        .framesOf(job.jobId)
        .filter((f) => f.from === 'p1')
        .map((f) => f.frame['type']),
      ['job-refused'],
    );
    hub.conns
      .get('g1')
      ?.send(JSON.stringify({ type: 'cancel', jobId: job.jobId, reason: 'refused' }));
  });
});
