/**
 * Key lifecycle of a FROST (Ed25519) key through the daemon, behind the FAKE hub (issue 9 item 1):
 * keygen 2-of-3, refresh (same key, new shares), reshare 2-of-3 → 3-of-5 (adding two co-signers)
 * → 2-of-3 (removing two), signing after each step with the same public key (@noble verifies);
 * the co-signers that left hold nothing of the key; a new member crashing mid-reshare leaves the
 * old committee's shares active (and signing) with no pending share; a co-signer whose rules do
 * not allow reshare refuses the job before any message; a malformed reshare job is refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseKeyShare } from '@quorate/frost';
import {
  callbackListener,
  createCallbackHandler,
  generateCallbackKeyPair,
  importPublicKey,
} from '@quorate/callback';
import type { CallbackHandler, ConfigChangeRequest } from '@quorate/callback';
import { identityPublicKeyPem } from '../src/identity.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { participant, startInstance } from './helpers/instance.ts';
import type { Instance } from './helpers/instance.ts';
import { ALLOW_LIFECYCLE, forApiUser, lifecycleDriver, rawRequest } from './helpers/lifecycle.ts';
import type { JobInput } from './helpers/lifecycle.ts';
import { createTestCa } from './helpers/tls.ts';

const ALG = 'eddsa-ed25519' as const;
const KEY = 'key-life';

describe('co-signer daemon: FROST refresh and reshare', () => {
  let hub: FakeHub;
  let p1: Instance, g1: Instance, g2: Instance, g3: Instance, g4: Instance;
  let crashy: Instance, strict: Instance, guarded: Instance;
  let cbServer: Server;
  const asked: ConfigChangeRequest[] = [];
  let all: Instance[];
  let d: ReturnType<typeof lifecycleDriver>;
  let publicKey: string;

  before(async () => {
    const ca = await createTestCa();
    hub = await FakeHub.start(ca);
    const open = (id: string) => startInstance(id, ca, hub, { rules: ALLOW_LIFECYCLE });
    const opened = await Promise.all(['p1', 'g1', 'g2', 'g3', 'g4', 'crashy'].map(open));
    [p1, g1, g2, g3, g4, crashy] = opened as [
      Instance,
      Instance,
      Instance,
      Instance,
      Instance,
      Instance,
    ];
    // `strict` allows keygen and sign only (the default test rules): it refuses any reshare.
    strict = await startInstance('strict', ca, hub);
    // `guarded`'s rules allow everything, but its callback handler rejects every key change.
    const handlerKey = await generateCallbackKeyPair('ES256');
    const ref: { h?: CallbackHandler } = {};
    cbServer = createServer(
      callbackListener({ handle: (p, b) => (ref.h as CallbackHandler).handle(p, b) }),
    );
    await new Promise<void>((r) => cbServer.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(cbServer.address() as AddressInfo).port}`;
    guarded = await startInstance('guarded', ca, hub, {
      rules: ALLOW_LIFECYCLE,
      callback: { url, publicKeyPem: handlerKey.publicKeyPem },
    });
    ref.h = createCallbackHandler({
      cosignerKeys: [await importPublicKey(identityPublicKeyPem(guarded.identity), 'EdDSA')],
      handlerKey: handlerKey.privateKey,
      onTxSignRequest: () => ({ action: 'APPROVE' }),
      onConfigChangeRequest: (req) => {
        asked.push(req);
        return { action: 'REJECT', rejectionReason: 'no key changes this week' };
      },
    });
    all = [p1, g1, g2, g3, g4, crashy, strict, guarded];
    await hub.waitFor(() => all.every((i) => hub.conns.has(i.id)), 'eight hellos');
    d = lifecycleDriver(hub, 5000);
  });

  after(async () => {
    await Promise.all(all.map((i) => i.close()));
    await hub.close();
    await new Promise<void>((r) => cbServer.close(() => r()));
  });

  const share = (i: Instance) => i.store.get('key-share', KEY, 'frost');
  const pending = (i: Instance) => i.store.get('key-share-pending', KEY, 'frost');

  async function signAndVerify(signers: ReturnType<typeof participant>[], tag: string) {
    const message = Buffer.from(`quorate lifecycle ${tag}`).toString('hex');
    const to = all.filter((i) => signers.some((s) => s.cosignerId === i.id));
    const job = await d.send(
      {
        jobId: `sign-${tag}`,
        kind: 'sign',
        algorithm: ALG,
        keyId: KEY,
        participants: signers,
        threshold: signers.length,
        ...forApiUser('api-p1'),
        request: rawRequest(message),
      },
      to,
    );
    const out = await d.done(job, to, `sign ${tag}`);
    const sig = Buffer.from(out['signature'] as string, 'hex');
    const ok = ed25519.verify(sig, Buffer.from(message, 'hex'), Buffer.from(publicKey, 'hex'));
    assert.equal(ok, true, `signature ${tag} verifies under the original public key`);
  }

  function reshareJob(
    jobId: string,
    participants: ReturnType<typeof participant>[],
    spec: { oldThreshold: number; dealers: number[]; newParties: number[]; threshold: number },
  ): JobInput {
    return {
      jobId,
      kind: 'reshare',
      algorithm: ALG,
      keyId: KEY,
      participants,
      threshold: spec.threshold,
      request: null,
      reshare: {
        publicKey,
        oldThreshold: spec.oldThreshold,
        dealers: spec.dealers,
        newParties: spec.newParties,
      },
    };
  }

  // 2-of-3: primary p1 (1) and one guard of set A {g1 (2), g2 (3)}.
  const committee23 = () => [
    participant(p1, 1, 'primary', null),
    participant(g1, 2, 'guard', 'A'),
    participant(g2, 3, 'guard', 'A'),
  ];

  test('keygen 2-of-3, then refresh: same key, new shares, and it still signs', async () => {
    const kg = await d.send(
      {
        jobId: 'life-kg',
        kind: 'keygen',
        algorithm: ALG,
        keyId: KEY,
        participants: committee23(),
        threshold: 2,
        request: null,
      },
      [p1, g1, g2],
    );
    publicKey = (await d.done(kg, [p1, g1, g2], 'keygen'))['publicKey'] as string;
    const before = [p1, g1, g2].map((i) => parseKeyShare(share(i) as Uint8Array));

    const rf = await d.send(
      {
        jobId: 'life-refresh',
        kind: 'refresh',
        algorithm: ALG,
        keyId: KEY,
        participants: committee23(),
        threshold: 2,
        request: null,
      },
      [p1, g1, g2],
    );
    const out = await d.done(rf, [p1, g1, g2], 'refresh');
    assert.equal(out['publicKey'], publicKey);
    assert.match(String(out['confirmation']), /^[0-9a-f]{64}$/);
    for (const [n, i] of [p1, g1, g2].entries()) {
      const after = parseKeyShare(share(i) as Uint8Array);
      assert.notEqual(after.secretShare, before[n]?.secretShare, `${i.id}: a new share`);
      assert.equal(after.publicKey.equals(before[n]?.publicKey as typeof after.publicKey), true);
      assert.equal(pending(i), undefined, `${i.id}: nothing left pending`);
    }
    await signAndVerify(committee23().slice(0, 2), 'after-refresh');
  });

  test('a co-signer whose rules do not allow reshare refuses it before any message', async () => {
    const job = await d.send(
      reshareJob('life-reshare-strict', [...committee23(), participant(strict, 4, 'guard', 'B')], {
        oldThreshold: 2,
        dealers: [1, 2, 3],
        newParties: [1, 2, 3, 4],
        threshold: 3,
      }),
      [p1, g1, g2, strict],
    );
    await hub.waitFor(
      () => hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'strict'),
      'the refusal of strict',
    );
    const e = strict.events.find((x) => x.type === 'refused' && x.jobId === job.jobId);
    assert.equal(e?.type === 'refused' ? e.check : undefined, 'rules');
    assert.equal(
      e?.type === 'refused' ? e.reason : undefined,
      'embedded rule operation: operation reshare is not allowed',
    );
    assert.equal(hub.framesOf(job.jobId, 'envelope').filter((f) => f.from === 'strict').length, 0);
    // The hub ends the job; the others keep their active share and store nothing pending.
    d.cancel(job.jobId, [p1, g1, g2], 'refused by strict');
    assert.equal(strict.store.get('key-share', KEY, 'frost'), undefined);
    for (const i of [p1, g1, g2]) assert.equal(pending(i), undefined);
  });

  test('a callback handler rejecting the key change (config_change_sign_request) refuses it', async () => {
    const job = await d.send(
      reshareJob(
        'life-reshare-callback',
        [...committee23(), participant(guarded, 4, 'guard', 'B')],
        {
          oldThreshold: 2,
          dealers: [1, 2, 3],
          newParties: [1, 2, 3, 4],
          threshold: 3,
        },
      ),
      [p1, g1, g2, guarded],
    );
    await hub.waitFor(
      () => hub.framesOf(job.jobId, 'job-refused').some((f) => f.from === 'guarded'),
      'the refusal of guarded',
    );
    const e = guarded.events.find((x) => x.type === 'refused' && x.jobId === job.jobId);
    assert.equal(e?.type === 'refused' ? e.check : undefined, 'callback');
    assert.match(
      e?.type === 'refused' ? e.reason : '',
      /^callback handlers did not approve \(reject\): .+: REJECT \(no key changes this week\)$/,
    );
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.changeType, 'RESHARE_KEY');
    assert.equal(asked[0]?.requestId, job.jobId);
    assert.deepEqual(asked[0]?.details, {
      jobId: job.jobId,
      algorithm: ALG,
      keyId: KEY,
      participants: `1:p1,2:g1,3:g2,4:guarded`,
      threshold: '3',
      publicKey,
      oldThreshold: '2',
      dealers: '1,2,3',
      newParties: '1,2,3,4',
    });
    assert.equal(hub.framesOf(job.jobId, 'envelope').filter((f) => f.from === 'guarded').length, 0);
    d.cancel(job.jobId, [p1, g1, g2], 'refused by guarded');
  });

  test('a malformed reshare job (a participant neither dealer nor new) is refused', async () => {
    const job = await d.send(
      reshareJob('life-reshare-bad', [...committee23(), participant(g3, 4, 'guard', 'B')], {
        oldThreshold: 2,
        dealers: [1, 2],
        newParties: [1, 2, 4],
        threshold: 2,
      }),
      [p1],
    );
    await hub.waitFor(() => hub.framesOf(job.jobId, 'job-refused').length === 1, 'a refusal');
    const e = p1.events.find((x) => x.type === 'refused' && x.jobId === job.jobId);
    assert.equal(e?.type === 'refused' ? e.check : undefined, 'malformed');
    assert.equal(
      e?.type === 'refused' ? e.reason : undefined,
      'job: the participants must be exactly the dealers and the new parties',
    );
  });

  // 3-of-5: primary p1 (1), set A {g1 (2), g2 (3)}, set B {g3 (4), g4 (5)}.
  const committee35 = () => [
    ...committee23(),
    participant(g3, 4, 'guard', 'B'),
    participant(g4, 5, 'guard', 'B'),
  ];

  test('a new member crashing mid-reshare: nobody commits, the old committee still signs', async () => {
    const before = [p1, g1, g2].map((i) => Buffer.from(share(i) as Uint8Array).toString('hex'));
    // `crashy` joins a reshare to 3-of-5, then crashes once it has sent its first message.
    const job = await d.send(
      reshareJob(
        'life-reshare-crash',
        [...committee35().slice(0, 4), participant(crashy, 5, 'guard', 'B')],
        { oldThreshold: 2, dealers: [1, 2, 3], newParties: [1, 2, 3, 4, 5], threshold: 3 },
      ),
      [p1, g1, g2, g3, crashy],
    );
    await hub.waitFor(
      () =>
        hub.framesOf(job.jobId, 'job-accepted').length === 5 &&
        hub.framesOf(job.jobId, 'envelope').some((f) => f.from === 'crashy'),
      'crashy started',
    );
    await crashy.cosigner.stop();
    // As the real hub does when a participant is gone: the job ends, the others are cancelled.
    d.cancel(job.jobId, [p1, g1, g2, g3], 'crashy is unreachable');
    for (const [n, i] of [p1, g1, g2].entries()) {
      assert.equal(Buffer.from(share(i) as Uint8Array).toString('hex'), before[n]);
      assert.equal(pending(i), undefined, `${i.id}: no pending share`);
    }
    assert.equal(share(g3), undefined);
    assert.equal(pending(g3), undefined);
    await signAndVerify(
      [participant(p1, 1, 'primary', null), participant(g2, 3, 'guard', 'A')],
      'after-crash',
    );
  });

  test('reshare 2-of-3 → 3-of-5 (adding g3 and g4): same key, and a 3-clique signs', async () => {
    const job = await d.send(
      reshareJob('life-reshare-up', committee35(), {
        oldThreshold: 2,
        dealers: [1, 2, 3],
        newParties: [1, 2, 3, 4, 5],
        threshold: 3,
      }),
      [p1, g1, g2, g3, g4],
    );
    const out = await d.done(job, [p1, g1, g2, g3, g4], 'reshare up');
    assert.equal(out['publicKey'], publicKey);
    for (const i of [p1, g1, g2, g3, g4]) {
      const s = parseKeyShare(share(i) as Uint8Array);
      assert.equal(s.threshold, 3);
      assert.deepEqual(s.parties, [1, 2, 3, 4, 5]);
      assert.equal(pending(i), undefined);
    }
    await signAndVerify(
      [
        participant(p1, 1, 'primary', null),
        participant(g2, 3, 'guard', 'A'),
        participant(g3, 4, 'guard', 'B'),
      ],
      'after-3-of-5',
    );
  });

  test('reshare 3-of-5 → 2-of-3 (removing g1 and g2): they erase their shares; it signs', async () => {
    const job = await d.send(
      reshareJob(
        'life-reshare-down',
        [
          participant(p1, 1, 'primary', null),
          participant(g1, 2, 'guard', 'A'),
          participant(g2, 3, 'guard', 'A'),
          participant(g3, 4, 'guard', 'A'),
          participant(g4, 5, 'guard', 'A'),
        ],
        { oldThreshold: 3, dealers: [1, 2, 3, 4, 5], newParties: [1, 4, 5], threshold: 2 },
      ),
      [p1, g1, g2, g3, g4],
    );
    const out = await d.done(job, [p1, g1, g2, g3, g4], 'reshare down');
    assert.equal(out['publicKey'], publicKey);
    for (const i of [g1, g2]) {
      assert.equal(share(i), undefined, `${i.id} erased its share`);
      assert.equal(i.store.get('key-meta', KEY, 'meta'), undefined);
      assert.equal(pending(i), undefined);
    }
    for (const i of [p1, g3, g4]) {
      const s = parseKeyShare(share(i) as Uint8Array);
      assert.equal(s.threshold, 2);
      assert.deepEqual(s.parties, [1, 4, 5]);
    }
    await signAndVerify(
      [participant(p1, 1, 'primary', null), participant(g4, 5, 'guard', 'A')],
      'after-2-of-3',
    );
  });

  test('replacing a lost member: it gets no job; the others deal; the newcomer signs', async () => {
    // g4 (party 5) is lost. p1 and g3 deal (2 = the old threshold); g1 joins again as party 6.
    const job = await d.send(
      reshareJob(
        'life-reshare-replace',
        [
          participant(p1, 1, 'primary', null),
          participant(g3, 4, 'guard', 'A'),
          participant(g1, 6, 'guard', 'A'),
        ],
        { oldThreshold: 2, dealers: [1, 4], newParties: [1, 4, 6], threshold: 2 },
      ),
      [p1, g3, g1],
    );
    const out = await d.done(job, [p1, g3, g1], 'reshare replacing g4');
    assert.equal(out['publicKey'], publicKey);
    for (const i of [p1, g3, g1]) {
      const s = parseKeyShare(share(i) as Uint8Array);
      assert.deepEqual(s.parties, [1, 4, 6]);
      assert.equal(s.threshold, 2);
    }
    // The lost member still holds its old share (it never heard of the reshare): the new shares
    // are on another polynomial, so it can no longer sign with the committee.
    assert.deepEqual(parseKeyShare(share(g4) as Uint8Array).parties, [1, 4, 5]);
    await signAndVerify(
      [participant(p1, 1, 'primary', null), participant(g1, 6, 'guard', 'A')],
      'after-replacing',
    );
  });
});
