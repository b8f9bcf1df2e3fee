/**
 * Π^prm — ring-Pedersen parameters (CGGMP21, eprint 2021/060, Figure 17), non-interactive.
 *
 * The prover shows s ∈ ⟨t⟩ in Z*_N̂ (s = t^λ) with m binary challenges: A_i = t^a_i, and
 * z_i = a_i + e_i·λ mod φ(N̂), checked as t^z_i = A_i·s^e_i. The verifier also checks N̂ (odd,
 * exact length, not prime, not a perfect power), s, t ∉ {0, 1}, s ≠ t, both units, every A_i a
 * unit, every z_i in Z_N̂, and exactly the level's m iterations.
 */
import { gcd, mod, modPow } from '@quorate/bigint';
import type { RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec, randomBelow } from '@quorate/runtime';
import type { Rng, Schema, Transcript } from '@quorate/runtime';
import { checkRingPedersen } from '../common/algebra.ts';
import { OK, proofTranscript, reject } from '../common/context.ts';
import type { ProofContext, VerifyResult } from '../common/context.ts';
import { MIN_ITERATIONS, WIDEST_LEVEL } from '../common/levels.ts';
import { natural } from '../common/schema.ts';

const DOMAIN = 'quorate/zk/prm/v1';

/** (N̂, s, t). */
export type Public = RingPedersenParams;
export interface Private {
  /** s = t^λ mod N̂. */
  readonly lambda: bigint;
  /** φ(N̂). */
  readonly phi: bigint;
}
export interface Proof {
  readonly A: readonly bigint[];
  readonly z: readonly bigint[];
}

function schemaWith(bits: number, min: number, max: number): Schema<Proof> {
  return codec.object({
    A: codec.array(natural(bits), { min, max }),
    z: codec.array(natural(bits), { min, max }),
  });
}
export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  return schemaWith(level.paillierBits, level.m, level.m);
}
export const proofSchema: Schema<Proof> = schemaWith(
  WIDEST_LEVEL.paillierBits,
  MIN_ITERATIONS,
  WIDEST_LEVEL.m,
);

/** e ∈ {0,1}^m from the transcript after (N̂, s, t, A). */
function challenges(t: Transcript, pub: Public, A: readonly bigint[], m: number): number[] {
  t.appendBigInt('N', pub.N).appendBigInt('s', pub.s).appendBigInt('t', pub.t);
  t.appendBigInts('A', A);
  const bytes = t.challengeBytes('e', Math.ceil(m / 8));
  return Array.from({ length: m }, (_, i) => ((bytes[i >> 3] as number) >> (i & 7)) & 1);
}

export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const m = ctx.level.m;
  const a = Array.from({ length: m }, () => randomBelow(rng, priv.phi));
  const A = a.map((ai) => modPow(pub.t, ai, pub.N));
  const e = challenges(proofTranscript(DOMAIN, ctx), pub, A, m);
  const z = a.map((ai, i) => mod(ai + BigInt(e[i] as number) * priv.lambda, priv.phi));
  return { A, z };
}

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const m = ctx.level.m;
  const bad = checkRingPedersen(pub, ctx.level);
  if (bad !== null) return reject(bad);
  if (proof.A.length !== m || proof.z.length !== m) return reject('iterations');
  for (const Ai of proof.A)
    if (Ai <= 0n || Ai >= pub.N || gcd(Ai, pub.N) !== 1n) return reject('unit-A');
  for (const zi of proof.z) if (zi < 0n || zi >= pub.N) return reject('z-range');
  const e = challenges(proofTranscript(DOMAIN, ctx), pub, proof.A, m);
  for (let i = 0; i < m; i++) {
    const Ai = proof.A[i] as bigint;
    const rhs = e[i] === 1 ? mod(Ai * pub.s, pub.N) : Ai;
    // Figure 17: t^z_i = A_i · s^e_i mod N̂.
    if (modPow(pub.t, proof.z[i] as bigint, pub.N) !== rhs) return reject('equation-1');
  }
  return OK;
}
