/**
 * Π^fac — no small factor (CGGMP21, eprint 2021/060, Figure 28, the revised figure with σ),
 * non-interactive.
 *
 * The prover shows N0 = p·q with |p|, |q| ≤ 2^(ℓ+ε)·√N0, hence both factors above
 * √N0 / 2^(ℓ+ε): a modulus with a small factor (BitForge, CVE-2023-33241) or very unbalanced
 * factors fails the range check on z1 or z2. The commitments live in the verifier's
 * ring-Pedersen group (N̂, s, t); R = s^N0·t^σ ties p·q to N0 in the third equation.
 * Besides the figure's checks the verifier refuses a malformed N0, non-unit commitments and σ, w1,
 * w2, v outside the bounds an honest prover keeps.
 */
import { mod, modPow } from '@quorate/bigint';
import type { RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type { Rng, Schema, Transcript } from '@quorate/runtime';
import { absorbAux, challengeE, ringPedersen } from '../common/algebra.ts';
import { OK, proofTranscript, reject } from '../common/context.ts';
import type { ProofContext, VerifyResult } from '../common/context.ts';
import { WIDEST_LEVEL } from '../common/levels.ts';
import { checkModulus } from '../common/modulus.ts';
import { inSigned, isqrt, isUnit, pow2, sampleSigned } from '../common/ranges.ts';
import { natural, signed } from '../common/schema.ts';

const DOMAIN = 'quorate/zk/fac/v1';

export interface Public {
  /** The prover's Paillier modulus. */
  readonly N0: bigint;
  /** The verifier's ring-Pedersen parameters (N̂, s, t). */
  readonly aux: RingPedersenParams;
}
export interface Private {
  readonly p: bigint;
  readonly q: bigint;
}
export interface Proof {
  readonly P: bigint;
  readonly Q: bigint;
  readonly A: bigint;
  readonly B: bigint;
  readonly T: bigint;
  readonly sigma: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly w1: bigint;
  readonly w2: bigint;
  readonly v: bigint;
}

interface Bounds {
  /** 2^(ℓ+ε)·√N0: range of α, β and of the responses z1, z2. */
  readonly z: bigint;
  /** 2^ℓ·N0·N̂: range of σ. */
  readonly sigma: bigint;
  /** 2^(ℓ+ε+1)·N̂ ≥ |x| + |e·μ|: honest bound of w1, w2. */
  readonly w: bigint;
  /** 2^(ℓ+ε+2)·N0·N̂ ≥ |r| + |e·(σ − ν·p)|: honest bound of v. */
  readonly v: bigint;
}

function bounds(level: SecurityLevel, N0: bigint, Nhat: bigint): Bounds {
  const le = level.ell + level.epsilon;
  return {
    z: pow2(le) * isqrt(N0),
    sigma: pow2(level.ell) * N0 * Nhat,
    w: pow2(le + 1) * Nhat,
    v: pow2(le + 2) * N0 * Nhat,
  };
}

export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const n = level.paillierBits;
  const le = level.ell + level.epsilon;
  return codec.object({
    P: natural(n),
    Q: natural(n),
    A: natural(n),
    B: natural(n),
    T: natural(n),
    sigma: signed(level.ell + 2 * n + 1),
    z1: signed(le + n / 2 + 1),
    z2: signed(le + n / 2 + 1),
    w1: signed(le + n + 2),
    w2: signed(le + n + 2),
    v: signed(le + 2 * n + 3),
  });
}
export const proofSchema: Schema<Proof> = proofSchemaFor(WIDEST_LEVEL);

function challenge(
  t: Transcript,
  pub: Public,
  c: Pick<Proof, 'P' | 'Q' | 'A' | 'B' | 'T' | 'sigma'>,
  level: SecurityLevel,
): bigint {
  absorbAux(t, pub.aux);
  t.appendBigInt('N0', pub.N0);
  t.appendBigInts('commitment', [c.P, c.Q, c.A, c.B, c.T, c.sigma]);
  return challengeE(t, level);
}

export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const { level } = ctx;
  const { N0, aux } = pub;
  const { p, q } = priv;
  if (p * q !== N0) throw new RangeError('fac.prove: p·q ≠ N0');
  const Nhat = aux.N;
  const b = bounds(level, N0, Nhat);
  const le = pow2(level.ell + level.epsilon);
  const alpha = sampleSigned(rng, b.z);
  const beta = sampleSigned(rng, b.z);
  const mu = sampleSigned(rng, pow2(level.ell) * Nhat);
  const nu = sampleSigned(rng, pow2(level.ell) * Nhat);
  const sigma = sampleSigned(rng, b.sigma);
  const r = sampleSigned(rng, le * N0 * Nhat);
  const x = sampleSigned(rng, le * Nhat);
  const y = sampleSigned(rng, le * Nhat);
  const P = ringPedersen(aux, p, mu);
  const Q = ringPedersen(aux, q, nu);
  const A = ringPedersen(aux, alpha, x);
  const B = ringPedersen(aux, beta, y);
  const T = mod(modPow(Q, alpha, Nhat) * modPow(aux.t, r, Nhat), Nhat);
  const c = { P, Q, A, B, T, sigma };
  const e = challenge(proofTranscript(DOMAIN, ctx), pub, c, level);
  const sigmaHat = sigma - nu * p;
  return {
    ...c,
    z1: alpha + e * p,
    z2: beta + e * q,
    w1: x + e * mu,
    w2: y + e * nu,
    v: r + e * sigmaHat,
  };
}

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const { level } = ctx;
  const { N0, aux } = pub;
  const Nhat = aux.N;
  const bad = checkModulus(N0, level.paillierBits, 'N0');
  if (bad !== null) return reject(bad);
  for (const name of ['P', 'Q', 'A', 'B', 'T'] as const)
    if (!isUnit(proof[name], Nhat)) return reject(`unit-${name}`);
  const b = bounds(level, N0, Nhat);
  if (!inSigned(proof.sigma, b.sigma)) return reject('sigma-range');
  // Figure 28: z1, z2 ∈ ±2^(ℓ+ε)·√N0 — the check that rules out small or unbalanced factors.
  if (!inSigned(proof.z1, b.z)) return reject('z1-range');
  if (!inSigned(proof.z2, b.z)) return reject('z2-range');
  if (!inSigned(proof.w1, b.w)) return reject('w1-range');
  if (!inSigned(proof.w2, b.w)) return reject('w2-range');
  if (!inSigned(proof.v, b.v)) return reject('v-range');
  const e = challenge(proofTranscript(DOMAIN, ctx), pub, proof, level);
  const powE = (base: bigint) => modPow(base, e, Nhat);
  // Figure 28: s^z1 · t^w1 = A · P^e mod N̂.
  if (ringPedersen(aux, proof.z1, proof.w1) !== mod(proof.A * powE(proof.P), Nhat))
    return reject('equation-1');
  // Figure 28: s^z2 · t^w2 = B · Q^e mod N̂.
  if (ringPedersen(aux, proof.z2, proof.w2) !== mod(proof.B * powE(proof.Q), Nhat))
    return reject('equation-2');
  // Figure 28: Q^z1 · t^v = T · R^e mod N̂ with R = s^N0 · t^σ.
  const R = ringPedersen(aux, N0, proof.sigma);
  const lhs = mod(modPow(proof.Q, proof.z1, Nhat) * modPow(aux.t, proof.v, Nhat), Nhat);
  if (lhs !== mod(proof.T * powE(R), Nhat)) return reject('equation-3');
  return OK;
}
