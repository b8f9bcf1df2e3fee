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
import {
  Cosigner,
  HubKeyMismatchError,
  handlerConfig,
  handlersFor,
  mergeApproved,
} from '../src/daemon.ts';
import { createIdentity, publicIdentity } from '../src/identity.ts';
import { storeTlsKey } from '../src/pairing.ts';
import { handlersOf } from '../src/state.ts';
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

  test('whoami: the job key pinned at pairing is checked; another one is refused, not applied', () => {
    const spki = (k: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
      k.export({ type: 'spki', format: 'pem' }).toString();
    const pinnedKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const pinned = { ...base, hubJobKeyPem: spki(pinnedKey) };
    // The same key (even written differently: no trailing newline) is accepted.
    const same = mergeApproved(pinned, {
      jobSigningKey: spki(pinnedKey).trimEnd(),
      apiUserIds: ['api-1', 'api-2'],
    });
    assert.equal(same.hubJobKeyPem, spki(pinnedKey));
    assert.deepEqual(same.apiUserIds, ['api-1', 'api-2']);
    assert.throws(
      () =>
        mergeApproved(pinned, { jobSigningKey: spki(otherKey), apiUserIds: ['api-1', 'api-2'] }),
      (e: unknown) => e instanceof HubKeyMismatchError && e.cosignerId === 'cs-1',
    );
    // Not parseable is a mismatch too.
    assert.throws(
      () => mergeApproved(pinned, { jobSigningKey: 'OTHER' }),
      (e: unknown) => e instanceof HubKeyMismatchError,
    );
    // Nothing pinned yet (paired with a hub that did not send it): the first one is pinned.
    assert.equal(
      mergeApproved(base, { jobSigningKey: spki(pinnedKey) }).hubJobKeyPem,
      spki(pinnedKey),
    );
  });
});

describe('callback handlers per API user', () => {
  const pem = generateKeyPairSync('ed25519')
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const pem2 = generateKeyPairSync('ed25519')
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const two: Pairing = {
    ...base,
    apiUserIds: ['api-1', 'api-2'],
    pending: [
      {
        changeId: 'h1',
        kind: 'set_callback_handler',
        payload: { apiUserId: 'api-1', url: 'https://one.test' },
        requestedAt: 1,
      },
      {
        changeId: 'h2',
        kind: 'set_callback_handler',
        payload: { apiUserId: 'api-2', url: 'https://two.test' },
        requestedAt: 2,
      },
    ],
  };

  test('the hub’s list applies per API user; a change stays pending until its user has it', () => {
    const p = mergeApproved(two, {
      apiUserIds: ['api-1', 'api-2'],
      callbackHandler: { url: 'https://one.test', publicKey: pem },
      callbackHandlers: [{ apiUserId: 'api-1', url: 'https://one.test', publicKey: pem }],
    });
    assert.deepEqual(handlersOf(p), [
      { apiUserId: 'api-1', url: 'https://one.test', publicKeyPem: pem },
    ]);
    assert.deepEqual(
      p.pending.map((c) => c.changeId),
      ['h2'],
    );
  });

  test('a legacy single handler (older hub or pairings.json) applies to every paired user', () => {
    const p = mergeApproved(two, {
      apiUserIds: ['api-1', 'api-2'],
      callbackHandler: { url: 'https://one.test', publicKey: pem },
    });
    assert.equal(p.callbackHandlers, undefined);
    assert.deepEqual(
      handlersOf(p).map((h) => [h.apiUserId, h.url]),
      [
        ['api-1', 'https://one.test'],
        ['api-2', 'https://one.test'],
      ],
    );
  });

  test('handlersFor: exactly the job’s user’s handlers; a job naming none of ours asks each once', () => {
    const all = [
      {
        apiUserId: 'api-1',
        key: `https://one.test\n${pem}`,
        config: handlerConfig('https://one.test', pem),
      },
      {
        apiUserId: 'api-2',
        key: `https://two.test\n${pem2}`,
        config: handlerConfig('https://two.test', pem2),
      },
      {
        apiUserId: 'api-3',
        key: `https://one.test\n${pem}`,
        config: handlerConfig('https://one.test', pem),
      },
    ];
    const paired = ['api-1', 'api-2', 'api-3', 'api-4'];
    const urls = (u: string | null) => handlersFor(all, u, paired).map((h) => h.url);
    assert.deepEqual(urls('api-2'), ['https://two.test']);
    // A paired user without a handler: the embedded rules alone decide.
    assert.deepEqual(urls('api-4'), []);
    assert.deepEqual(urls(null), ['https://one.test', 'https://two.test']);
    assert.deepEqual(urls('api-of-someone-else'), ['https://one.test', 'https://two.test']);
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
