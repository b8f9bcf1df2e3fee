// Callback client against real handler servers (the SDK on node:http): approve, reject, retry,
// time-out, bad response signature, two handlers where one rejects, no handler, IGNORE.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import {
  createCallbackHandler,
  createCallbackServer,
  generateCallbackKeyPair,
} from '@quorate/callback';
import type {
  CallbackKey,
  Decision,
  TxSignRequest,
  TxSignRequestBody,
  CallbackAction,
} from '@quorate/callback';
import { CallbackClient } from '../src/callback/client.ts';
import type { HandlerConfig } from '../src/callback/client.ts';

type Pair = { privateKey: CallbackKey; publicKey: CallbackKey };
let cosigner: Pair;
let handlerKeys: Pair;
let otherKeys: Pair;
const servers: Server[] = [];

before(async () => {
  cosigner = await generateCallbackKeyPair('ES256');
  handlerKeys = await generateCallbackKeyPair('EdDSA');
  otherKeys = await generateCallbackKeyPair('EdDSA');
});
after(() =>
  servers.forEach((s) => {
    s.closeAllConnections();
    s.close();
  }),
);

/** Starts a handler; `decide` may delay; `signWith` lets a test sign with a key the client does not trust. */
async function startHandler(
  id: string,
  decide: (req: TxSignRequest) => Decision | Promise<Decision>,
  signWith: Pair = handlerKeys,
): Promise<HandlerConfig> {
  const server = createCallbackServer(
    createCallbackHandler({
      cosignerKeys: [cosigner.publicKey],
      handlerKey: signWith.privateKey,
      onTxSignRequest: decide,
      onConfigChangeRequest: () => ({ action: 'IGNORE' }),
    }),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  return { id, url: `http://127.0.0.1:${addr.port}/`, publicKey: handlerKeys.publicKey };
}

const body: TxSignRequestBody = {
  requestId: 'req-42',
  apiUserId: 'api-user-1',
  operation: 'sign',
  transfers: [{ destination: 'addr-1', amount: '10', asset: 'SOL' }],
  digests: ['00'],
};

const client = (timeoutMs = 2_000) =>
  new CallbackClient({ signingKey: cosigner.privateKey, timeoutMs, retryDelaysMs: [10, 10] });
const fixed = (action: CallbackAction, rejectionReason?: string) => (): Decision =>
  rejectionReason ? { action, rejectionReason } : { action };
const errorKinds = (d: { handlers: readonly object[] }) =>
  d.handlers.map((h) =>
    'error' in h ? (h.error as { kind: string }).kind : (h as { action: string }).action,
  );

describe('callback client', () => {
  test('approve', async () => {
    const h = await startHandler('h1', fixed('APPROVE'));
    const d = await client().txSignRequest([h], body);
    assert.deepEqual([d.outcome, d.approved], ['approve', true]);
    assert.deepEqual(d.handlers, [{ handler: 'h1', action: 'APPROVE', attempts: 1 }]);
  });

  test('reject is final, with the reason', async () => {
    const h = await startHandler('h1', fixed('REJECT', 'not on my list'));
    const d = await client().txSignRequest([h], body);
    assert.deepEqual([d.outcome, d.approved], ['reject', false]);
    assert.deepEqual(d.handlers, [
      { handler: 'h1', action: 'REJECT', rejectionReason: 'not on my list', attempts: 1 },
    ]);
  });

  test('RETRY is asked again with identical parameters, then approves', async () => {
    const seen: TxSignRequest[] = [];
    const h = await startHandler('h1', (req) => {
      seen.push(req);
      return { action: seen.length < 3 ? 'RETRY' : 'APPROVE' };
    });
    const d = await client().txSignRequest([h], body);
    assert.deepEqual(d.handlers, [{ handler: 'h1', action: 'APPROVE', attempts: 3 }]);
    const strip = ({ iat: _i, exp: _e, ...rest }: TxSignRequest) => rest;
    assert.equal(seen.length, 3);
    assert.deepEqual(strip(seen[1]!), strip(seen[0]!));
    assert.deepEqual(strip(seen[2]!), strip(seen[0]!));
    assert.equal(seen[0]!.requestId, 'req-42');
  });

  test('RETRY until the schedule runs out fails (retry-exhausted)', async () => {
    const h = await startHandler('h1', fixed('RETRY'));
    const d = await client().txSignRequest([h], body);
    assert.deepEqual([d.outcome, d.approved], ['fail', false]);
    assert.deepEqual(errorKinds(d), ['retry-exhausted']);
    assert.equal(d.handlers[0]?.attempts, 3);
  });

  test('no answer within the time limit fails (timeout)', async () => {
    const h = await startHandler(
      'slow',
      () => new Promise((r) => setTimeout(() => r({ action: 'APPROVE' }), 1_500)),
    );
    const d = await client(150).txSignRequest([h], body);
    assert.deepEqual([d.outcome, d.approved], ['fail', false]);
    assert.deepEqual(errorKinds(d), ['timeout']);
  });

  test('a response signed by another key denies with bad-signature', async () => {
    const h = await startHandler('forger', fixed('APPROVE'), otherKeys);
    const d = await client().txSignRequest([h], body);
    assert.deepEqual([d.outcome, d.approved], ['fail', false]);
    assert.deepEqual(errorKinds(d), ['bad-signature']);
    const h0 = d.handlers[0];
    assert.ok(h0 && 'error' in h0 && h0.error.handler === 'forger');
  });

  test('a handler that refuses our request (401) denies with http-status', async () => {
    const server = createCallbackServer(
      createCallbackHandler({
        cosignerKeys: [otherKeys.publicKey], // does not know the co-signer's key
        handlerKey: handlerKeys.privateKey,
        onTxSignRequest: fixed('APPROVE'),
      }),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    const d = await client().txSignRequest(
      [{ id: 'strict', url: `http://127.0.0.1:${addr.port}`, publicKey: handlerKeys.publicKey }],
      body,
    );
    assert.deepEqual(errorKinds(d), ['http-status']);
    assert.equal(d.approved, false);
  });

  test('two handlers where one rejects: denied; the slow approver is cancelled', async () => {
    const a = await startHandler(
      'approver',
      () => new Promise((r) => setTimeout(() => r({ action: 'APPROVE' }), 1_000)),
    );
    const b = await startHandler('rejecter', fixed('REJECT', 'limit'));
    const d = await client().txSignRequest([a, b], body);
    assert.deepEqual([d.outcome, d.approved], ['reject', false]);
    assert.deepEqual(errorKinds(d), ['cancelled', 'REJECT']);
  });

  test('two handlers that both approve: approved', async () => {
    const a = await startHandler('a', fixed('APPROVE'));
    const b = await startHandler('b', fixed('APPROVE'));
    const d = await client().txSignRequest([a, b], body);
    assert.deepEqual([d.outcome, d.approved], ['approve', true]);
  });

  test('a network failure denies with network', async () => {
    const d = await client().txSignRequest(
      [{ id: 'down', url: 'http://127.0.0.1:1', publicKey: handlerKeys.publicKey }],
      body,
    );
    assert.deepEqual(errorKinds(d), ['network']);
  });

  test('no handler configured: no-handler, the embedded rules alone decide', async () => {
    const d = await client().txSignRequest([], body);
    assert.deepEqual([d.outcome, d.approved, d.handlers], ['no-handler', true, []]);
  });

  test('config change: IGNORE is a valid answer and does not approve', async () => {
    const h = await startHandler('h1', fixed('APPROVE'));
    const d = await client().configChangeRequest([h], {
      requestId: 'cfg-1',
      apiUserId: 'api-user-1',
      changeType: 'SET_CALLBACK_HANDLER',
      details: { url: 'https://x' },
    });
    assert.deepEqual([d.outcome, d.approved], ['ignore', false]);
  });

  test('the observer sees each attempt with its outcome', async () => {
    const seen: string[] = [];
    const h = await startHandler('h1', fixed('APPROVE'));
    const c = new CallbackClient({
      signingKey: cosigner.privateKey,
      observer: {
        attempt: (handler, outcome, seconds) => seen.push(`${handler}:${outcome}:${seconds >= 0}`),
      },
    });
    await c.txSignRequest([h], body);
    assert.deepEqual(seen, ['h1:APPROVE:true']);
  });
});
