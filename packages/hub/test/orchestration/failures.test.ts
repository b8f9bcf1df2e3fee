/**
 * Orchestration under failure (issue 7 "Signing schema", "Orchestration"; the relay contract's
 * hub obligations), on SQLite, each case in a fresh hub: a time-out fails over to another clique
 * with a new session id; an abort with culprits quarantines them and the retry excludes them;
 * a refusal rejects; a co-signer outside a job cannot inject envelopes; certificates from another
 * CA are refused on the WebSocket endpoint; bad frames are dropped without closing; a changed
 * identity is refused; the refresh schedule and the presignature pool emit their jobs.
 */
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createPublicKey, webcrypto, KeyObject } from 'node:crypto';
import { createCaMaterial, createCsr, loadInternalCa } from '../../src/cosigners/ca.ts';
import { evmAddress, parsePath } from '../../src/vaults/derivation.ts';
import { parseCosignerFrame } from '../../src/orchestration/frames.ts';
import { canonicalJson, deriveJobSigningKey } from '../../src/orchestration/authorization.ts';
import { SIGNING_ACCESS } from '../../src/orchestration/extension.ts';
import { ROLES } from '../../src/auth/rbac.ts';
import { randomUUID } from 'node:crypto';
import { HubError } from '../../src/http/errors.ts';
import { sqliteMemory } from '../support/databases.ts';
import { T0, call } from '../support/hub.ts';
import type { Json } from '../support/hub.ts';
import { until, wsConnect } from './harness.ts';
import { EVM_TX, buildWorld, settled, submit } from './signing.suite.ts';
import type { World } from './signing.suite.ts';

let current: World | undefined;
async function world(): Promise<World> {
  current = await buildWorld(sqliteMemory());
  return current;
}
afterEach(async () => {
  if (current === undefined) return;
  await current.hub.stack.transactions.settle();
  for (const c of [current.primary, ...current.guards]) c.close();
  await current.hub.close();
  current = undefined;
});

const SMALL = { payload: { type: 'evm', transaction: EVM_TX }, asset: 'ETH', amount: '1' };

function signJobs(w: World, txId: string) {
  return w.primary.jobs.filter((j) => j.kind === 'sign' && j.request?.transactionId === txId);
}

