/**
 * @quorate/frost — FROST threshold Schnorr (RFC 9591): Ed25519, secp256k1 and BIP340/Taproot,
 * with DKG, dealer split, refresh, nonce preprocessing, signing with cheater detection, and HD
 * derivation. See README.md.
 */
export { getSuite, hasEvenY, SUITE_IDS } from './suite.ts';
export type { Point, Suite, SuiteId } from './suite.ts';
export { FrostEncodingError, KeyShareError, NonceError, SigningPackageError } from './errors.ts';
export type { EncodingFault, NonceFault } from './errors.ts';
export {
  commit,
  lagrange,
  nonceGenerate,
  signingContext,
  signatureShare,
  verifyShare,
} from './core.ts';
export type { CommitmentPair, NoncePair } from './core.ts';
export {
  KEY_SHARE_VERSION,
  parseKeyShare,
  serializeKeyShare,
  validateKeyShare,
} from './keyshare.ts';
export type { KeyShare } from './keyshare.ts';
export { dealerSplit } from './dealer.ts';
export type { DealerOptions } from './dealer.ts';
export { frostDkg, proveKnowledge, verifyKnowledge, encodePok, decodePok } from './dkg.ts';
export type { DkgConfig, ProofOfKnowledge } from './dkg.ts';
export { frostRefresh } from './refresh.ts';
export type { RefreshConfig } from './refresh.ts';
export { InMemoryNonceStore, preprocess } from './nonces.ts';
export type { NonceRecord, NonceStore } from './nonces.ts';
export { aggregate, CheaterError, frostSign, signShare } from './sign.ts';
export type { SignConfig, SignOutput, SigningPackage, SignShareOptions } from './sign.ts';
export { externalKey, signingKey, tapTweak } from './taproot.ts';
export type { SigningKey, SigningKeyOptions } from './taproot.ts';
export { frostOldKeyPublic, frostReshare, frostReshareCommitDecision } from './reshare.ts';
export type {
  FrostCommitDecision,
  FrostOldKeyPublic,
  FrostReshareConfig,
  FrostReshareOutput,
} from './reshare.ts';
