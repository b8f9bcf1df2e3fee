// Example rules and example server: destination allow-list and daily limit, served over node:http.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8 } from 'jose';
import type { CryptoKey } from 'jose';
import {
  configChangeAllowList,
  dailyLimit,
  destinationAllowList,
  ruleChain,
} from '../src/example/rules.ts';
import { startExampleServer } from '../src/example/server.ts';
import { generateCallbackKeyPair, signTxSignRequest, verifyResponse } from '../src/index.ts';
import type { ConfigChangeRequest, TxSignRequest } from '../src/index.ts';

let clock = Date.UTC(2025, 0, 15, 23, 0, 0);
const req = (destination: string, amount: string, asset = 'ETH'): TxSignRequest => ({
  requestId: 'r',
  kind: 'tx_sign_request',
  apiUserId: 'u',
  operation: 'sign',
  transfers: [{ destination, amount, asset }],
  digests: [],
  iat: 0,
  exp: 1,
});

describe('example rules', () => {
  test('destination allow-list: EVM addresses compare case-insensitively, others exactly', () => {
    const rule = destinationAllowList([
      '0xAbC0000000000000000000000000000000000001',
      'bc1qexample',
    ]);
    assert.equal(
      rule.check(req('0xabc0000000000000000000000000000000000001', '1')).action,
      'APPROVE',
    );
    assert.equal(rule.check(req('bc1qexample', '1', 'BTC')).action, 'APPROVE');
    const d = rule.check(req('BC1QEXAMPLE', '1', 'BTC'));
    assert.deepEqual(d, {
      action: 'REJECT',
      rejectionReason: 'destination BC1QEXAMPLE is not on the allow-list',
    });
  });

  test('daily limit counts approved amounts per UTC day and resets at midnight', () => {
    const limit = dailyLimit({ asset: 'ETH', limit: 100n, now: () => clock });
    const decide = ruleChain([destinationAllowList(['a', 'b']), limit]);
    assert.equal(decide(req('a', '60')).action, 'APPROVE');
    assert.equal(decide(req('c', '30')).action, 'REJECT'); // not counted: rejected by the allow-list
    assert.equal(limit.spentToday(), 60n);
    assert.equal(decide(req('b', '40')).action, 'APPROVE');
    const over = decide(req('b', '1'));
    assert.equal(over.action, 'REJECT');
    assert.match(over.rejectionReason ?? '', /daily limit of 100 ETH exceeded/);
    assert.equal(decide(req('b', '5', 'BTC')).action, 'APPROVE'); // another asset
    clock += 2 * 3600_000; // next UTC day
    assert.equal(decide(req('b', '100')).action, 'APPROVE');
  });
});

test('configuration changes: only the listed change types are approved; none listed rejects all', () => {
  const change = (changeType: string): ConfigChangeRequest => ({
    requestId: 'c',
    kind: 'config_change_sign_request',
    apiUserId: 'u',
    changeType,
    details: {},
    iat: 0,
    exp: 1,
  });
  const decide = configChangeAllowList(['REFRESH_KEY', 'RESHARE_KEY']);
  assert.deepEqual(decide(change('REFRESH_KEY')), { action: 'APPROVE' });
  assert.deepEqual(decide(change('RESHARE_KEY')), { action: 'APPROVE' });
  assert.deepEqual(decide(change('PAIR_API_USER')), {
    action: 'REJECT',
    rejectionReason: 'configuration change PAIR_API_USER is not approved by this handler',
  });
  assert.equal(configChangeAllowList([])(change('REFRESH_KEY')).action, 'REJECT');
});

describe('example server', () => {
  test('serves the protocol over HTTP with keys read from files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-cb-'));
    const cosigner = await generateCallbackKeyPair('ES256');
    const handler = await generateCallbackKeyPair('EdDSA');
    writeFileSync(join(dir, 'cosigner.pub'), cosigner.publicKeyPem);
    writeFileSync(join(dir, 'handler.key'), await exportPKCS8(handler.privateKey.key as CryptoKey));
    const server = await startExampleServer({
      COSIGNER_PUBLIC_KEY_FILE: join(dir, 'cosigner.pub'),
      COSIGNER_KEY_ALG: 'ES256',
      HANDLER_PRIVATE_KEY_FILE: join(dir, 'handler.key'),
      HANDLER_KEY_ALG: 'EdDSA',
      ALLOWED_DESTINATIONS: 'addr-1, addr-2',
      DAILY_LIMIT: 'SOL:1000',
      PORT: '0',
    });
    try {
      const addr = server.address();
      assert.ok(addr && typeof addr === 'object');
      const post = async (destination: string, amount: string) => {
        const token = await signTxSignRequest(
          {
            requestId: 'q-1',
            apiUserId: 'u',
            operation: 'sign',
            transfers: [{ destination, amount, asset: 'SOL' }],
            digests: [],
          },
          cosigner.privateKey,
        );
        const r = await fetch(`http://127.0.0.1:${addr.port}/v2/tx_sign_request`, {
          method: 'POST',
          body: token,
        });
        assert.equal(r.status, 200);
        return verifyResponse(await r.text(), 'tx_sign_request', 'q-1', handler.publicKey);
      };
      assert.equal((await post('addr-1', '900')).action, 'APPROVE');
      assert.equal((await post('addr-2', '200')).action, 'REJECT');
      assert.equal((await post('addr-3', '1')).action, 'REJECT');
      const get = await fetch(`http://127.0.0.1:${addr.port}/v2/tx_sign_request`);
      assert.equal(get.status, 405);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses to start without a required setting', async () => {
    await assert.rejects(startExampleServer({}), /COSIGNER_PUBLIC_KEY_FILE is required/);
  });
});