describe('failover and quarantine', () => {
  test('a time-out fails over to another clique with a new session id', async () => {
    const w = await world();
    const [g1] = w.guards;
    g1!.behaviour = { kind: 'silent' };
    const r = await submit(w, SMALL);
    // The primary accepted and sent its first envelope; the silent guard never answers.
    await until(
      () =>
        g1!.envelopes.some(
          (e) => e.from === w.primary.id && signJobs(w, r.json.id).some((j) => j.jobId === e.jobId),
        ),
      'first round',
    );
    assert.equal(w.hub.timers.fireAll(), 1);
    const t = await settled(w, r.json.id);
    assert.equal(t.status, 'COMPLETED');
    const jobs = signJobs(w, t.id);
    assert.equal(jobs.length, 2);
    assert.notEqual(jobs[0]!.sessionId, jobs[1]!.sessionId);
    assert.deepEqual(
      jobs[0]!.participants.map((p) => p.cosignerId),
      [w.primary.id, g1!.id],
    );
    assert.ok(!jobs[1]!.participants.some((p) => p.cosignerId === g1!.id));
    assert.deepEqual(
      t.transitions.map((x: Json) => x.event),
      ['AUTHORIZE', 'START_SIGNING', 'REQUEUE', 'START_SIGNING', 'COMPLETE'],
    );
    assert.match(t.transitions[2].reason, /session timed out waiting for parties 2; failing over/);
    assert.match(t.transitions[3].reason, new RegExp(`session ${jobs[1]!.sessionId}`));
    // The silent guard and the waiting primary were told to stop.
    assert.deepEqual(
      w.primary.cancels.map((c) => c.jobId),
      [jobs[0]!.jobId],
    );
    const q = await call(w.hub, w.hub.owner, 'GET', '/v1/quarantine');
    assert.deepEqual(q.json.entries, []);
  });

  test('an abort naming a culprit quarantines it; the retry never includes it; an operator releases it', async () => {
    const w = await world();
    const [g1, g2] = w.guards;
    const evidence = ['ab'.repeat(32), 'cd'.repeat(32)];
    w.primary.behaviour = { kind: 'blame', culprits: [2], evidence };
    const r = await submit(w, SMALL);
    const t = await settled(w, r.json.id);
    assert.equal(t.status, 'COMPLETED');
    const jobs = signJobs(w, t.id);
    assert.equal(jobs.length, 2);
    assert.deepEqual(
      jobs[0]!.participants.map((p) => p.partyId),
      [1, 2],
    );
    assert.deepEqual(
      jobs[1]!.participants.map((p) => p.partyId),
      [1, 3],
    );
    assert.notEqual(jobs[0]!.sessionId, jobs[1]!.sessionId);
    assert.match(
      t.transitions[2].reason,
      /aborted reported by .*: Π\^enc proof failed \(culprits: parties 2\)/,
    );
    const q = await call(w.hub, w.hub.owner, 'GET', '/v1/quarantine');
    assert.deepEqual(
      q.json.entries.map((e: Json) => [e.cosignerId, e.party, e.sessionId, e.reason, e.evidence]),
      [[g1!.id, 2, jobs[0]!.sessionId, 'Π^enc proof failed', evidence]],
    );
    // Later requests avoid the quarantined co-signer, even though it is online.
    const r2 = await submit(w, SMALL);
    assert.equal((await settled(w, r2.json.id)).status, 'COMPLETED');
    assert.deepEqual(
      signJobs(w, r2.json.id)[0]!.participants.map((p) => p.cosignerId),
      [w.primary.id, g2!.id],
    );
    const viewer = await w.hub.addUser('viewer');
    const denied = await call(w.hub, viewer, 'POST', `/v1/quarantine/${g1!.id}/release`, {
      body: { note: 'checked' },
    });
    assert.equal(denied.status, 403);
    const rel = await call(w.hub, w.hub.owner, 'POST', `/v1/quarantine/${g1!.id}/release`, {
      body: { note: 'host rebuilt and re-attested' },
    });
    assert.equal(rel.status, 200, rel.body);
    const again = await call(w.hub, w.hub.owner, 'POST', `/v1/quarantine/${g1!.id}/release`, {
      body: { note: 'twice' },
    });
    assert.equal(again.status, 404);
    assert.equal(again.json.error.field, 'cosignerId');
  });

  test('an abort without a culprit is not retried: FAILED', async () => {
    const w = await world();
    w.primary.behaviour = { kind: 'blame', culprits: [] };
    // With no culprit the fake's rule never fires; make the guard report a blameless abort.
    w.primary.behaviour = { kind: 'honest' };
    w.guards[0]!.onJob = (job) => {
      if (job.kind !== 'sign') return;
      w.guards[0]!.behaviour = { kind: 'silent' };
      w.guards[0]!.send({
        type: 'job-result',
        jobId: job.jobId,
        status: 'failed',
        error: { kind: 'aborted', culprits: [], reason: 'inconsistent broadcast' },
      });
    };
    const r = await submit(w, SMALL);
    const t = await settled(w, r.json.id);
    assert.equal(t.status, 'FAILED');
    assert.equal(signJobs(w, t.id).length, 1);
    assert.match(t.transitions.at(-1).reason, /no culprit named, not retried/);
  });

  test('a co-signer refusing the job (its rules or callback) rejects the transaction', async () => {
    const w = await world();
    w.guards[0]!.behaviour = { kind: 'refuse', reason: 'callback handler: REJECT' };
    const r = await submit(w, SMALL);
    const t = await settled(w, r.json.id);
    assert.equal(t.status, 'REJECTED');
    assert.match(t.transitions.at(-1).reason, /refused by .*: callback handler: REJECT/);
  });
});

