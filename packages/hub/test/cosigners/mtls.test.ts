/**
 * The co-signers' mTLS listener: a certificate issued by the hub's CA to a paired co-signer is
 * accepted (heartbeat → online); a certificate from another CA, or none, fails the handshake;
 * the certificate of an unpaired co-signer gets 403.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { KeyObject, webcrypto } from 'node:crypto';
import { createCaMaterial, createCsr, loadInternalCa } from '../../src/cosigners/ca.ts';
import { startCosignerListener } from '../../src/cosigners/mtls.ts';
import type { CosignerListener } from '../../src/cosigners/mtls.ts';
import { sqliteMemory } from '../support/databases.ts';
import { call, startTestHub, T0 } from '../support/hub.ts';
import type { TestHub } from '../support/hub.ts';

interface ClientIdentity {
  readonly cert: string;
  readonly key: string;
}

async function newKeyAndCsr(alg: 'P-256' | 'Ed25519') {
  const keys = (
    alg === 'P-256'
      ? await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
          'sign',
          'verify',
        ])
      : await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])
  ) as webcrypto.CryptoKeyPair;
  const key = KeyObject.from(keys.privateKey as Parameters<typeof KeyObject.from>[0])
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { csr: await createCsr(keys, alg), key };
}

function request(
  port: number,
  path: string,
  method: 'GET' | 'POST',
  ca: string,
  id?: ClientIdentity,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca,
        ...(id ? { cert: id.cert, key: id.key } : {}),
        servername: 'localhost',
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const tlsErrors: string[] = [];
let hub: TestHub;
let listener: CosignerListener;
let paired: ClientIdentity & { id: string };

async function pair(alg: 'P-256' | 'Ed25519'): Promise<ClientIdentity & { id: string }> {
  const api = await hub.addUser('signer');
  const t = await call(hub, hub.owner, 'POST', '/v1/pairing-tokens', {
    body: { apiUserId: api.id },
  });
  const { csr, key } = await newKeyAndCsr(alg);
  const r = await call(hub, hub.owner, 'POST', '/v1/cosigners/pair', {
    unsigned: true,
    body: { token: t.json.token, csr },
  });
  assert.equal(r.status, 201, r.body);
  return { id: r.json.cosigner.id, cert: r.json.certificate, key };
}

before(async () => {
  hub = await startTestHub(sqliteMemory());
  listener = await startCosignerListener(hub.ctx, hub.server.services.registry, {
    host: '127.0.0.1',
    port: 0,
    onTlsError: (e) => tlsErrors.push(e.code ?? e.message),
  });
  paired = await pair('P-256');
});
after(async () => {
  await listener.close();
  await hub.close();
});

test('a paired co-signer (P-256 certificate) heartbeats over mTLS and is online', async () => {
  const r = await request(
    listener.port,
    '/cosigner/v1/heartbeat',
    'POST',
    hub.ctx.ca.certificatePem,
    paired,
  );
  assert.equal(r.status, 200);
  assert.equal(r.json.id, paired.id);
  assert.equal(r.json.health, 'online');
  assert.equal(r.json.lastSeenAt, hub.clock.t);
  const w = await request(
    listener.port,
    '/cosigner/v1/whoami',
    'GET',
    hub.ctx.ca.certificatePem,
    paired,
  );
  assert.equal(w.status, 200);
  assert.equal(w.json.id, paired.id);
});

test('an Ed25519 co-signer certificate works too', async () => {
  const ed = await pair('Ed25519');
  const r = await request(
    listener.port,
    '/cosigner/v1/whoami',
    'GET',
    hub.ctx.ca.certificatePem,
    ed,
  );
  assert.equal(r.status, 200);
  assert.equal(r.json.id, ed.id);
});

test('a certificate from another CA is rejected in the TLS handshake', async () => {
  const other = await loadInternalCa(await createCaMaterial('another CA', T0));
  const { csr, key } = await newKeyAndCsr('P-256');
  // Same subject layout, even the id of a paired co-signer: only the issuer differs.
  tlsErrors.splice(0);
  const foreign = await other.issueClientCertificate({
    csrPem: csr,
    cosignerId: paired.id,
    workspaceId: hub.workspaceId,
    now: T0,
  });
  await assert.rejects(
    request(listener.port, '/cosigner/v1/whoami', 'GET', hub.ctx.ca.certificatePem, {
      cert: foreign.certificatePem,
      key,
    }),
    (e: NodeJS.ErrnoException) => {
      // TLS 1.3 reports the server's alert after the handshake: the peer says "unknown CA"
      // (or resets the connection before any HTTP response).
      assert.equal(e.code, 'ECONNRESET');
      return true;
    },
  );
  // The server ended the handshake (it never reached HTTP): one TLS client error recorded.
  assert.equal(tlsErrors.splice(0).length, 1);
});

test('no client certificate is rejected in the TLS handshake', async () => {
  await assert.rejects(
    request(listener.port, '/cosigner/v1/whoami', 'GET', hub.ctx.ca.certificatePem),
    (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
      return true;
    },
  );
});

test('the certificate of an unpaired co-signer gets 403 forbidden', async () => {
  const victim = await pair('P-256');
  const r = await call(hub, hub.owner, 'DELETE', `/v1/cosigners/${victim.id}`);
  await call(hub, hub.owner, 'POST', `/v1/config-changes/${r.json.id}/approve`);
  const res = await request(
    listener.port,
    '/cosigner/v1/whoami',
    'GET',
    hub.ctx.ca.certificatePem,
    victim,
  );
  assert.equal(res.status, 403);
  assert.equal((res.json.error as { code: string }).code, 'forbidden');
});
