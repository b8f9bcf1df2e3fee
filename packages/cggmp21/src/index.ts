/**
 * @quorate/cggmp21 — CGGMP21 threshold ECDSA on secp256k1 (eprint 2021/060).
 */
export { keygen } from './keygen.ts';
export type { KeygenConfig } from './keygen.ts';
export {
  deserializeKeyShare,
  serializeKeyShare,
  validateCoreKeyShare,
  validateKeyShare,
  InvalidKeyShareError,
  KEY_SHARE_VERSION,
} from './key-share.ts';
export type { AuxInfo, CoreKeyShare, KeyShare, PartyAux } from './key-share.ts';
export { normalize, rFromR, toDer, verifyEcdsa, digestToScalar } from './ecdsa.ts';
export type { EcdsaSignature } from './ecdsa.ts';
export { lagrangeAtZero } from './vss.ts';
export { auxInfo, checkPublicAux } from './aux-info.ts';
export type { AuxInfoConfig } from './aux-info.ts';
export { presign, signerContext } from './presign.ts';
export type { PresignConfig, PresignOutput } from './presign.ts';
export {
  Presignature,
  PresignatureConsumedError,
  PartialSignatureError,
  combinePartials,
  partialIsValid,
} from './presignature.ts';
export type { PresignaturePublic } from './presignature.ts';
export { sign } from './sign.ts';
export type { SignConfig } from './sign.ts';
export { refresh } from './refresh.ts';
export type { RefreshConfig } from './refresh.ts';
export { reshare, oldKeyPublic, reshareCommitDecision } from './reshare.ts';
export type { CommitDecision, OldKeyPublic, ReshareConfig, ReshareOutput } from './reshare.ts';
export {
  deserializePresignOutput,
  serializePresignOutput,
  validatePresignOutput,
  InvalidPresignatureError,
} from './presignature-store.ts';
