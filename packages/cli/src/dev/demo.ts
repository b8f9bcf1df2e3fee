/**
 * The demo of `quorate dev up --demo`: through the public API, as the demo API user, it signs an
 * EIP-1559 transfer with the ECDSA vault and a message with the EdDSA vault, then checks each
 * signature with an independent verifier (ethers recovers the sender of the signed transaction;
 * node:crypto/OpenSSL verifies the Ed25519 signature). A signature that does not verify fails
 * the demo: it never reports success on the hub's word alone.
 */
import { createPublicKey, verify } from 'node:crypto';
import { Signature, Transaction, getAddress, parseEther } from 'ethers';
import type { QuorateClient } from '@quorate/sdk';
import { call, StackError } from './hub-client.ts';
import { DEMO_DESTINATION } from './stack.ts';
import type { RunningStack } from './stack.ts';

export interface DemoTransaction {
  readonly id: string;
  readonly status: string;
  readonly kind: string;
  readonly digest: string;
  readonly signature: string | null;
  readonly signedTx?: string;
  readonly verified: boolean;
  /** Why the transaction did not complete (the demo's refused transfer). */
  readonly reason?: string;
}

export interface DemoKeys {
  readonly ecdsa: { readonly publicKey: string; readonly address: string };
  readonly eddsa: { readonly publicKey: string };
}

type Json = Record<string, unknown>;

async function account(owner: QuorateClient, vaultId: string, accountId: string): Promise<Json> {
  const r = await call(owner, 'GET /v1/vaults/{id}/accounts', { params: { id: vaultId } });
  const a = (r['accounts'] as Json[]).find((x) => x['id'] === accountId);
  if (a === undefined) throw new StackError(`account ${accountId} of vault ${vaultId} is missing`);
  return a;
}

async function submitAndWait(
  client: QuorateClient,
  body: Json,
  progress: (line: string) => void,
  what: string,
): Promise<Json> {
  const created = await call(client, 'POST /v1/transactions', { body });
  const id = String(created['id']);
  progress(`${what}: transaction ${id} ${String(created['status'])}`);
  const tx = await client.waitForTransaction(id, {
    timeoutMs: 180_000,
    intervalMs: 200,
    onStatus: (s) => progress(`${what}: ${s}`),
  });
  return tx as unknown as Json;
}

async function signThrough(
  client: QuorateClient,
  body: Json,
  progress: (line: string) => void,
  what: string,
): Promise<Json> {
  const tx = await submitAndWait(client, body, progress, what);
  const id = String(tx['id']);
  if (tx['status'] !== 'COMPLETED')
    throw new StackError(
      `${what}: transaction ${id} ended ${String(tx['status'])}: ${JSON.stringify((tx['transitions'] as unknown[]).at(-1) ?? null)}`,
    );
  return tx;
}

function unsignedTransfer(to: string): Transaction {
  return Transaction.from({
    type: 2,
    chainId: 1337,
    nonce: 0,
    to,
    value: parseEther('0.01'),
    gasLimit: 21_000n,
    maxFeePerGas: 30_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
    data: '0x',
  });
}

export async function keysOf(stack: RunningStack): Promise<DemoKeys> {
  const { ecdsa, eddsa } = stack.state.vaults;
  const e = await account(stack.owner, ecdsa.vaultId, ecdsa.accountId);
  const d = await account(stack.owner, eddsa.vaultId, eddsa.accountId);
  return {
    ecdsa: { publicKey: String(e['publicKey']), address: getAddress(String(e['address'])) },
    eddsa: { publicKey: String(d['publicKey']) },
  };
}

