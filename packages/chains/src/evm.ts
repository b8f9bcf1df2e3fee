/**
 * EVM adapters over an MPC ECDSA signer: an ethers v6 `AbstractSigner` and a viem
 * `LocalAccount` (viem's `toAccount`). Both hash exactly what their library would hash for a
 * private key — the unsigned transaction's keccak256 (EIP-2718 typed or legacy / EIP-155),
 * EIP-191 personal messages, EIP-712 typed data — and have it signed by the threshold key.
 * The address is keccak256 of the uncompressed public key, last 20 bytes (Yellow Paper, eq. 284).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import {
  AbstractSigner,
  copyRequest,
  getAddress,
  hashMessage,
  resolveAddress,
  resolveProperties,
  Signature,
  Transaction,
  TypedDataEncoder,
} from 'ethers';
import type {
  Provider,
  TransactionLike,
  TransactionRequest,
  TypedDataDomain,
  TypedDataField,
} from 'ethers';
import {
  hashMessage as viemHashMessage,
  hashTypedData,
  keccak256,
  numberToHex,
  serializeTransaction,
} from 'viem';
import type { Hex, LocalAccount, SignableMessage, TypedDataDefinition } from 'viem';
import { toAccount } from 'viem/accounts';
import {
  bytesToHex,
  ChainSignerError,
  ecdsaPublicKey,
  hexToBytes,
  signEcdsaChecked,
} from './signer.ts';
import type { CheckedEcdsaSignature, EcdsaSigner } from './signer.ts';

/** The checksummed EVM address of a secp256k1 public key (compressed or uncompressed). */
export function evmAddress(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return getAddress('0x' + bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12)));
}

function toEthersSignature(sig: CheckedEcdsaSignature): Signature {
  return Signature.from({
    r: numberToHex(sig.r, { size: 32 }),
    s: numberToHex(sig.s, { size: 32 }),
    v: 27 + sig.recoveryId,
  });
}

/**
 * An ethers v6 Signer whose key is an MPC key. Create it with `MpcEthersSigner.create(signer,
 * provider)`: the public key is fetched (and validated) once.
 */
export class MpcEthersSigner extends AbstractSigner {
  readonly address: string;
  readonly #signer: EcdsaSigner;
  readonly #publicKey: Uint8Array;

  private constructor(signer: EcdsaSigner, publicKey: Uint8Array, provider: Provider | null) {
    super(provider);
    this.#signer = signer;
    this.#publicKey = publicKey;
    this.address = evmAddress(publicKey);
  }

  static async create(signer: EcdsaSigner, provider?: Provider | null): Promise<MpcEthersSigner> {
    return new MpcEthersSigner(signer, await ecdsaPublicKey(signer), provider ?? null);
  }

  override async getAddress(): Promise<string> {
    return this.address;
  }

  override connect(provider: Provider | null): MpcEthersSigner {
    return new MpcEthersSigner(this.#signer, this.#publicKey, provider);
  }

  async #signHash(digestHex: string, note: string): Promise<Signature> {
    const sig = await signEcdsaChecked(this.#signer, this.#publicKey, hexToBytes(digestHex), {
      note,
    });
    return toEthersSignature(sig);
  }

  override async signTransaction(request: TransactionRequest): Promise<string> {
    const tx = copyRequest(request);
    const { to, from } = await resolveProperties({
      to: tx.to ? resolveAddress(tx.to, this.provider) : undefined,
      from: tx.from ? resolveAddress(tx.from, this.provider) : undefined,
    });
    if (to != null) tx.to = to;
    if (from != null) {
      if (getAddress(from) !== this.address)
        throw new ChainSignerError('tx.from', `is not this signer's address ${this.address}`);
      delete tx.from;
    }
    const unsigned = Transaction.from(tx as TransactionLike<string>);
    unsigned.signature = await this.#signHash(unsigned.unsignedHash, 'evm transaction');
    return unsigned.serialized;
  }

  override async signMessage(message: string | Uint8Array): Promise<string> {
    return (await this.#signHash(hashMessage(message), 'evm message')).serialized;
  }

  override async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    const populated = await TypedDataEncoder.resolveNames(domain, types, value, async (name) => {
      if (!this.provider) throw new ChainSignerError('typedData', `cannot resolve ENS "${name}"`);
      const address = await this.provider.resolveName(name);
      if (address == null) throw new ChainSignerError('typedData', `unknown ENS "${name}"`);
      return address;
    });
    const digest = TypedDataEncoder.hash(populated.domain, types, populated.value);
    return (await this.#signHash(digest, 'evm typed data')).serialized;
  }
}

function viemSignature(sig: CheckedEcdsaSignature): { r: Hex; s: Hex; yParity: number } {
  return {
    r: numberToHex(sig.r, { size: 32 }),
    s: numberToHex(sig.s, { size: 32 }),
    yParity: sig.recoveryId,
  };
}

function serialized(sig: CheckedEcdsaSignature): Hex {
  return `0x${bytesToHex(sig.compact)}${sig.recoveryId === 0 ? '1b' : '1c'}`;
}

/**
 * A viem `LocalAccount` (source "custom") whose key is an MPC key: usable as `account` in
 * `createWalletClient` or any viem action that signs locally.
 */
export async function mpcViemAccount(signer: EcdsaSigner): Promise<LocalAccount> {
  const publicKey = await ecdsaPublicKey(signer);
  const sign = (hash: Hex, note: string) =>
    signEcdsaChecked(signer, publicKey, hexToBytes(hash), { note });
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  const account = toAccount({
    address: evmAddress(publicKey) as Hex,
    async sign({ hash }) {
      return serialized(await sign(hash, 'evm hash'));
    },
    async signMessage({ message }: { message: SignableMessage }) {
      return serialized(await sign(viemHashMessage(message), 'evm message'));
    },
    async signTransaction(transaction, options) {
      const serializer = options?.serializer ?? serializeTransaction;
      // viem signs a blob transaction without its sidecars, as its own privateKey account does.
      const signable =
        transaction.type === 'eip4844' ? { ...transaction, sidecars: false as const } : transaction;
      const digest = keccak256(await serializer(signable));
      const sig = await sign(digest, 'evm transaction');
      return serializer(transaction, viemSignature(sig));
    },
    async signTypedData(typedData) {
      return serialized(
        await sign(hashTypedData(typedData as TypedDataDefinition), 'evm typed data'),
      );
    },
  });
  return { ...account, publicKey: `0x${bytesToHex(uncompressed)}` };
}
