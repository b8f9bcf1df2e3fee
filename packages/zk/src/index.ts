/**
 * @quorate/zk — the zero-knowledge proofs of CGGMP21 (eprint 2021/060), non-interactive through
 * Fiat-Shamir and bound to session id and prover id. One namespace per proof, each with the same
 * parts: Public, Private, Proof, proofSchema, prove, verify.
 */
export * from './common/index.ts';

export * as affG from './aff-g/index.ts';
export * as mul from './mul/index.ts';
export * as mulStar from './mul-star/index.ts';
export * as enc from './enc/index.ts';
export * as logStar from './log-star/index.ts';
export * as mod from './mod/index.ts';
export * as prm from './prm/index.ts';
export * as fac from './fac/index.ts';
export * as sch from './sch/index.ts';
export * as affP from './aff-p/index.ts';
export * as dec from './dec/index.ts';