/** An EIP-1559 transfer from the MPC address, signed through the hub; ethers checks the sender. */
export async function signEvmTransfer(
  stack: RunningStack,
  keys: DemoKeys,
  progress: (line: string) => void,
): Promise<DemoTransaction> {
  const { vaultId, accountId } = stack.state.vaults.ecdsa;
  const unsigned = unsignedTransfer(DEMO_DESTINATION);
  const tx = await signThrough(
    stack.apiUser,
    {
      vaultId,
      accountId,
      payload: { type: 'evm', transaction: unsigned.unsignedSerialized },
      asset: 'ETH',
      amount: '0.01',
      destination: DEMO_DESTINATION,
      note: 'quorate dev up --demo: EIP-1559 transfer',
    },
    progress,
    'EVM transfer',
  );
  const sig = tx['signature'] as Json;
  const signed = unsigned.clone();
  signed.signature = Signature.from({
    r: `0x${String(sig['r'])}`,
    s: `0x${String(sig['s'])}`,
    v: 27 + Number(sig['recoveryId']),
  });
  const verified = signed.from === keys.ecdsa.address;
  if (!verified)
    throw new StackError(
      `EVM transfer: the signed transaction recovers to ${String(signed.from)}, not the vault address ${keys.ecdsa.address}`,
    );
  return {
    id: String(tx['id']),
    status: String(tx['status']),
    kind: 'evm',
    digest: String(tx['digest']),
    signature: String(sig['signature']),
    signedTx: signed.serialized,
    verified,
  };
}

/** An Ed25519 message signed through the hub; OpenSSL (node:crypto) verifies it. */
export async function signEd25519Message(
  stack: RunningStack,
  keys: DemoKeys,
  progress: (line: string) => void,
): Promise<DemoTransaction> {
  const { vaultId, accountId } = stack.state.vaults.eddsa;
  const message = `quorate dev up --demo at ${new Date().toISOString()}`;
  const tx = await signThrough(
    stack.apiUser,
    {
      vaultId,
      accountId,
      payload: { type: 'message', message },
      note: 'quorate dev up --demo: Ed25519 message',
    },
    progress,
    'Ed25519 message',
  );
  const signature = String((tx['signature'] as Json)['signature']);
  const publicKey = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(keys.eddsa.publicKey, 'hex').toString('base64url'),
    },
    format: 'jwk',
  });
  const verified = verify(
    null,
    Buffer.from(message, 'utf8'),
    publicKey,
    Buffer.from(signature, 'hex'),
  );
  if (!verified)
    throw new StackError('Ed25519 message: the signature does not verify under the vault key');
  return {
    id: String(tx['id']),
    status: String(tx['status']),
    kind: 'message',
    digest: String(tx['digest']),
    signature,
    verified,
  };
}

/**
 * The co-signers' own controls at work: a transfer the hub's policy allows, to an address that is
 * not on the primary's callback handler allow-list. The primary refuses to join, so the
 * transaction must end REJECTED with the handler's reason; anything else fails the demo.
 */
export async function refusedTransfer(
  stack: RunningStack,
  progress: (line: string) => void,
): Promise<DemoTransaction> {
  const { vaultId, accountId } = stack.state.vaults.ecdsa;
  const to = '0x1111111111111111111111111111111111111111';
  const tx = await submitAndWait(
    stack.apiUser,
    {
      vaultId,
      accountId,
      payload: { type: 'evm', transaction: unsignedTransfer(to).unsignedSerialized },
      asset: 'ETH',
      amount: '0.01',
      destination: to,
      note: 'quorate dev up --demo: a destination the callback handler does not allow',
    },
    progress,
    'transfer to a destination off the allow-list',
  );
  const last = (tx['transitions'] as { reason?: string }[]).at(-1);
  const reason = last?.reason ?? '';
  if (tx['status'] !== 'REJECTED' || !reason.includes('not on the allow-list'))
    throw new StackError(
      `the transfer to ${to} should have been refused by the primary's callback handler, but it ended ${String(tx['status'])} (${reason})`,
    );
  return {
    id: String(tx['id']),
    status: String(tx['status']),
    kind: 'evm',
    digest: String(tx['digest']),
    signature: null,
    verified: false,
    reason,
  };
}
