// The adapters over the SDK's hub-backed signer: an EIP-1559 transaction signed by
// MpcEthersSigner through a hub transaction. The hub is scripted (it answers the created
// transaction with a CGGMP21 signature over the posted digest), so this checks the plumbing:
// the digest that leaves, the signature that comes back, the sender ethers recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { QuorateClient, hubEcdsaSigner } from '@quorate/sdk';
import { parseUnits, Transaction } from 'ethers';
import { MpcEthersSigner } from '../src/evm.ts';
import { inProcessEcdsaSigner } from './helpers/mpc.ts';

const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');

test('an EIP-1559 transaction signed through a hub transaction recovers to the MPC address', async () => {
  const mpc = inProcessEcdsaSigner();
  let signature: Record<string, unknown> | null = null;
  const posted: unknown[] = [];
  const client = new QuorateClient({
    baseUrl: 'http://hub.invalid',
    apiUserId: 'u1',
    privateKey: generateKeyPairSync('ed25519').privateKey,
    sleep: async () => {},
    fetch: async (_url, init) => {
      if (init?.method === 'POST') {
        const body = JSON.parse(String(init.body)) as { payload: { digest: string } };
        posted.push(body);
        const sig = await mpc.signDigest(Uint8Array.from(Buffer.from(body.payload.digest, 'hex')));
        signature = { signature: hex32(sig.r) + hex32(sig.s), r: hex32(sig.r), s: hex32(sig.s) };
        return new Response(JSON.stringify({ id: 'tx-1', status: 'QUEUED' }), { status: 201 });
      }
      return new Response(
        JSON.stringify({ id: 'tx-1', status: 'COMPLETED', transitions: [], signature }),
        { status: 200 },
      );
    },
  });
  const signer = await MpcEthersSigner.create(
    hubEcdsaSigner(client, { vaultId: 'v1', accountId: 'a1', publicKey: await mpc.publicKey() }),
  );
  const raw = await signer.signTransaction({
    type: 2,
    chainId: 1,
    nonce: 0,
    to: '0x00000000000000000000000000000000000000aa',
    value: 1n,
    gasLimit: 21000n,
    maxFeePerGas: parseUnits('20', 'gwei'),
    maxPriorityFeePerGas: parseUnits('1', 'gwei'),
  });
  const tx = Transaction.from(raw);
  assert.equal(tx.from, signer.address);
  assert.equal(posted.length, 1);
  assert.deepEqual(posted[0], {
    vaultId: 'v1',
    accountId: 'a1',
    payload: { type: 'raw', digest: tx.unsignedHash.slice(2) },
    operation: 'RAW',
    note: 'evm transaction',
  });
});
