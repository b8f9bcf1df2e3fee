/**
 * @quorate/paillier — Paillier encryption, ring-Pedersen parameters and the CGGMP21 security
 * levels (issue 3, items 2, 3 and 5), on @quorate/bigint. See README.md.
 */
export { PaillierParamError } from './errors.ts';
export type { PaillierParamReason } from './errors.ts';
export { LEVEL_2048, LEVEL_3072, DEFAULT_LEVEL, SECP256K1_N, levelByName } from './levels.ts';
export type { SecurityLevel } from './levels.ts';
export { PaillierPublicKey, PaillierSecretKey } from './paillier.ts';
export { generateRingPedersen, validateRingPedersen, pedersenCommit } from './ring-pedersen.ts';
export type { RingPedersenParams, RingPedersenSecret } from './ring-pedersen.ts';
export { validateModulus, validateUnit, integerRoot } from './validate.ts';
export { fixtures } from './fixtures.ts';