describe('relay', () => {
  test('a co-signer outside the job cannot inject envelopes; a participant cannot address an outsider', async () => {
    const w = await world();
    const outsider = w.guards[2]!;
    w.primary.onJob = (job) => {
      if (job.kind !== 'sign') return;
      outsider.send({ type: 'envelope', jobId: job.jobId, to: w.primary.id, data: 'AAAA' });
      w.primary.send({ type: 'envelope', jobId: job.jobId, to: outsider.id, data: 'AAAA' });
    };
    const r = await submit(w, SMALL);
    const t = await settled(w, r.json.id);
    assert.equal(t.status, 'COMPLETED');
    const job = signJobs(w, t.id)[0]!;
    await until(() => w.hub.stack.relay.drops().filter((d) => d.jobId === job.jobId).length >= 2);
    assert.deepEqual(
      w.hub.stack.relay
        .drops()
        .filter((d) => d.jobId === job.jobId)
        .map((d) => [d.reason, d.from])
        .sort(),
      [
        ['bad_recipient', w.primary.id],
        ['not_a_participant', outsider.id],
      ].sort(),
    );
    assert.ok(!w.primary.envelopes.some((e) => e.jobId === job.jobId && e.from === outsider.id));
    assert.ok(!outsider.envelopes.some((e) => e.jobId === job.jobId));
  });

  test('a certificate from another CA, or none, is refused on the WebSocket endpoint', async () => {
    const w = await world();
    const other = await loadInternalCa(await createCaMaterial('someone else', T0));
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const foreign = await other.issueClientCertificate({
      csrPem: await createCsr(keys, 'P-256'),
      cosignerId: w.primary.id,
      workspaceId: w.hub.workspaceId,
      now: T0,
    });
    const key = KeyObject.from(keys.privateKey as Parameters<typeof KeyObject.from>[0])
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const id of [{ cert: foreign.certificatePem, key }, {}]) {
      const ws = wsConnect(w.hub.port, w.hub.ctx.ca.certificatePem, id);
      const [err] = (await once(ws, 'error')) as [Error & { code?: string }];
      assert.ok(err instanceof Error);
      assert.notEqual(ws.readyState, ws.OPEN);
    }
  });

  test('bad frames are dropped and the connection stays up; hello for another id or with other keys is refused', async () => {
    const w = await world();
    const g = w.guards[0]!;
    g.send({ type: 'job-accepted', jobId: 'x', extra: 1 });
    g.ws!.send('not json');
    await until(() => w.hub.stack.relay.drops().filter((d) => d.from === g.id).length >= 2);
    assert.deepEqual(
      w.hub.stack.relay
        .drops()
        .filter((d) => d.from === g.id)
        .map((d) => [d.reason, d.field]),
      [
        ['bad_frame', 'frame'],
        ['bad_frame', 'frame'],
      ],
    );
    assert.equal(g.ws!.readyState, g.ws!.OPEN);
    assert.ok(w.hub.stack.relay.isOnline(g.id));
    const ws = wsConnect(w.hub.port, w.hub.ctx.ca.certificatePem, { cert: g.cert, key: g.key });
    await once(ws, 'open');
    ws.send(
      JSON.stringify({
        type: 'hello',
        cosignerId: g.id,
        version: 1,
        identity: { signing: '11'.repeat(32), encryption: g.identity.encryption },
      }),
    );
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1008);
    assert.ok(w.hub.stack.relay.isOnline(g.id)); // the genuine connection is untouched
  });

  test('frames are validated strictly', () => {
    assert.deepEqual(parseCosignerFrame('{"type":"heartbeat","at":"yesterday"}'), {
      ok: false,
      field: 'at',
    });
    assert.deepEqual(parseCosignerFrame('{"type":"envelope","jobId":"j","to":"c","data":"@@"}'), {
      ok: false,
      field: 'data',
    });
    const ok = parseCosignerFrame(
      '{"type":"job-result","jobId":"j","status":"failed","error":{"kind":"aborted","culprits":[2],"reason":"r"}}',
    );
    assert.equal(ok.ok, true);
    // evidence is optional (older co-signers omit it); each id is checked.
    const withEvidence = parseCosignerFrame(
      `{"type":"job-result","jobId":"j","status":"failed","error":{"kind":"aborted","culprits":[2],"reason":"r","evidence":["${'ab'.repeat(32)}"]}}`,
    );
    assert.equal(withEvidence.ok, true);
    assert.deepEqual(
      parseCosignerFrame(
        '{"type":"job-result","jobId":"j","status":"failed","error":{"kind":"aborted","culprits":[2],"reason":"r","evidence":["<script>"]}}',
      ),
      { ok: false, field: 'error.evidence.0' },
    );
    // job-refused may name the check that refused (optional: older co-signers omit it).
    assert.deepEqual(
      parseCosignerFrame('{"type":"job-refused","jobId":"j","reason":"r","check":"presignature"}'),
      { ok: true, frame: { type: 'job-refused', jobId: 'j', reason: 'r', check: 'presignature' } },
    );
    assert.equal(parseCosignerFrame('{"type":"job-refused","jobId":"j","reason":"r"}').ok, true);
    assert.deepEqual(
      parseCosignerFrame('{"type":"job-refused","jobId":"j","reason":"r","check":"Rules!"}'),
      { ok: false, field: 'check' },
    );
    assert.equal(
      canonicalJson({ b: [1, { d: null, c: 'x' }], a: true }),
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
  });
});

describe('background jobs', () => {
  test('the refresh schedule emits a refresh job to every co-signer once the interval elapsed', async () => {
    const w = await world();
    assert.equal(await w.hub.stack.vaults.refreshDue(), 0);
    w.hub.clock.advance(3600_000);
    for (const c of [w.primary, ...w.guards]) c.heartbeat();
    await until(async () => (await w.hub.stack.vaults.refreshDue()) === 1, 'refresh');
    for (const c of [w.primary, ...w.guards])
      assert.deepEqual(
        c.jobs.map((j) => j.kind),
        ['keygen', 'aux-info', 'refresh'],
      );
    const v = await call(w.hub, w.hub.owner, 'GET', `/v1/vaults/${w.vaultId}`);
    assert.equal(v.json.lastRefreshAt, w.hub.clock.t);
  });

  test('the presignature pool refills the best clique to its target; a signature consumes one', async () => {
    const w = await world();
    assert.equal(await w.hub.stack.pools.refill(), 2);
    const key = `${w.primary.id}|${w.guards[0]!.id}`;
    assert.deepEqual(await w.hub.stack.pools.levels(w.vaultId), [
      { cliqueKey: key, ready: 2, generating: 0 },
    ]);
    assert.equal(w.guards[0]!.jobs.filter((j) => j.kind === 'presign').length, 2);
    assert.equal(w.guards[1]!.jobs.filter((j) => j.kind === 'presign').length, 0);
    assert.equal(await w.hub.stack.pools.refill(), 0);
    const r = await submit(w, SMALL);
    assert.equal((await settled(w, r.json.id)).status, 'COMPLETED');
    assert.deepEqual(await w.hub.stack.pools.levels(w.vaultId), [
      { cliqueKey: key, ready: 1, generating: 0 },
    ]);
  });
});

