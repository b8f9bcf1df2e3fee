/**
 * Π^dec — Paillier decryption modulo q (CGGMP21, eprint 2021/060, Fig. 30).
 *
 * Statement: the prover's Paillier key N0, a ciphertext C mod N0² and x ∈ Z_q such that
 *     C = (1+N0)^y · ρ^N0 mod N0²   and   x = y mod q,
 * where y is the signed decryption of C (|y| < N0/2). The ring-Pedersen parameters (N̂, s, t)
 * are the verifier's. Used by the identification steps: a party opens δ_i or σ_i modulo q.
 *
 * The commitment, challenge and equations are the paper's. Two additions, both because y here is
 * a whole Paillier plaintext (up to ~N0/2^400), not an ℓ-bit secret:
 *  - the prover masks y with α ← ±2^(|N0|−4) rather than ±2^(ℓ+ε), so z1 = α + e·y hides e·y
 *    (it refuses, with a RangeError, a y beyond ±2^(|N0|−4−|e|−κ), for which it could not);
 *  - the verifier checks z1 ∈ ±2^(|N0|−3). Then two accepting transcripts give an extracted
 *    plaintext of magnitude below N0/2, i.e. the signed decryption itself, so "y mod q" is
 *    unambiguous; without a bound a prover could open y + k·N0 instead.
 */
import { bitLength, mod, modPow } from '@quorate/bigint';
import { pedersenCommit } from '@quorate/paillier';
import type { PaillierPublicKey, RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type { Rng, Schema } from '@quorate/runtime';
import { challengeE, isUnit, pow2, proofTranscript, sampleSigned } from '../common/index.ts';
import type { ProofContext, VerifyResult } from '../common/index.ts';
import { inPm2, maxLevel, rpResponseBits, ringPedersenHolds } from '../common/paillier-sigma.ts';

export const DOMAIN = 'quorate/zk/dec/v1';

export interface Public {
  /** The prover's Paillier key (C is under it). */
  readonly N0: PaillierPublicKey;
  readonly C: bigint;
  /** The claimed y mod q, in [0, q). */
  readonly x: bigint;
  /** The verifier's ring-Pedersen parameters (N̂, s, t). */
  readonly aux: RingPedersenParams;
}

export interface Private {
  /** The signed decryption of C. */
  readonly y: bigint;
  /** The nonce of C (PaillierSecretKey.recoverRho gives it). */
  readonly rho: bigint;
}

export interface Proof {
  readonly S: bigint;
  readonly T: bigint;
  readonly A: bigint;
  readonly gamma: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly w: bigint;
}

/** Bits of the bound on |z1| the verifier accepts: 2^(|N0|−3) < N0/4. */
export function z1Bits(level: SecurityLevel): number {
  return level.paillierBits - 3;
}

/** Bits of the largest |y| the prover accepts to prove (see the module comment). */
export function yBits(level: SecurityLevel): number {
  return level.paillierBits - 4 - level.challengeBits - level.kappa;
}

/** Wire codec sized for the given level (upper bounds; verify re-checks the ranges). */
export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const nBits = level.paillierBits;
  const rp = codec.bigint({ maxBits: nBits });
  return codec.object({
    S: rp,
    T: rp,
    A: codec.bigint({ maxBits: 2 * nBits }),
    gamma: codec.bigint({ maxBits: bitLength(level.q) }),
    z1: codec.bigint({ maxBits: z1Bits(level) + 1, signed: true }),
    z2: codec.bigint({ maxBits: rpResponseBits(level), signed: true }),
    w: rp,
  });
}

/** Wire codec accepting proofs of every supported level. */
export const proofSchema: Schema<Proof> = proofSchemaFor(maxLevel);

function challenge(ctx: ProofContext, pub: Public, c: Pick<Proof, 'S' | 'T' | 'A' | 'gamma'>) {
  const t = proofTranscript(DOMAIN, ctx)
    .appendBigInt('q', ctx.level.q)
    .appendBigInt('N0', pub.N0.N)
    .appendBigInt('Nhat', pub.aux.N)
    .appendBigInt('s', pub.aux.s)
    .appendBigInt('t', pub.aux.t)
    .appendBigInt('C', pub.C)
    .appendBigInt('x', pub.x)
    .appendBigInt('S', c.S)
    .appendBigInt('T', c.T)
    .appendBigInt('A', c.A)
    .appendBigInt('gamma', c.gamma);
  return challengeE(t, ctx.level);
}

/** Proves the statement; refuses (RangeError) a y too large to be hidden (see above). */
export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const L = ctx.level;
  if (!inPm2(priv.y, yBits(L))) throw new RangeError('dec: witness y is too large to prove');
  return proveUnchecked(ctx, pub, priv, rng);
}

/** The prover without the witness-size check; exported for tests of the verifier's z1 bound. */
export function proveUnchecked(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const L = ctx.level;
  const N0 = pub.N0;
  const Nh = pub.aux.N;
  const alpha = sampleSigned(rng, pow2(L.paillierBits - 4));
  const mu = sampleSigned(rng, pow2(L.ell) * Nh);
  const nu = sampleSigned(rng, pow2(L.ell + L.epsilon) * Nh);
  const r = N0.randomRho(rng);
  const commitment = {
    S: pedersenCommit(pub.aux, priv.y, mu),
    T: pedersenCommit(pub.aux, alpha, nu),
    A: N0.encryptWith(alpha, r),
    gamma: mod(alpha, L.q),
  };
  const e = challenge(ctx, pub, commitment);
  return {
    ...commitment,
    z1: alpha + e * priv.y,
    z2: nu + e * mu,
    w: (r * modPow(priv.rho, e, N0.N)) % N0.N,
  };
}

const fail = (check: string): VerifyResult => ({ ok: false, check });

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const L = ctx.level;
  const { N0, aux } = pub;
  if (!N0.isValidCiphertext(pub.C)) return fail('ciphertext-C');
  if (pub.x < 0n || pub.x >= L.q) return fail('x-range');
  if (!isUnit(proof.S, aux.N)) return fail('S-unit');
  if (!isUnit(proof.T, aux.N)) return fail('T-unit');
  if (!N0.isValidCiphertext(proof.A)) return fail('ciphertext-A');
  if (proof.gamma < 0n || proof.gamma >= L.q) return fail('gamma-range');
  if (!isUnit(proof.w, N0.N)) return fail('w-unit');
  if (!inPm2(proof.z1, z1Bits(L))) return fail('z1-range');

  const e = challenge(ctx, pub, proof);
  // (1) (1+N0)^z1 · w^N0 = A · C^e mod N0²
  if (N0.encryptWith(proof.z1, proof.w) !== N0.add(proof.A, N0.mul(pub.C, e)))
    return fail('equation-1');
  // (2) z1 = γ + e·x mod q
  if (mod(proof.z1, L.q) !== mod(proof.gamma + e * pub.x, L.q)) return fail('equation-2');
  // (3) s^z1 t^z2 = T · S^e mod N̂
  if (!ringPedersenHolds(aux, proof.z1, proof.z2, proof.T, proof.S, e)) return fail('equation-3');
  return { ok: true };
}
