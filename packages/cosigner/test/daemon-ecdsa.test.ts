/**
 * ECDSA (CGGMP21) jobs end to end through the daemon: three co-signers behind a FAKE in-process
 * hub run keygen, aux-info (committed 2048-bit fixture primes instead of a SafePrimePool), a
 * presign job whose presignature lands in each signer's one-time store, and a sign job consuming
 * it under a BIP32 path; the signature verifies with @noble/curves under the derived key. A second
 * sign job naming the consumed presignature is refused before any protocol message; a sign job
 * without a presignature runs presign and sign in one job (two sessions).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { deriveSecp256k1 } from '@quorate/hd';
import { fixtures } from '@quorate/paillier';
import { fixturePrimes } from '../src/ecdsa.ts';
import type { Job } from '../src/job.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { participant, startInstance } from './helpers/instance.ts';
import type { Instance } from './helpers/instance.ts';
import { createTestCa } from './helpers/tls.ts';

const hex32 = (n: number) => n.toString(16).padStart(64, '0');

describe('co-signer daemon: ECDSA (CGGMP21) jobs', () => {
  let hub: FakeHub;
  let p1: Instance;
  let g1: Instance;
  let g2: Instance;
  let all: Instance[];
  let sessionN = 1000;
  let root: { publicKey: string; chainCode: string };

  before(async () => {
    const ca = await createTestCa();
    hub = await FakeHub.start(ca);
    const pairs = fixtures.primes2048;
    const prime = (n: number) => fixturePrimes('2048', [pairs[n] as [bigint, bigint]]);
    p1 = await startInstance('p1', ca, hub, { primes: prime(0) });
    g1 = await startInstance('g1', ca, hub, { primes: prime(1) });
    g2 = await startInstance('g2', ca, hub, { primes: prime(2) });
    all = [p1, g1, g2];
    await hub.waitFor(() => all.every((i) => hub.conns.has(i.id)), 'three hellos');
  });

  after(async () => {
    await Promise.all(all.map((i) => i.close()));
    await hub.close();
  });

  // 2-of-3: the primary and any one guard of set A sign.
  const committee = () => [
    participant(p1, 1, 'primary', null),
    participant(g1, 2, 'guard', 'A'),
    participant(g2, 3, 'guard', 'A'),
  ];
  const clique = () => committee().slice(0, 2);

  async function send(
    job: Omit<Job, 'authorization' | 'sessionId' | 'algorithm' | 'timeoutMs'>,
    to: readonly Instance[],
  ): Promise<Job> {
    const signed = await hub.sign({
      ...job,
      algorithm: 'ecdsa-secp256k1',
      timeoutMs: 60_000,
      sessionId: hex32(sessionN++),
    });
    for (const i of to) hub.sendJob(i.id, signed);
    return signed;
  }
  const results = (jobId: string) => hub.framesOf(jobId, 'job-result');
  const request = (digest: string, presignatureId?: string): NonNullable<Job['request']> => ({
    transactionId: `tx-${digest.slice(0, 8)}`,
    operation: 'raw',
    asset: null,
    amount: null,
    destination: null,
    digest,
    derivationPath: 'm/0/5',
    raw: null,
    ...(presignatureId === undefined ? {} : { presignatureId }),
  });
  const statuses = (jobId: string) => results(jobId).map((r) => r.frame['status']);

  function verifyUnderPath(output: Record<string, unknown>, digest: string): void {
    const { signature, r, s, recoveryId } = output as {
      signature: string;
      r: string;
      s: string;
      recoveryId: number;
    };
    assert.equal(signature, r + s);
    const derived = deriveSecp256k1(
      Buffer.from(root.publicKey, 'hex'),
      Buffer.from(root.chainCode, 'hex'),
      'm/0/5',
    );
    const msg = Buffer.from(digest, 'hex');
    const sig = Buffer.from(signature, 'hex');
    const opts = { prehash: false, lowS: true, format: 'compact' } as const;
    assert.equal(secp256k1.verify(sig, msg, derived.publicKey, opts), true);
    // Under the root key it does not verify: the path was applied.
    assert.equal(secp256k1.verify(sig, msg, Buffer.from(root.publicKey, 'hex'), opts), false);
    const recovered = secp256k1.Signature.fromBytes(sig, 'compact')
      .addRecoveryBit(recoveryId)
      .recoverPublicKey(msg)
      .toBytes(true);
    assert.deepEqual(Buffer.from(recovered), Buffer.from(derived.publicKey));
  }

  test('keygen then aux-info: one public key, the share stored with aux-info', async () => {
    const kg = await send(
      {
        jobId: 'ec-kg',
        kind: 'keygen',
        keyId: 'key-ec',
        participants: committee(),
        threshold: 2,
        request: null,
      },
      all,
    );
    await hub.waitFor(() => results(kg.jobId).length === 3, 'three keygen results');
    assert.deepEqual(statuses(kg.jobId), ['done', 'done', 'done']);
    const outs = results(kg.jobId).map(
      (r) => r.frame['output'] as { publicKey: string; chainCode: string },
    );
    assert.equal(new Set(outs.map((o) => o.publicKey)).size, 1);
    assert.match(outs[0]?.publicKey ?? '', /^0[23][0-9a-f]{64}$/);
    root = outs[0] as { publicKey: string; chainCode: string };

    const aux = await send(
      {
        jobId: 'ec-aux',
        kind: 'aux-info',
        keyId: 'key-ec',
        participants: committee(),
        threshold: 2,
        request: null,
      },
      all,
    );
    await hub.waitFor(() => results(aux.jobId).length === 3, 'three aux-info results', 60_000);
    assert.deepEqual(statuses(aux.jobId), ['done', 'done', 'done']);
    for (const i of all) assert.notEqual(i.store.get('key-share', 'key-ec', 'cggmp21'), undefined);
  });

  test('presign stores a presignature; sign consumes it and verifies under the derived key', async () => {
    const pre = await send(
      {
        jobId: 'ec-pre-1',
        kind: 'presign',
        keyId: 'key-ec',
        participants: clique(),
        threshold: 2,
        request: null,
      },
      [p1, g1],
    );
    await hub.waitFor(() => results(pre.jobId).length === 2, 'two presign results', 60_000);
    assert.deepEqual(statuses(pre.jobId), ['done', 'done']);
    for (const i of [p1, g1])
      assert.notEqual(i.store.get('presignature', 'key-ec', 'ec-pre-1'), undefined);

    const digest = 'ab'.repeat(32);
    const sg = await send(
      {
        jobId: 'ec-sign-1',
        kind: 'sign',
        keyId: 'key-ec',
        participants: clique(),
        threshold: 2,
        request: request(digest, 'ec-pre-1'),
      },
      [p1, g1],
    );
    await hub.waitFor(() => results(sg.jobId).length === 2, 'two sign results');
    assert.deepEqual(statuses(sg.jobId), ['done', 'done']);
    const outs = results(sg.jobId).map((r) => r.frame['output'] as Record<string, unknown>);
    assert.deepEqual(outs[0], outs[1]);
    verifyUnderPath(outs[0] as Record<string, unknown>, digest);
    // Consumed: gone from the store, a tombstone in its place.
    for (const i of [p1, g1]) {
      assert.equal(i.store.get('presignature', 'key-ec', 'ec-pre-1'), undefined);
      assert.notEqual(i.store.get('presignature-consumed', 'key-ec', 'ec-pre-1'), undefined);
    }
  });

  test('a sign job naming a consumed presignature is refused before any message', async () => {
    const sg = await send(
      {
        jobId: 'ec-sign-again',
        kind: 'sign',
        keyId: 'key-ec',
        participants: clique(),
        threshold: 2,
        request: request('cd'.repeat(32), 'ec-pre-1'),
      },
      [p1, g1],
    );
    await hub.waitFor(() => hub.framesOf(sg.jobId, 'job-refused').length === 2, 'two refusals');
    for (const i of [p1, g1]) {
      const e = i.events.find((x) => x.type === 'refused' && x.jobId === sg.jobId);
      assert.equal(e?.type === 'refused' ? e.check : undefined, 'presignature');
      assert.equal(
        e?.type === 'refused' ? e.reason : undefined,
        'presignature ec-pre-1 was already consumed',
      );
    }
    // The frame names the check, so the hub can retry without the presignature.
    assert.deepEqual(
      hub.framesOf(sg.jobId, 'job-refused').map((f) => f.frame['check']),
      ['presignature', 'presignature'],
    );
    assert.equal(hub.framesOf(sg.jobId, 'envelope').length, 0);
    assert.equal(hub.framesOf(sg.jobId, 'job-accepted').length, 0);
  });

  test('a sign job naming an unknown presignature is refused before any message', async () => {
    const sg = await send(
      {
        jobId: 'ec-sign-unknown',
        kind: 'sign',
        keyId: 'key-ec',
        participants: clique(),
        threshold: 2,
        request: request('cd'.repeat(32), 'ec-pre-none'),
      },
      [p1, g1],
    );
    await hub.waitFor(() => hub.framesOf(sg.jobId, 'job-refused').length === 2, 'two refusals');
    for (const i of [p1, g1]) {
      const e = i.events.find((x) => x.type === 'refused' && x.jobId === sg.jobId);
      assert.equal(e?.type === 'refused' ? e.check : undefined, 'presignature');
      assert.equal(
        e?.type === 'refused' ? e.reason : undefined,
        'no presignature ec-pre-none for key key-ec',
      );
    }
    assert.equal(hub.framesOf(sg.jobId, 'envelope').length, 0);
  });

  test('a sign job without a presignature runs presign then sign in one job', async () => {
    const digest = 'ef'.repeat(32);
    const sg = await send(
      {
        jobId: 'ec-sign-fresh',
        kind: 'sign',
        keyId: 'key-ec',
        participants: [participant(p1, 1, 'primary', null), participant(g2, 3, 'guard', 'A')],
        threshold: 2,
        request: request(digest),
      },
      [p1, g2],
    );
    await hub.waitFor(() => results(sg.jobId).length === 2, 'two sign results', 60_000);
    assert.deepEqual(statuses(sg.jobId), ['done', 'done']);
    const outs = results(sg.jobId).map((r) => r.frame['output'] as Record<string, unknown>);
    assert.deepEqual(outs[0], outs[1]);
    verifyUnderPath(outs[0] as Record<string, unknown>, digest);
    // Nothing kept: the presignature lived only in memory.
    for (const i of [p1, g2]) assert.deepEqual(i.store.list('presignature', 'key-ec'), []);
  });
});
