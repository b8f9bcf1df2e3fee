// Handler SDK: the request JWT is verified with the co-signer's key (each algorithm), claims are
// validated strictly, and the answer is a JWT signed by the handler that the co-signer can verify.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALLBACK_ALGS,
  createCallbackHandler,
  generateCallbackKeyPair,
  signTxSignRequest,
  signConfigChangeRequest,
  verifyResponse,
  importPublicKey,
} from '../src/index.ts';
import type { CallbackKey, TxSignRequestBody, CallbackAlg, CallbackError } from '../src/index.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const time = { now: () => NOW };

const body: TxSignRequestBody = {
  requestId: 'req-1',
  apiUserId: 'api-user-1',
  operation: 'sign',
  keyId: 'wallet-1',
  rawTxKind: 'evm',
  transfers: [
    { destination: '0x1111111111111111111111111111111111111111', amount: '1000', asset: 'ETH' },
  ],
  digests: ['ab'.repeat(32)],
};

type Pair = { privateKey: CallbackKey; publicKey: CallbackKey; publicKeyPem: string };
const keys = {} as Record<CallbackAlg, { cosigner: Pair; handler: Pair }>;

before(async () => {
  for (const alg of CALLBACK_ALGS)
    keys[alg] = {
      cosigner: await generateCallbackKeyPair(alg),
      handler: await generateCallbackKeyPair(alg),
    };
});

function handlerFor(alg: CallbackAlg, onError?: (e: CallbackError) => void) {
  const k = keys[alg];
  return createCallbackHandler({
    cosignerKeys: [k.cosigner.publicKey],
    handlerKey: k.handler.privateKey,
    onTxSignRequest: (req) =>
      req.transfers[0]?.amount === '1000'
        ? { action: 'APPROVE' }
        : { action: 'REJECT', rejectionReason: 'too much' },
    time,
    ...(onError ? { onError } : {}),
  });
}

