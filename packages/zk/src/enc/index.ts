/**
 * Π^enc — range proof with Paillier encryption (CGGMP21, eprint 2021/060, Figure 14),
 * non-interactive.
 *
 * Statement: K = enc_N0(k; ρ) with k ∈ ±2^ℓ; the proof guarantees k ∈ ±2^(ℓ+ε). The verifier's
 * ring-Pedersen parameters (N̂, s, t) hide k in S = s^k·t^μ. Checks: K and A in Z*_{N0²}, S and C
 * units mod N̂, z1 ∈ ±2^(ℓ+ε) (Alpha-Rays), z2 ∈ Z*_N0, z3 within the honest bound, and the
 * figure's two equations.
 */
import { mod, modPow } from '@quorate/bigint';
import type { PaillierSecretKey, RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type { Rng, Schema, Transcript } from '@quorate/runtime';
import {
  absorbAux,
  challengeE,
  checkModulusShape,
  isCiphertext,
  paillierEnc,
  paillierEncOwn,
  ringPedersen,
} from '../common/algebra.ts';
import { OK, proofTranscript, reject } from '../common/context.ts';
import type { ProofContext, VerifyResult } from '../common/context.ts';
import { WIDEST_LEVEL } from '../common/levels.ts';
import { inSigned, isUnit, pow2, sampleSigned, sampleUnit } from '../common/ranges.ts';
import { natural, signed } from '../common/schema.ts';

const DOMAIN = 'quorate/zk/enc/v1';

export interface Public {
  /** The prover's Paillier modulus N0. */
  readonly N0: bigint;
  /** K = enc_N0(k; ρ). */
  readonly K: bigint;
  /** The verifier's ring-Pedersen parameters (N̂, s, t). */
  readonly aux: RingPedersenParams;
}
export interface Private {
  readonly k: bigint;
  readonly rho: bigint;
  /** Optional: the prover's own Paillier secret key (of N0), for CRT; never sent. */
  readonly sk?: PaillierSecretKey;
}
export interface Proof {
  readonly S: bigint;
  readonly A: bigint;
  readonly C: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly z3: bigint;
}

/** Bound on |z3| an honest prover never exceeds: |γ| + |e·μ| ≤ 2^(ℓ+ε+1)·N̂. */
function z3Bound(level: SecurityLevel, Nhat: bigint): bigint {
  return pow2(level.ell + level.epsilon + 1) * Nhat;
}

export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const n = level.paillierBits;
  return codec.object({
    S: natural(n),
    A: natural(2 * n),
    C: natural(n),
    z1: signed(level.ell + level.epsilon + 1),
    z2: natural(n),
    z3: signed(level.ell + level.epsilon + 2 + n),
  });
}
export const proofSchema: Schema<Proof> = proofSchemaFor(WIDEST_LEVEL);

function challenge(
  t: Transcript,
  pub: Public,
  S: bigint,
  A: bigint,
  C: bigint,
  level: SecurityLevel,
) {
  absorbAux(t, pub.aux);
  t.appendBigInt('N0', pub.N0).appendBigInt('K', pub.K);
  t.appendBigInt('S', S).appendBigInt('A', A).appendBigInt('C', C);
  return challengeE(t, level);
}

/** Builds the proof for any witness (no range check): tests use it to forge out-of-range proofs. */
export function proveUnchecked(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const { level } = ctx;
  const { N0, aux } = pub;
  const alpha = sampleSigned(rng, pow2(level.ell + level.epsilon));
  const mu = sampleSigned(rng, pow2(level.ell) * aux.N);
  const r = sampleUnit(rng, N0);
  const gamma = sampleSigned(rng, pow2(level.ell + level.epsilon) * aux.N);
  const S = ringPedersen(aux, priv.k, mu);
  const A = paillierEncOwn(N0, alpha, r, priv.sk);
  const C = ringPedersen(aux, alpha, gamma);
  const e = challenge(proofTranscript(DOMAIN, ctx), pub, S, A, C, level);
  return {
    S,
    A,
    C,
    z1: alpha + e * priv.k,
    z2: mod(r * modPow(priv.rho, e, N0), N0),
    z3: gamma + e * mu,
  };
}

/** Refuses (RangeError) a witness outside k ∈ ±2^ℓ: an honest prover never proves one. */
export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  if (!inSigned(priv.k, pow2(ctx.level.ell))) throw new RangeError('enc.prove: k out of range');
  return proveUnchecked(ctx, pub, priv, rng);
}

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const { level } = ctx;
  const { N0, K, aux } = pub;
  const shape = checkModulusShape(N0, level.paillierBits, 'N0');
  if (shape !== null) return reject(shape);
  if (!isCiphertext(K, N0)) return reject('ciphertext-K');
  if (!isCiphertext(proof.A, N0)) return reject('ciphertext-A');
  if (!isUnit(proof.S, aux.N)) return reject('unit-S');
  if (!isUnit(proof.C, aux.N)) return reject('unit-C');
  if (!inSigned(proof.z1, pow2(level.ell + level.epsilon))) return reject('z1-range');
  if (!isUnit(proof.z2, N0)) return reject('z2-range');
  if (!inSigned(proof.z3, z3Bound(level, aux.N))) return reject('z3-range');
  const e = challenge(proofTranscript(DOMAIN, ctx), pub, proof.S, proof.A, proof.C, level);
  const N2 = N0 * N0;
  // Figure 14: (1+N0)^z1 · z2^N0 = A · K^e mod N0².
  if (paillierEnc(N0, proof.z1, proof.z2) !== mod(proof.A * modPow(K, e, N2), N2))
    return reject('equation-1');
  // Figure 14: s^z1 · t^z3 = C · S^e mod N̂.
  if (ringPedersen(aux, proof.z1, proof.z3) !== mod(proof.C * modPow(proof.S, e, aux.N), aux.N))
    return reject('equation-2');
  return OK;
}
