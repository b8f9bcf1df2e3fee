/**
 * `quorate cosigner` commands against a temp data dir (key-file seal, fast): init, info,
 * print-public-key, config check, pair (stubbed hub: redeem, then a second API user of the same
 * workspace becomes a pending configuration change sent with a signed request), callback set/show.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';
import { cosignerCommand } from '../src/cli.ts';
import { writeKeyFileConfig } from './helpers/config-file.ts';
import { createTestCa } from './helpers/tls.ts';

interface Captured {
  out: string[];
  err: string[];
}
const io = (c: Captured) => ({
  out: (t: string) => c.out.push(t),
  err: (t: string) => c.err.push(t),
});

describe('quorate cosigner CLI', () => {
  let dir: string;
  let cfgFile: string;
  const apiKey = generateKeyPairSync('ed25519');
  const calls: { url: string; method: string; headers: Record<string, string>; body: string }[] =
    [];
  let stubFetch: typeof fetch;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorate-cosigner-cli-'));
    cfgFile = writeKeyFileConfig(dir, [
      'hub:',
      '  apiUrl: https://hub.test:8080',
      '  cosignerUrl: wss://hub.test:8443',
    ]);
    writeFileSync(
      join(dir, 'api-key.pem'),
      apiKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const ca = await createTestCa('hub-ca');
    const client = await ca.issueClient('cs-1');
    stubFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      calls.push({
        url,
        method: init?.method ?? 'GET',
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: typeof init?.body === 'string' ? init.body : '',
      });
      if (url.endsWith('/v1/cosigners/pair'))
        return new Response(
          JSON.stringify({
            cosigner: { id: 'cs-1', workspaceId: 'ws-1', name: 'edge', apiUserIds: ['api-1'] },
            certificate: client.certPem,
            caCertificate: ca.certPem,
          }),
          { status: 201 },
        );
      return new Response(JSON.stringify({ id: `chg-${calls.length}`, status: 'PENDING' }), {
        status: 202,
      });
    }) as typeof fetch;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...argv: string[]) => {
    const c: Captured = { out: [], err: [] };
    const code = await cosignerCommand([...argv, '--config', cfgFile], io(c), {
      env: {},
      fetch: stubFetch,
    });
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };

  const token = (sub: string) =>
    new SignJWT({ ws: 'ws-1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'quorate-pairing+jwt' })
      .setSubject(sub)
      .setIssuer('quorate-hub')
      .setJti(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(generateKeyPairSync('ed25519').privateKey);

  test('--help for the group and every command', async () => {
    for (const cmd of [
      [],
      ['init'],
      ['pair'],
      ['callback', 'set'],
      ['config', 'check'],
      ['info'],
    ]) {
      const c: Captured = { out: [], err: [] };
      assert.equal(await cosignerCommand([...cmd, '--help'], io(c)), 0);
      assert.match(c.out.join(''), /^Usage: quorate cosigner/);
    }
    const c: Captured = { out: [], err: [] };
    assert.equal(await cosignerCommand(['frobnicate'], io(c)), 2);
  });

  test('config check: valid file; an invalid one says what and how to fix', async () => {
    const ok = await run('config', 'check', '--json');
    assert.equal(ok.code, 0);
    assert.equal(JSON.parse(ok.out).valid, true);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        dataDir: '/x',
        counterFile: '/x/c',
        seal: { kind: 'keyfile', path: '/k' },
        risk: {},
      }),
    );
    const c: Captured = { out: [], err: [] };
    assert.equal(
      await cosignerCommand(['config', 'check', '--json', '--config', bad], io(c), { env: {} }),
      2,
    );
    const r = JSON.parse(c.out.join(''));
    assert.equal(r.valid, false);
    assert.deepEqual(
      r.issues.map((i: { field: string }) => i.field),
      ['counterFile'],
    );
    assert.match(r.issues[0].fix, /other storage than dataDir/);
  });

  test('init creates the store and identity; a second init is refused', async () => {
    const first = await run('init', '--generate-key-file', '--json');
    assert.equal(first.code, 0, first.err);
    const r = JSON.parse(first.out);
    assert.match(r.identity.signing, /^[0-9a-f]{64}$/);
    assert.match(r.identity.encryption, /^[0-9a-f]{64}$/);
    const again = await run('init');
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists/);
    const pk = await run('print-public-key');
    assert.match(pk.out, /^-----BEGIN PUBLIC KEY-----/);
  });

  test('pair redeems the token with a CSR; a second API user becomes a pending change', async () => {
    const p = await run('pair', await token('api-1'), '--json');
    assert.equal(p.code, 0, p.err);
    assert.deepEqual(JSON.parse(p.out), {
      status: 'paired',
      cosignerId: 'cs-1',
      workspaceId: 'ws-1',
      apiUserIds: ['api-1'],
      jobKeyPinned: false,
    });
    const redeem = calls.find((c) => c.url === 'https://hub.test:8080/v1/cosigners/pair');
    assert.match(JSON.parse(redeem?.body ?? '{}').csr, /^-----BEGIN CERTIFICATE REQUEST-----/);

    // Without API credentials the change cannot be requested.
    const noCreds = await run('pair', await token('api-2'));
    assert.equal(noCreds.code, 2);
    assert.match(noCreds.err, /--api-user ID and --api-key FILE/);

    const p2 = await run(
      'pair',
      await token('api-2'),
      '--api-user',
      'admin-1',
      '--api-key',
      join(dir, 'api-key.pem'),
      '--json',
    );
    assert.equal(p2.code, 0, p2.err);
    assert.equal(JSON.parse(p2.out).status, 'pending-approval');
    const req = calls.at(-1);
    assert.equal(req?.url, 'https://hub.test:8080/v1/cosigners/cs-1/api-users');
    assert.equal(req?.method, 'POST');
    const jwt = (req?.headers['authorization'] ?? '').replace(/^Bearer /, '');
    const { payload } = await jwtVerify(jwt, apiKey.publicKey);
    assert.equal(payload['uri'], '/v1/cosigners/cs-1/api-users');
    assert.equal(payload.sub, 'admin-1');
    assert.equal(
      payload['bodyHash'],
      createHash('sha256')
        .update(req?.body ?? '')
        .digest('hex'),
    );

    const info = JSON.parse((await run('info')).out);
    assert.deepEqual(info.pairings[0].apiUserIds, ['api-1']); // not before approval
    assert.equal(info.pairings[0].pending[0].kind, 'pair_api_user');
    // The TLS key stays in secrets.db, not in pairings.json.
    assert.doesNotMatch(readFileSync(join(dir, 'data', 'pairings.json'), 'utf8'), /PRIVATE KEY/);
  });

  test('callback set is a pending change; show lists it', async () => {
    const handler = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(
      join(dir, 'handler.pem'),
      handler.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const setHandler = (url: string) =>
      run(
        'callback',
        'set',
        '--url',
        url,
        '--public-key',
        join(dir, 'handler.pem'),
        '--api-user',
        'admin-1',
        '--api-key',
        join(dir, 'api-key.pem'),
      );
    const set = await setHandler('https://handler.test');
    assert.equal(set.code, 0, set.err);
    assert.equal(calls.at(-1)?.method, 'PUT');
    // The requester (admin-1) is not paired: the handler is the only paired API user's.
    assert.deepEqual(JSON.parse(calls.at(-1)?.body ?? '{}').apiUserId, 'api-1');
    const show = JSON.parse((await run('callback', 'show', '--json')).out);
    const user = show.callbacks[0].apiUsers[0];
    assert.equal(user.apiUserId, 'api-1');
    assert.equal(user.approved, null);
    assert.equal(user.pending[0].payload.url, 'https://handler.test');
    assert.equal(user.pending[0].payload.apiUserId, 'api-1');
    // A handler for an API user that is not paired here is a usage error, sent nowhere.
    const n = calls.length;
    const wrong = await run(
      'callback',
      'remove',
      '--for-api-user',
      'api-9',
      '--api-user',
      'admin-1',
      '--api-key',
      join(dir, 'api-key.pem'),
    );
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /API user api-9 is not paired with co-signer cs-1/);
    // Plain http to another host would cross a network without TLS: refused, sent nowhere.
    const plain = await setHandler('http://handler.test/callback');
    assert.equal(plain.code, 2);
    assert.match(
      plain.err,
      /--url must be https:\/\/…, or http:\/\/ to 127\.0\.0\.1 \/ localhost \/ \[::1\]/,
    );
    assert.equal(calls.length, n);
    assert.equal(calls.length, n);
  });
});
