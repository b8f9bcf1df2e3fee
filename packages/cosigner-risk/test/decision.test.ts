// Combined decision: digest check, then embedded rules, then every callback handler; any refusal
// denies, a callback denial releases the rules' reservation, no handler means rules alone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { Transaction as EthTx } from 'ethers';
import {
  createCallbackHandler,
  createCallbackServer,
  generateCallbackKeyPair,
} from '@quorate/callback';
import type { CallbackKey, TxSignRequest } from '@quorate/callback';
import { CallbackClient, RiskEngine, parseRiskRules, createCosignerMetrics } from '../src/index.ts';
import { createRiskGate } from '../src/decision.ts';
import type { HandlerConfig } from '../src/index.ts';

const to = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
const tx = EthTx.from({
  type: 2,
  chainId: 1n,
  nonce: 0,
  maxFeePerGas: 1n,
  maxPriorityFeePerGas: 1n,
  gasLimit: 21000n,
  to,
  value: 100n,
});
const raw = { kind: 'evm' as const, bytes: Buffer.from(tx.unsignedSerialized.slice(2), 'hex') };
const digest = tx.unsignedHash.slice(2);

let cosigner: { privateKey: CallbackKey; publicKey: CallbackKey };
let handler: HandlerConfig;
let server: Server;
const seen: TxSignRequest[] = [];

before(async () => {
  cosigner = await generateCallbackKeyPair('EdDSA');
  const hk = await generateCallbackKeyPair('EdDSA');
  server = createCallbackServer(
    createCallbackHandler({
      cosignerKeys: [cosigner.publicKey],
      handlerKey: hk.privateKey,
      onTxSignRequest: (req) => {
        seen.push(req);
        return req.note === 'reject'
          ? { action: 'REJECT', rejectionReason: 'no' }
          : { action: 'APPROVE' };
      },
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  handler = {
    id: 'h',
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    publicKey: hk.publicKey,
  };
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function gate(withHandler: boolean) {
  const metrics = createCosignerMetrics();
  const engine = new RiskEngine(
    parseRiskRules({
      operations: { sign: {} },
      destinations: [{ address: to }],
      amountLimits: [{ asset: 'evm:1', maxPerWindow: { amount: '150', windowSeconds: 3600 } }],
    }),
  );
  const client = new CallbackClient({ signingKey: cosigner.privateKey, timeoutMs: 2000 });
  return {
    metrics,
    g: createRiskGate({
      engine,
      client,
      handlersFor: () => (withHandler ? [handler] : []),
      metrics,
      now: () => 0,
    }),
  };
}
const base = {
  requestId: 'r1',
  apiUserId: 'u1',
  operation: 'sign' as const,
  digests: [digest],
  raw,
};

describe('combined risk decision', () => {
  test('digest, rules and handler approve: approved; the handler saw our decoding', async () => {
    seen.length = 0;
    const { g } = gate(true);
    const d = await g.decideTx({
      ...base,
      transfers: [{ destination: 'lie', amount: '1', asset: 'x' }],
    });
    assert.deepEqual([d.approved, d.decidedBy], [true, 'all']);
    assert.deepEqual(seen[0]?.transfers, [{ destination: to, amount: '100', asset: 'evm:1' }]);
    assert.equal(seen[0]?.rawTxKind, 'evm');
  });

  test('a wrong digest is refused before the rules and handlers', async () => {
    seen.length = 0;
    const { g } = gate(true);
    const d = await g.decideTx({ ...base, digests: ['00'.repeat(32)] });
    assert.deepEqual([d.approved, d.decidedBy], [false, 'digest']);
    assert.equal(seen.length, 0);
  });

  test('embedded rules refuse: handlers are not asked', async () => {
    seen.length = 0;
    const { g } = gate(true);
    const d = await g.decideTx({ ...base, operation: 'reshare' });
    assert.deepEqual([d.approved, d.decidedBy, d.embedded?.rule], [false, 'embedded', 'operation']);
    assert.equal(seen.length, 0);
  });

  test('a handler rejects: denied, and the amount budget is given back', async () => {
    const { g, metrics } = gate(true);
    const d = await g.decideTx({ ...base, note: 'reject' });
    assert.deepEqual([d.approved, d.decidedBy, d.callback?.outcome], [false, 'callback', 'reject']);
    // 100 of 150 would be used had the rejected request kept its reservation.
    assert.equal((await g.decideTx(base)).approved, true);
    assert.match(
      await metrics.registry.metrics(),
      /quorate_risk_decisions_total\{decision="deny",decided_by="callback"\} 1/,
    );
  });

  test('no handler configured: the embedded rules alone decide', async () => {
    const { g } = gate(false);
    const d = await g.decideTx(base);
    assert.deepEqual([d.approved, d.callback?.outcome], [true, 'no-handler']);
    const second = await g.decideTx({ ...base, requestId: 'r2' });
    assert.deepEqual([second.approved, second.embedded?.rule], [false, 'amount-per-window']);
  });
});
