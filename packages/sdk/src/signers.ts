/**
 * MPC signers backed by the hub: each `signDigest` is one hub transaction (policy, approvals,
 * co-signer clique), awaited with `waitForTransaction`. They have the shape of
 * @quorate/chains' signer interface, so the chain adapters (ethers, viem, bitcoinjs, web3.js)
 * can sign through the hub. The hub stores the clique's output as `signature`:
 * `{signature: hex}` (ECDSA r ‖ s, or a 64-byte Schnorr signature), plus `r`, `s`,
 * `recoveryId` for ECDSA. The adapters verify every signature under the key again.
 */
import type { QuorateClient, Transaction } from './client.ts';

export interface HubSignerOptions {
  readonly vaultId: string;
  readonly accountId: string;
  /** The account's public key as the adapters expect it (see docs/chains.md). */
  readonly publicKey: Uint8Array;
  readonly timeoutMs?: number;
}

/** The transaction ended without a signature (REJECTED, BLOCKED, FAILED, …). */
export class HubSigningError extends Error {
  override readonly name = 'HubSigningError';
  constructor(
    readonly transactionId: string,
    readonly status: string,
    readonly reason: string,
  ) {
    super(`transaction ${transactionId} ended ${status}: ${reason}`);
  }
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function signatureHex(
  client: QuorateClient,
  o: HubSignerOptions,
  payloadHex: string,
  note: string | undefined,
): Promise<string> {
  const created = await client.createTransaction({
    vaultId: o.vaultId,
    accountId: o.accountId,
    payload: { type: 'raw', digest: payloadHex },
    operation: 'RAW',
    ...(note !== undefined ? { note } : {}),
  });
  const tx: Transaction = await client.waitForTransaction(created.id, {
    timeoutMs: o.timeoutMs ?? 120_000,
  });
  const last = tx.transitions[tx.transitions.length - 1];
  if (tx.status !== 'COMPLETED')
    throw new HubSigningError(tx.id, tx.status, last?.reason ?? 'no reason recorded');
  const sig = tx.signature?.signature;
  if (typeof sig !== 'string' || !/^[0-9a-f]{128}$/.test(sig))
    throw new HubSigningError(tx.id, tx.status, 'the hub returned no 64-byte signature');
  return sig;
}

export function hubEcdsaSigner(client: QuorateClient, o: HubSignerOptions) {
  return {
    algorithm: 'ecdsa-secp256k1' as const,
    publicKey: async () => o.publicKey,
    async signDigest(digest: Uint8Array, opts?: { note?: string }) {
      const sig = await signatureHex(client, o, toHex(digest), opts?.note);
      return { r: BigInt('0x' + sig.slice(0, 64)), s: BigInt('0x' + sig.slice(64)) };
    },
  };
}

/** Ed25519 (the whole message is sent) or BIP340 (the hub signs for the BIP86 output key). */
export function hubSchnorrSigner<A extends 'eddsa-ed25519' | 'schnorr-bip340'>(
  client: QuorateClient,
  algorithm: A,
  o: HubSignerOptions,
) {
  return {
    algorithm,
    publicKey: async () => o.publicKey,
    async signDigest(message: Uint8Array, opts?: { note?: string }) {
      const sig = await signatureHex(client, o, toHex(message), opts?.note);
      return { signature: Uint8Array.from(Buffer.from(sig, 'hex')) };
    },
  };
}
