/**
 * Several pairings (workspaces) in one co-signer, and configuration changes that take effect
 * only once the hub reports them approved (whoami → mergeApproved).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import {
  MemoryBackend,
  OneTimeStore,
  PassphraseSeal,
  SecretStore,
  fileCounter,
} from '@quorate/secrets';
import { AuditLog, MemoryAuditSink } from '@quorate/cosigner-risk/audit';
import { parseRiskRules } from '@quorate/cosigner-risk/rules';
import { Cosigner, mergeApproved } from '../src/daemon.ts';
import { createIdentity, publicIdentity } from '../src/identity.ts';
import { storeTlsKey } from '../src/pairing.ts';
import type { Pairing } from '../src/state.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { createTestCa } from './helpers/tls.ts';

const base: Pairing = {
  workspaceId: 'ws-1',
  cosignerId: 'cs-1',
  name: 'edge',
  hubApiUrl: 'https://hub.test',
  cosignerUrl: 'wss://hub.test:8443',
  apiUserIds: ['api-1'],
  certificatePem: 'x',
  caCertificatePem: 'x',
  hubJobKeyPem: null,
  callbackHandler: null,
  pending: [
    { changeId: 'c1', kind: 'pair_api_user', payload: { apiUserId: 'api-2' }, requestedAt: 1 },
    {
      changeId: 'c2',
      kind: 'set_callback_handler',
      payload: { url: 'https://h.test' },
      requestedAt: 2,
    },
  ],
  pairedAt: 0,
};

describe('configuration changes take effect once approved', () => {
  test('a view without the change keeps it pending and changes nothing', () => {
    const p = mergeApproved(base, { apiUserIds: ['api-1'], callbackHandler: null });
    assert.deepEqual(p.apiUserIds, ['api-1']);
    assert.equal(p.callbackHandler, null);
    assert.deepEqual(
      p.pending.map((c) => c.changeId),
      ['c1', 'c2'],
    );
  });

  test('approved changes apply and leave the pending list', () => {
    const pem = generateKeyPairSync('ed25519')
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const p = mergeApproved(base, {
      apiUserIds: ['api-1', 'api-2'],
      callbackHandler: { url: 'https://h.test', publicKey: pem },
    });
    assert.deepEqual(p.apiUserIds, ['api-1', 'api-2']);
    assert.deepEqual(p.callbackHandler, { url: 'https://h.test', publicKeyPem: pem });
    assert.deepEqual(p.pending, []);
  });

  test('a pinned hub job key is never replaced by what the hub says later', () => {
    const pinned = { ...base, hubJobKeyPem: 'PINNED' };
    assert.equal(mergeApproved(pinned, { jobSigningKey: 'OTHER' }).hubJobKeyPem, 'PINNED');
    assert.equal(mergeApproved(base, { jobSigningKey: 'FIRST' }).hubJobKeyPem, 'FIRST');
  });
});

describe('several workspaces', () => {
  test('one co-signer keeps one mTLS connection per pairing, each saying hello as its own id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-cosigner-multi-'));
    const ca1 = await createTestCa('hub-1');
    const ca2 = await createTestCa('hub-2');
    const hub1 = await FakeHub.start(ca1);
    const hub2 = await FakeHub.start(ca2);
    const store = await SecretStore.create(
      new MemoryBackend(),
      new PassphraseSeal('p', { scrypt: { N: 1024, r: 8, p: 1 } }),
    );
    const identity = createIdentity(store);
    const oneTime = OneTimeStore.open(store, fileCounter(join(dir, 'ctr')));
    const pairing = async (
      ws: string,
      id: string,
      ca: typeof ca1,
      hub: FakeHub,
    ): Promise<Pairing> => {
      const c = await ca.issueClient(id);
      storeTlsKey(store, ws, c.pkcs8);
      return {
        ...base,
        workspaceId: ws,
        cosignerId: id,
        cosignerUrl: hub.url,
        certificatePem: c.certPem,
        caCertificatePem: ca.certPem,
        hubJobKeyPem: hub.jobPublicPem,
        pending: [],
      };
    };
    const cs = new Cosigner({
      identity,
      store,
      oneTime,
      pairings: [
        await pairing('ws-a', 'cs-a', ca1, hub1),
        await pairing('ws-b', 'cs-b', ca2, hub2),
      ],
      rules: parseRiskRules({ rejectAll: true }),
      audit: await AuditLog.open(new MemoryAuditSink(), { mode: 'redact' }),
      backoffMinMs: 50,
      backoffMaxMs: 100,
    });
    try {
      cs.start();
      await hub1.waitFor(() => hub1.conns.has('cs-a'), 'hello on hub 1');
      await hub2.waitFor(() => hub2.conns.has('cs-b'), 'hello on hub 2');
      const id = publicIdentity(identity);
      assert.deepEqual(hub1.frames[0]?.frame, {
        type: 'hello',
        cosignerId: 'cs-a',
        version: 1,
        identity: id,
      });
      assert.deepEqual(hub2.frames[0]?.frame, {
        type: 'hello',
        cosignerId: 'cs-b',
        version: 1,
        identity: id,
      });
      // Reconnects after the hub drops it.
      hub1.conns.get('cs-a')?.terminate();
      await hub1.waitFor(
        () => hub1.frames.filter((f) => f.frame['type'] === 'hello').length === 2,
        'reconnect',
      );
    } finally {
      await cs.stop();
      await hub1.close();
      await hub2.close();
      oneTime.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
