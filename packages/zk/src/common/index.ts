/** Common parts of the CGGMP21 proofs: context, verification result, transcript, ranges, moduli, curve. */
export { OK, reject, proofTranscript } from './context.ts';
export type { ProofContext, VerifyResult } from './context.ts';
export {
  pow2,
  inSigned,
  sampleSigned,
  sampleSignedBits,
  sampleUnit,
  isUnit,
  isqrt,
  signedMod,
} from './ranges.ts';
export { checkModulus, isPerfectPower, iroot } from './modulus.ts';
export { G, Point, CURVE_ORDER, mulPublic, mulSecret, pointBytes, pointSchema } from './curve.ts';
export { natural, signed } from './schema.ts';
export {
  paillierEnc,
  ringPedersen,
  isCiphertext,
  checkModulusShape,
  checkRingPedersen,
  challengeBound,
  challengeE,
  absorbAux,
} from './algebra.ts';
export { LEVELS, WIDEST_LEVEL, MIN_ITERATIONS } from './levels.ts';