describe('handler SDK', () => {
  for (const alg of CALLBACK_ALGS) {
    test(`${alg}: verifies the request and signs an APPROVE the co-signer verifies`, async () => {
      const token = await signTxSignRequest(body, keys[alg].cosigner.privateKey, time);
      const reply = await handlerFor(alg).handle('/v2/tx_sign_request', token);
      assert.equal(reply.status, 200);
      assert.equal(reply.contentType, 'application/jwt');
      const res = await verifyResponse(
        reply.body,
        'tx_sign_request',
        'req-1',
        keys[alg].handler.publicKey,
        time,
      );
      assert.equal(res.action, 'APPROVE');
      assert.equal(res.requestId, 'req-1');
    });
  }

  test('REJECT carries the rejection reason', async () => {
    const token = await signTxSignRequest(
      { ...body, transfers: [{ destination: '0xaa', amount: '5', asset: 'ETH' }] },
      keys.ES256.cosigner.privateKey,
      time,
    );
    const reply = await handlerFor('ES256').handle('/v2/tx_sign_request', token);
    const res = await verifyResponse(
      reply.body,
      'tx_sign_request',
      'req-1',
      keys.ES256.handler.publicKey,
      time,
    );
    assert.deepEqual([res.action, res.rejectionReason], ['REJECT', 'too much']);
  });

  test('a request signed by another key is refused with 401 bad-signature', async () => {
    const errs: CallbackError[] = [];
    const forged = await signTxSignRequest(body, keys.ES256.handler.privateKey, time);
    const reply = await handlerFor('ES256', (e) => errs.push(e)).handle(
      '/v2/tx_sign_request',
      forged,
    );
    assert.equal(reply.status, 401);
    assert.equal(errs[0]?.kind, 'bad-signature');
  });

  test('a request with another algorithm than configured is refused (no algorithm choice by the token)', async () => {
    const errs: CallbackError[] = [];
    const token = await signTxSignRequest(body, keys.EdDSA.cosigner.privateKey, time);
    const reply = await handlerFor('ES256', (e) => errs.push(e)).handle(
      '/v2/tx_sign_request',
      token,
    );
    assert.equal(reply.status, 401);
    assert.equal(errs[0]?.kind, 'bad-signature');
  });

  test('a tampered payload is refused with bad-signature', async () => {
    const errs: CallbackError[] = [];
    const token = await signTxSignRequest(body, keys.EdDSA.cosigner.privateKey, time);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.transfers[0].amount = '1';
    const tampered = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
    const reply = await handlerFor('EdDSA', (e) => errs.push(e)).handle(
      '/v2/tx_sign_request',
      tampered,
    );
    assert.equal(reply.status, 401);
    assert.equal(errs[0]?.kind, 'bad-signature');
  });

  test('an expired request is refused with expired', async () => {
    const errs: CallbackError[] = [];
    const token = await signTxSignRequest(body, keys.EdDSA.cosigner.privateKey, {
      now: () => NOW - 10 * 60_000,
    });
    const reply = await handlerFor('EdDSA', (e) => errs.push(e)).handle(
      '/v2/tx_sign_request',
      token,
    );
    assert.equal(reply.status, 401);
    assert.equal(errs[0]?.kind, 'expired');
  });

  test('an unknown claim is refused with malformed naming it', async () => {
    const errs: CallbackError[] = [];
    const token = await signTxSignRequest(
      { ...body, extra: 1 } as unknown as TxSignRequestBody,
      keys.EdDSA.cosigner.privateKey,
      time,
    );
    const reply = await handlerFor('EdDSA', (e) => errs.push(e)).handle(
      '/v2/tx_sign_request',
      token,
    );
    assert.equal(reply.status, 400);
    assert.equal(errs[0]?.kind, 'malformed');
    assert.equal(errs[0]?.field, 'extra');
  });

  test('a bad amount is refused with malformed naming the field', async () => {
    const errs: CallbackError[] = [];
    const token = await signTxSignRequest(
      { ...body, transfers: [{ destination: 'x', amount: '1.5', asset: 'ETH' }] },
      keys.EdDSA.cosigner.privateKey,
      time,
    );
    await handlerFor('EdDSA', (e) => errs.push(e)).handle('/v2/tx_sign_request', token);
    assert.equal(errs[0]?.field, 'transfers.0.amount');
  });

  test('a tx request sent to the config-change endpoint is refused (kind is checked)', async () => {
    const errs: CallbackError[] = [];
    const token = await signTxSignRequest(body, keys.EdDSA.cosigner.privateKey, time);
    const reply = await handlerFor('EdDSA', (e) => errs.push(e)).handle(
      '/v2/config_change_sign_request',
      token,
    );
    assert.equal(reply.status, 400);
    assert.equal(errs[0]?.field, 'kind');
  });

  test('config changes are rejected by default; unknown paths get 404', async () => {
    const token = await signConfigChangeRequest(
      {
        requestId: 'cfg-1',
        apiUserId: 'api-user-1',
        changeType: 'PAIR_API_USER',
        details: { apiUser: 'u2' },
      },
      keys.EdDSA.cosigner.privateKey,
      time,
    );
    const h = handlerFor('EdDSA');
    const reply = await h.handle('/base/v2/config_change_sign_request', token);
    const res = await verifyResponse(
      reply.body,
      'config_change_sign_request',
      'cfg-1',
      keys.EdDSA.handler.publicKey,
      time,
    );
    assert.equal(res.action, 'REJECT');
    assert.equal((await h.handle('/v1/other', token)).status, 404);
  });

  test('a decision function answering IGNORE to a transaction is a handler bug', async () => {
    const h = createCallbackHandler({
      cosignerKeys: [keys.EdDSA.cosigner.publicKey],
      handlerKey: keys.EdDSA.handler.privateKey,
      onTxSignRequest: () => ({ action: 'IGNORE' }),
      time,
    });
    const token = await signTxSignRequest(body, keys.EdDSA.cosigner.privateKey, time);
    await assert.rejects(
      h.handle('/v2/tx_sign_request', token),
      (e: CallbackError) => e.kind === 'action-not-allowed',
    );
  });

  test('verifyResponse: requestId mismatch, IGNORE on a tx, bad signature', async () => {
    const k = keys.EdDSA.handler;
    const { signResponse } = await import('../src/jwt.ts');
    const other = await signResponse({ requestId: 'req-2', action: 'APPROVE' }, k.privateKey, time);
    await assert.rejects(
      verifyResponse(other, 'tx_sign_request', 'req-1', k.publicKey, time),
      (e: CallbackError) => e.kind === 'request-id-mismatch',
    );
    const ignore = await signResponse({ requestId: 'req-1', action: 'IGNORE' }, k.privateKey, time);
    await assert.rejects(
      verifyResponse(ignore, 'tx_sign_request', 'req-1', k.publicKey, time),
      (e: CallbackError) => e.kind === 'action-not-allowed',
    );
    const ok = await verifyResponse(
      ignore,
      'config_change_sign_request',
      'req-1',
      k.publicKey,
      time,
    );
    assert.equal(ok.action, 'IGNORE');
    await assert.rejects(
      verifyResponse(
        ignore,
        'config_change_sign_request',
        'req-1',
        keys.EdDSA.cosigner.publicKey,
        time,
      ),
      (e: CallbackError) => e.kind === 'bad-signature',
    );
  });

  test('importPublicKey round-trips an exported SPKI key; garbage is malformed', async () => {
    const pub = await importPublicKey(keys.RS256.handler.publicKeyPem, 'RS256');
    assert.equal(pub.alg, 'RS256');
    await assert.rejects(
      importPublicKey('not a key', 'ES256'),
      (e: CallbackError) => e.kind === 'malformed' && e.field === 'publicKey',
    );
  });
});
