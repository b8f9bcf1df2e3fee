// Hub-backed signers: one transaction per signature, the clique's output decoded; a transaction
// that ends without a signature is an error naming its status. Scripted transport.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testKey } from '../../hub/test/support/hub.ts';
import { QuorateClient } from '../src/client.ts';
import { hubEcdsaSigner, hubSchnorrSigner, HubSigningError } from '../src/signers.ts';

function hubReturning(final: Record<string, unknown>) {
  const bodies: unknown[] = [];
  const client = new QuorateClient({
    baseUrl: 'http://hub.invalid',
    apiUserId: 'u1',
    privateKey: testKey('Ed25519').privateKey,
    sleep: async () => {},
    fetch: async (_url, init) => {
      if (init?.method === 'POST') {
        bodies.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ id: 'tx-1', status: 'SUBMITTED' }), { status: 201 });
      }
      return new Response(JSON.stringify({ id: 'tx-1', transitions: [], ...final }), {
        status: 200,
      });
    },
  });
  return { client, bodies };
}

const opts = { vaultId: 'v1', accountId: 'a1', publicKey: new Uint8Array(33) };

describe('hub-backed signers', () => {
  test('ECDSA: the digest goes out as a raw payload and r, s come back', async () => {
    const r = '11'.repeat(32);
    const s = '22'.repeat(32);
    const { client, bodies } = hubReturning({
      status: 'COMPLETED',
      signature: { signature: r + s, r, s, recoveryId: 1 },
    });
    const sig = await hubEcdsaSigner(client, opts).signDigest(new Uint8Array(32).fill(0xab), {
      note: 'n',
    });
    assert.deepEqual(sig, { r: BigInt('0x' + r), s: BigInt('0x' + s) });
    assert.deepEqual(bodies, [
      {
        vaultId: 'v1',
        accountId: 'a1',
        payload: { type: 'raw', digest: 'ab'.repeat(32) },
        operation: 'RAW',
        note: 'n',
      },
    ]);
  });

  test('Schnorr: the 64-byte signature comes back as bytes', async () => {
    const { client } = hubReturning({
      status: 'COMPLETED',
      signature: { signature: '33'.repeat(64) },
    });
    const out = await hubSchnorrSigner(client, 'eddsa-ed25519', opts).signDigest(
      new Uint8Array([1]),
    );
    assert.deepEqual(out.signature, new Uint8Array(64).fill(0x33));
  });

  test('a blocked transaction is an error with its status and reason', async () => {
    const { client } = hubReturning({
      status: 'BLOCKED',
      signature: null,
      transitions: [{ from: 'SUBMITTED', to: 'BLOCKED', event: 'BLOCK', reason: 'rule 2' }],
    });
    await assert.rejects(
      hubEcdsaSigner(client, opts).signDigest(new Uint8Array(32)),
      (e) => e instanceof HubSigningError && e.status === 'BLOCKED' && e.reason === 'rule 2',
    );
  });

  test('a completed transaction without a well-formed signature is refused', async () => {
    const { client } = hubReturning({ status: 'COMPLETED', signature: { signature: 'zz' } });
    await assert.rejects(
      hubEcdsaSigner(client, opts).signDigest(new Uint8Array(32)),
      (e) => e instanceof HubSigningError && e.reason === 'the hub returned no 64-byte signature',
    );
  });
});
