/**
 * Addresses of a public key, so an operator can check a recovered key against the wallet:
 * EVM (keccak256 of the uncompressed point, EIP-55 checksum), Bitcoin P2WPKH (BIP141/BIP173:
 * bech32 of HASH160 of the compressed key, witness v0), Bitcoin P2TR for BIP340 keys (BIP86:
 * key-path only, output key = P + H_TapTweak(x(P))·G, bech32m), Solana (base58 of the Ed25519 key).
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { base58, bech32, bech32m } from '@scure/base';

export type BitcoinNetwork = 'mainnet' | 'testnet';
const HRP: Record<BitcoinNetwork, string> = { mainnet: 'bc', testnet: 'tb' };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** EIP-55 checksummed address of a secp256k1 public key (any SEC1 encoding). */
export function evmAddress(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  const addr = hex(keccak_256(uncompressed.subarray(1)).subarray(12));
  const h = hex(keccak_256(new TextEncoder().encode(addr)));
  let out = '0x';
  for (let i = 0; i < 40; i++)
    out += parseInt(h[i] as string, 16) >= 8 ? (addr[i] as string).toUpperCase() : addr[i];
  return out;
}

/** Native SegWit v0 pay-to-witness-public-key-hash address. */
export function p2wpkhAddress(publicKey: Uint8Array, network: BitcoinNetwork = 'mainnet'): string {
  const compressed = secp256k1.Point.fromBytes(publicKey).toBytes(true);
  const program = ripemd160(sha256(compressed));
  return bech32.encode(HRP[network], [0, ...bech32.toWords(program)]);
}

/** BIP86 key-path-only Taproot address of an internal key. */
export function p2trAddress(publicKey: Uint8Array, network: BitcoinNetwork = 'mainnet'): string {
  const P = secp256k1.Point.fromBytes(publicKey);
  const x = P.toBytes(true).subarray(1);
  const even = secp256k1.Point.fromBytes(Uint8Array.from([2, ...x]));
  const t = schnorr.utils.taggedHash('TapTweak', x);
  const tweak = BigInt('0x' + hex(t));
  if (tweak >= secp256k1.Point.Fn.ORDER) throw new RangeError('tap tweak out of range');
  const Q = even.add(secp256k1.Point.BASE.multiply(tweak));
  return bech32m.encode(HRP[network], [1, ...bech32m.toWords(Q.toBytes(true).subarray(1))]);
}

export function solanaAddress(ed25519PublicKey: Uint8Array): string {
  return base58.encode(ed25519PublicKey);
}

export interface Addresses {
  readonly evm?: string;
  readonly bitcoinP2wpkh?: string;
  readonly bitcoinP2tr?: string;
  readonly solana?: string;
}

/** The addresses that make sense for a key of this curve/algorithm. */
export function addressesOf(
  curve: 'secp256k1' | 'ed25519',
  publicKey: Uint8Array,
  opts: { taproot?: boolean; network?: BitcoinNetwork } = {},
): Addresses {
  if (curve === 'ed25519') return { solana: solanaAddress(publicKey) };
  const network = opts.network ?? 'mainnet';
  return {
    evm: evmAddress(publicKey),
    bitcoinP2wpkh: p2wpkhAddress(publicKey, network),
    ...(opts.taproot ? { bitcoinP2tr: p2trAddress(publicKey, network) } : {}),
  };
}
