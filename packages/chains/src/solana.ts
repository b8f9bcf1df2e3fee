/**
 * Solana adapter: an Ed25519 MPC key as a @solana/web3.js signer. A Solana signature is Ed25519
 * (RFC 8032) over the serialized transaction message, so the threshold key signs the message
 * bytes themselves. The shape (`publicKey`, `signTransaction`, `signAllTransactions`,
 * `signMessage`) is the one wallet adapters use.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Transaction } from '@solana/web3.js';
import { PublicKey, VersionedTransaction } from '@solana/web3.js';
import { assertBytes, ChainSignerError } from './signer.ts';
import type { Ed25519Signer } from './signer.ts';

export class MpcSolanaSigner {
  readonly publicKey: PublicKey;
  readonly #signer: Ed25519Signer;
  readonly #key: Uint8Array;

  private constructor(signer: Ed25519Signer, key: Uint8Array) {
    this.#signer = signer;
    this.#key = key;
    this.publicKey = new PublicKey(key);
  }

  static async create(signer: Ed25519Signer): Promise<MpcSolanaSigner> {
    const key = await signer.publicKey();
    assertBytes(key, 32, 'publicKey');
    try {
      ed25519.Point.fromBytes(key);
    } catch {
      throw new ChainSignerError('publicKey', 'not an Ed25519 point');
    }
    return new MpcSolanaSigner(signer, key);
  }

  /** Ed25519 signature over `message`, verified under this key before it is returned. */
  async signMessage(message: Uint8Array, note = 'solana message'): Promise<Uint8Array> {
    const { signature } = await this.#signer.signDigest(message, { note });
    assertBytes(signature, 64, 'signature');
    if (!ed25519.verify(signature, message, this.#key))
      throw new ChainSignerError('signature', 'does not verify under the signer public key');
    return signature;
  }

  /** Adds this key's signature to a legacy or versioned transaction (which must list it). */
  async signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T> {
    if (tx instanceof VersionedTransaction) {
      const signers = tx.message.staticAccountKeys.slice(
        0,
        tx.message.header.numRequiredSignatures,
      );
      if (!signers.some((k) => k.equals(this.publicKey)))
        throw new ChainSignerError('transaction', 'this key is not a required signer');
      tx.addSignature(this.publicKey, await this.signMessage(tx.message.serialize(), 'solana tx'));
      return tx;
    }
    const message = tx.serializeMessage();
    const sig = await this.signMessage(message, 'solana tx');
    // addSignature throws when the key is not among the message's signers.
    try {
      tx.addSignature(this.publicKey, Buffer.from(sig));
    } catch {
      throw new ChainSignerError('transaction', 'this key is not a required signer');
    }
    return tx;
  }

  async signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> {
    const out: T[] = [];
    for (const tx of txs) out.push(await this.signTransaction(tx));
    return out;
  }
}
