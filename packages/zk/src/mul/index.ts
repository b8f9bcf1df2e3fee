/**
 * Π^mul — Paillier multiplication (CGGMP21, eprint 2021/060, Fig. 29).
 *
 * Statement: the prover's Paillier key N and ciphertexts X, Y, C mod N² such that
 *     X = (1+N)^x · ρ_x^N mod N²,   C = Y^x · ρ^N mod N²,
 * i.e. C encrypts x times the plaintext of Y, where X encrypts x. No range is claimed for x.
 *
 * Used by the identification step of presigning (H_i encrypts k_i·γ_i from K_i and G_i).
 *
 * Deviation, on the prover's side only: the paper samples the mask α from Z_N, which hides e·x
 * only when x is much smaller than N (as k_i is). We sample α from ±2^(ℓ+ε)·N so that z = α + e·x
 * hides e·x for any plaintext x ∈ ±N; the verifier's equations are the paper's. We also bound
 * |z| ≤ 2^(ℓ+ε+1)·N (what an honest prover can produce) so a huge z is refused cheaply.
 */
import { modPow } from '@quorate/bigint';
import type { PaillierPublicKey, SecurityLevel } from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type { Rng, Schema } from '@quorate/runtime';
import { challengeE, isUnit, pow2, proofTranscript, sampleSigned } from '../common/index.ts';
import type { ProofContext, VerifyResult } from '../common/index.ts';
import { maxLevel } from '../common/paillier-sigma.ts';

export const DOMAIN = 'quorate/zk/mul/v1';

export interface Public {
  /** The prover's Paillier key (X, Y, C are all under it). */
  readonly N: PaillierPublicKey;
  readonly X: bigint;
  readonly Y: bigint;
  readonly C: bigint;
}

export interface Private {
  /** The plaintext of X. */
  readonly x: bigint;
  /** The nonce of C = Y^x ρ^N. */
  readonly rho: bigint;
  /** The nonce of X. */
  readonly rhoX: bigint;
}

export interface Proof {
  readonly A: bigint;
  readonly B: bigint;
  readonly z: bigint;
  readonly u: bigint;
  readonly v: bigint;
}

/** Wire codec sized for the given level (upper bounds; verify re-checks the ranges). */
export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const nBits = level.paillierBits;
  const ct = codec.bigint({ maxBits: 2 * nBits });
  const unit = codec.bigint({ maxBits: nBits });
  return codec.object({
    A: ct,
    B: ct,
    z: codec.bigint({ maxBits: nBits + level.ell + level.epsilon + 1, signed: true }),
    u: unit,
    v: unit,
  });
}

/** Wire codec accepting proofs of every supported level. */
export const proofSchema: Schema<Proof> = proofSchemaFor(maxLevel);

function challenge(ctx: ProofContext, pub: Public, c: Pick<Proof, 'A' | 'B'>) {
  const t = proofTranscript(DOMAIN, ctx)
    .appendBigInt('N', pub.N.N)
    .appendBigInt('X', pub.X)
    .appendBigInt('Y', pub.Y)
    .appendBigInt('C', pub.C)
    .appendBigInt('A', c.A)
    .appendBigInt('B', c.B);
  return challengeE(t, ctx.level);
}

/** Bound of the mask α: 2^(ℓ+ε)·N. */
function alphaBound(level: SecurityLevel, N: bigint): bigint {
  return pow2(level.ell + level.epsilon) * N;
}

/** Proves the statement; refuses (RangeError) an x that is not a signed plaintext (|x| ≥ N). */
export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const N = pub.N.N;
  if (priv.x <= -N || priv.x >= N) throw new RangeError('mul: witness x is not a plaintext of N');
  const alpha = sampleSigned(rng, alphaBound(ctx.level, N));
  const r = pub.N.randomRho(rng);
  const s = pub.N.randomRho(rng);
  const commitment = {
    // A = Y^α · r^N,  B = (1+N)^α · s^N
    A: pub.N.add(pub.N.mul(pub.Y, alpha), pub.N.encryptWith(0n, r)),
    B: pub.N.encryptWith(alpha, s),
  };
  const e = challenge(ctx, pub, commitment);
  return {
    ...commitment,
    z: alpha + e * priv.x,
    u: (r * modPow(priv.rho, e, N)) % N,
    v: (s * modPow(priv.rhoX, e, N)) % N,
  };
}

const fail = (check: string): VerifyResult => ({ ok: false, check });

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const pk = pub.N;
  const N = pk.N;
  if (!pk.isValidCiphertext(pub.X)) return fail('ciphertext-X');
  if (!pk.isValidCiphertext(pub.Y)) return fail('ciphertext-Y');
  if (!pk.isValidCiphertext(pub.C)) return fail('ciphertext-C');
  if (!pk.isValidCiphertext(proof.A)) return fail('ciphertext-A');
  if (!pk.isValidCiphertext(proof.B)) return fail('ciphertext-B');
  if (!isUnit(proof.u, N)) return fail('u-unit');
  if (!isUnit(proof.v, N)) return fail('v-unit');
  const zMax = 2n * alphaBound(ctx.level, N);
  if (proof.z < -zMax || proof.z > zMax) return fail('z-range');

  const e = challenge(ctx, pub, proof);
  // (1) Y^z · u^N = A · C^e mod N²
  if (
    pk.add(pk.mul(pub.Y, proof.z), pk.encryptWith(0n, proof.u)) !==
    pk.add(proof.A, pk.mul(pub.C, e))
  )
    return fail('equation-1');
  // (2) (1+N)^z · v^N = B · X^e mod N²
  if (pk.encryptWith(proof.z, proof.v) !== pk.add(proof.B, pk.mul(pub.X, e)))
    return fail('equation-2');
  return { ok: true };
}
