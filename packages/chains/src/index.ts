/**
 * @quorate/chains — chain adapters over an MPC signer (EVM, Bitcoin, Solana). See README.md.
 */
export { ChainSignerError, ecdsaPublicKey, signEcdsaChecked } from './signer.ts';
export type {
  Bip340Signer,
  CheckedEcdsaSignature,
  EcdsaSignature,
  EcdsaSigner,
  Ed25519Signer,
  MpcSigner,
  SchnorrSignature,
  SignOptions,
} from './signer.ts';
export { evmAddress, MpcEthersSigner, mpcViemAccount } from './evm.ts';
export { psbtEcdsaSigner, psbtTaprootSigner, taprootOutputKey } from './bitcoin.ts';
export type { TaprootSignerOptions } from './bitcoin.ts';
export { MpcSolanaSigner } from './solana.ts';
