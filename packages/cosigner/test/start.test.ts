/**
 * `quorate cosigner init`, `pair` and `start` end to end on disk (key-file seal): the daemon
 * started from the configuration connects to a fake mTLS hub with the certificate from pairing,
 * says hello with the identity from init, heartbeats, audits its start and stop, and
 * stops cleanly on its signal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { cosignerCommand } from '../src/cli.ts';
import { FakeHub } from './helpers/fake-hub.ts';
import { createTestCa } from './helpers/tls.ts';
import type { TestCa } from './helpers/tls.ts';

describe('cosigner start from a configuration file', () => {
  let dir: string;
  let ca: TestCa;
  let hub: FakeHub;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorate-cosigner-start-'));
    ca = await createTestCa();
    hub = await FakeHub.start(ca);
  });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('init, pair, start: hello, heartbeat, audit, clean stop', async () => {
    const cfg = join(dir, 'cosigner.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        counterFile: join(dir, 'ctr', 'consumed.ctr'),
        seal: { kind: 'keyfile', path: join(dir, 'seal.key') },
        hub: { apiUrl: 'https://hub.test:8080', cosignerUrl: hub.url },
        connection: { heartbeatSeconds: 1, pollSeconds: 3600 },
        risk: { operations: { keygen: {} } },
        // No safe primes generated in the background during this test.
        ecdsa: { level: '2048', primePoolSize: 0 },
        metrics: { listen: '127.0.0.1:0' },
      }),
    );
    writeFileSync(join(dir, 'hub-job-key.pem'), hub.jobPublicPem);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    // The stubbed hub API has the test CA certify the key of the co-signer's CSR.
    const stub = (async (_url: string | URL | Request, init?: RequestInit) => {
      const { csr } = JSON.parse(String(init?.body)) as { csr: string };
      const certPem = await ca.issueForCsr(csr, 'cs-start');
      return new Response(
        JSON.stringify({
          cosigner: { id: 'cs-start', workspaceId: 'ws-1', name: 'start', apiUserIds: ['api-1'] },
          certificate: certPem,
          caCertificate: ca.certPem,
        }),
        { status: 201 },
      );
    }) as typeof fetch;
    const run = (argv: string[], signal?: AbortSignal) =>
      cosignerCommand([...argv, '--config', cfg], io, {
        env: {},
        fetch: stub,
        ...(signal === undefined ? {} : { signal }),
      });
    assert.equal(await run(['init', '--generate-key-file']), 0, err.join('\n'));
    const token = await new SignJWT({ ws: 'ws-1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'quorate-pairing+jwt' })
      .setSubject('api-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(generateKeyPairSync('ed25519').privateKey);
    assert.equal(
      await run(['pair', token, '--authorization-key', join(dir, 'hub-job-key.pem')]),
      0,
      err.join('\n'),
    );

    const stop = new AbortController();
    const started = run(['start'], stop.signal);
    await hub.waitFor(
      () => hub.frames.some((f) => f.from === 'cs-start' && f.frame['type'] === 'heartbeat'),
      'hello and a heartbeat',
    );
    const hello = hub.frames.find((f) => f.frame['type'] === 'hello');
    const identity = JSON.parse(readFileSync(join(dir, 'data', 'identity.json'), 'utf8'));
    assert.deepEqual(hello?.frame, {
      type: 'hello',
      cosignerId: 'cs-start',
      version: 1,
      identity: { signing: identity.signing, encryption: identity.encryption },
    });
    stop.abort();
    assert.equal(await started, 0);
    const audit = readFileSync(join(dir, 'data', 'audit.log'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(
      audit.map((l) => JSON.parse(l).type),
      ['init', 'daemon.start', 'daemon.stop'],
    );
    assert.ok(out.some((l) => l.includes('"event":"connected"')));
  });
});
