/**
 * Π^log* — knowledge of exponent vs Paillier encryption, with range (CGGMP21, eprint 2021/060,
 * Figure 25), non-interactive.
 *
 * Statement: C = enc_N0(x; ρ) and X = x·g for a base point g, with x ∈ ±2^ℓ; the proof guarantees
 * x ∈ ±2^(ℓ+ε). Checks: C and A in Z*_{N0²}, S and D units mod N̂, z1 ∈ ±2^(ℓ+ε), z2 ∈ Z*_N0,
 * z3 within the honest bound, and the figure's three equations.
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
import { mulPublic, mulSecret, pointBytes, pointSchema } from '../common/curve.ts';
import type { Point } from '../common/curve.ts';
import { WIDEST_LEVEL } from '../common/levels.ts';
import { inSigned, isUnit, pow2, sampleSigned, sampleUnit } from '../common/ranges.ts';
import { natural, signed } from '../common/schema.ts';

const DOMAIN = 'quorate/zk/log-star/v1';

export interface Public {
  readonly N0: bigint;
  /** C = enc_N0(x; ρ). */
  readonly C: bigint;
  /** X = x·g. */
  readonly X: Point;
  /** The base point g (G in key generation, Γ in presigning). */
  readonly g: Point;
  readonly aux: RingPedersenParams;
}
export interface Private {
  readonly x: bigint;
  readonly rho: bigint;
  /** Optional: the prover's own Paillier secret key (of N0), for CRT; never sent. */
  readonly sk?: PaillierSecretKey;
}
export interface Proof {
  readonly S: bigint;
  readonly A: bigint;
  readonly Y: Point;
  readonly D: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly z3: bigint;
}

export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const n = level.paillierBits;
  return codec.object({
    S: natural(n),
    A: natural(2 * n),
    Y: pointSchema,
    D: natural(n),
    z1: signed(level.ell + level.epsilon + 1),
    z2: natural(n),
    z3: signed(level.ell + level.epsilon + 2 + n),
  });
}
export const proofSchema: Schema<Proof> = proofSchemaFor(WIDEST_LEVEL);

function challenge(
  t: Transcript,
  pub: Public,
  c: Pick<Proof, 'S' | 'A' | 'Y' | 'D'>,
  level: SecurityLevel,
): bigint {
  absorbAux(t, pub.aux);
  t.appendBigInt('N0', pub.N0).appendBigInt('C', pub.C);
  t.appendBytes('X', pub.X.is0() ? new Uint8Array() : pointBytes(pub.X));
  t.appendBytes('g', pointBytes(pub.g));
  t.appendBigInt('S', c.S).appendBigInt('A', c.A).appendBytes('Y', pointBytes(c.Y));
  t.appendBigInt('D', c.D);
  return challengeE(t, level);
}

export function proveUnchecked(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const { level } = ctx;
  const { N0, aux } = pub;
  const alpha = sampleSigned(rng, pow2(level.ell + level.epsilon));
  const mu = sampleSigned(rng, pow2(level.ell) * aux.N);
  const r = sampleUnit(rng, N0);
  const gamma = sampleSigned(rng, pow2(level.ell + level.epsilon) * aux.N);
  const c = {
    S: ringPedersen(aux, priv.x, mu),
    A: paillierEncOwn(N0, alpha, r, priv.sk),
    Y: mulSecret(pub.g, alpha),
    D: ringPedersen(aux, alpha, gamma),
  };
  const e = challenge(proofTranscript(DOMAIN, ctx), pub, c, level);
  return {
    ...c,
    z1: alpha + e * priv.x,
    z2: mod(r * modPow(priv.rho, e, N0), N0),
    z3: gamma + e * mu,
  };
}

/** Refuses (RangeError) a witness outside x ∈ ±2^ℓ. */
export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  if (!inSigned(priv.x, pow2(ctx.level.ell)))
    throw new RangeError('log-star.prove: x out of range');
  return proveUnchecked(ctx, pub, priv, rng);
}

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const { level } = ctx;
  const { N0, aux } = pub;
  const shape = checkModulusShape(N0, level.paillierBits, 'N0');
  if (shape !== null) return reject(shape);
  if (pub.g.is0()) return reject('g-identity');
  if (!isCiphertext(pub.C, N0)) return reject('ciphertext-C');
  if (!isCiphertext(proof.A, N0)) return reject('ciphertext-A');
  if (!isUnit(proof.S, aux.N)) return reject('unit-S');
  if (!isUnit(proof.D, aux.N)) return reject('unit-D');
  if (proof.Y.is0()) return reject('Y-identity');
  if (!inSigned(proof.z1, pow2(level.ell + level.epsilon))) return reject('z1-range');
  if (!isUnit(proof.z2, N0)) return reject('z2-range');
  if (!inSigned(proof.z3, pow2(level.ell + level.epsilon + 1) * aux.N)) return reject('z3-range');
  const e = challenge(proofTranscript(DOMAIN, ctx), pub, proof, level);
  const N2 = N0 * N0;
  // Figure 25: (1+N0)^z1 · z2^N0 = A · C^e mod N0².
  if (paillierEnc(N0, proof.z1, proof.z2) !== mod(proof.A * modPow(pub.C, e, N2), N2))
    return reject('equation-1');
  // Figure 25: g^z1 = Y · X^e.
  if (!mulPublic(pub.g, proof.z1).equals(proof.Y.add(mulPublic(pub.X, e))))
    return reject('equation-2');
  // Figure 25: s^z1 · t^z3 = D · S^e mod N̂.
  if (ringPedersen(aux, proof.z1, proof.z3) !== mod(proof.D * modPow(proof.S, e, aux.N), aux.N))
    return reject('equation-3');
  return OK;
}