describe('routes', () => {
  test('RBAC on every signing route: unsigned 401, roles outside the row 403, inside pass; all in /openapi.json', async () => {
    const w = await world();
    const routes = w.hub.server.routes.filter((r) => r in SIGNING_ACCESS);
    assert.deepEqual([...routes].sort(), Object.keys(SIGNING_ACCESS).sort());
    const actors: Record<string, Json> = {
      owner: w.hub.owner,
      admin: w.admins[0],
      signer: w.primary.apiUser,
      editor: await w.hub.addUser('editor'),
      viewer: await w.hub.addUser('viewer'),
    };
    // Bodies that fail validation or name nothing, so no call changes state.
    const bodies: Record<string, unknown> = {
      'PUT /v1/signing-schema': { threshold: 2, primaries: [], sets: [] },
      'POST /v1/quarantine/:id/release': { note: 'n' },
      'POST /v1/vaults': { name: 'x', algorithm: 'rsa' },
      'POST /v1/vaults/:id/accounts': { name: 'x', path: 'm/1' },
      'POST /v1/transactions': { vaultId: 'x', accountId: 'y', payload: { type: 'nope' } },
      'POST /v1/webhooks': { url: 'ftp://x' },
      'POST /v1/allowlist': { address: '', label: 'x' },
    };
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [Json, string];
      const url = pattern.replace(':id', randomUUID());
      const body = bodies[route];
      const opts = body === undefined ? {} : { body };
      const unsigned = await call(w.hub, w.hub.owner, method, url, { ...opts, unsigned: true });
      assert.equal(unsigned.status, 401, `${route} unsigned`);
      const access = SIGNING_ACCESS[route] as readonly string[];
      for (const role of ROLES) {
        const r = await call(w.hub, actors[role], method, url, opts);
        if (access.includes(role))
          assert.ok(
            r.status !== 401 && r.status !== 403,
            `${route} as ${role}: ${r.status} ${r.body}`,
          );
        else {
          assert.equal(r.status, 403, `${route} as ${role}`);
          assert.equal(r.json.error.code, 'forbidden');
        }
      }
    }
    const doc = JSON.parse(
      (await w.hub.server.app.inject({ method: 'GET', url: '/openapi.json' })).body,
    );
    for (const route of routes) {
      const [method, url] = route.split(' ') as [string, string];
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      assert.ok(op, `${route} missing from the OpenAPI document`);
      assert.ok(
        Object.keys(op.responses).some((c) => c.startsWith('2')),
        `${route} has no 2xx schema`,
      );
    }
  });
});

describe('job-signing key', () => {
  test('derived from the pairing key (stable across restarts), published for pinning', async () => {
    const w = await world();
    const r = await call(w.hub, w.hub.owner, 'GET', '/v1/job-signing-key');
    assert.equal(r.status, 200);
    assert.equal(r.json.alg, 'ES256');
    const again = createPublicKey(deriveJobSigningKey(w.hub.ctx.pairingKey.privateKey));
    assert.equal(r.json.publicKey, again.export({ type: 'spki', format: 'pem' }).toString());
    assert.equal(r.json.jwk.crv, 'P-256');
    assert.ok(w.hub.stack.jobSigner.publicKey.equals(again));
  });
});

describe('derivation', () => {
  test('EIP-55 address of the secp256k1 generator (private key 1)', () => {
    const g = Buffer.from(
      '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
      'hex',
    );
    assert.equal(evmAddress(g), '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf');
  });
  test('paths: non-hardened only, each step below 2^31', () => {
    assert.deepEqual(parsePath('m/44/60/0/0/7'), [44, 60, 0, 0, 7]);
    assert.deepEqual(parsePath('m'), []);
    for (const bad of ["m/44'", 'm/44h', 'm/2147483648', '44/0', 'm//1'])
      assert.throws(
        () => parsePath(bad),
        (e: unknown) => e instanceof HubError && e.field === 'path',
      );
  });
});
