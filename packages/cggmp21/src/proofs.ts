/**
 * The zero-knowledge proofs CGGMP21 uses, as this package calls them. Π^sch (Fig. 22) is used in
 * its "commit first, prove later" form: A is committed in round 1 of keygen, the response is
 * computed once rid is known.
 * TEMPORARY: Π^sch lives here until @quorate/zk exports it; then this file re-exports that one.
 */
import { Transcript } from '@quorate/runtime';
import type { PartyId, Rng } from '@quorate/runtime';
import { G, modQ, mul, mulG, q, randomScalar, scalarBelowQ } from './curve.ts';
import type { Point } from './curve.ts';

export interface SchCommitment {
  readonly A: Point;
  readonly tau: bigint;
}
export type SchProof = bigint;
export const schProofSchema = scalarBelowQ;

export interface SchContext {
  readonly sessionId: Uint8Array;
  readonly prover: PartyId;
  readonly extra: Uint8Array;
}

export function schCommit(rng: Rng): SchCommitment {
  const tau = randomScalar(rng);
  return { A: mulG(tau), tau };
}

function challenge(ctx: SchContext, X: Point, A: Point): bigint {
  return Transcript.create('quorate/zk/sch/v1')
    .appendBytes('session', ctx.sessionId)
    .appendBytes('extra', ctx.extra)
    .fork('prover', ctx.prover)
    .appendBytes('X', X.toBytes(true))
    .appendBytes('A', A.toBytes(true))
    .challengeBelow('e', q);
}

export function schProve(ctx: SchContext, X: Point, x: bigint, c: SchCommitment): SchProof {
  return modQ(c.tau + challenge(ctx, X, c.A) * x);
}

export function schVerify(
  ctx: SchContext,
  X: Point,
  A: Point,
  z: SchProof,
): { ok: true } | { ok: false; check: string } {
  if (z < 0n || z >= q) return { ok: false, check: 'z-range' };
  const e = challenge(ctx, X, A);
  return mulG(z).equals(A.add(mul(X, e))) ? { ok: true } : { ok: false, check: 'equation' };
}

export { G };
