/**
 * Π^aff-g — Paillier affine operation with group commitment in range
 * (CGGMP21, eprint 2021/060, Fig. 15).
 *
 * Statement: the verifier's Paillier key N0 and the prover's key N1, ciphertexts C, D mod N0²,
 * Y mod N1², a point X, such that
 *     D = C^x · (1+N0)^y · ρ^N0 mod N0²,   Y = (1+N1)^y · ρ_y^N1 mod N1²,   X = x·G,
 * with x ∈ ±2^ℓ and y ∈ ±2^ℓ'. The proof guarantees x ∈ ±2^(ℓ+ε) and y ∈ ±2^(ℓ'+ε).
 * The ring-Pedersen parameters (N̂, s, t) are the verifier's.
 *
 * Used in presigning (MtA): the prover is the party that computed D = γ_i ⊙ K_j ⊕ enc_j(−β).
 */
import { modPow } from '@quorate/bigint';
import { ownKeyFor } from '../common/algebra.ts';
import { pedersenCommit } from '@quorate/paillier';
import type {
  PaillierPublicKey,
  PaillierSecretKey,
  RingPedersenParams,
  SecurityLevel,
} from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type { Rng, Schema } from '@quorate/runtime';
import {
  challengeE,
  G,
  isUnit,
  mulPublic,
  mulSecret,
  pointSchema,
  pow2,
  proofTranscript,
  sampleSigned,
} from '../common/index.ts';
import type { Point, ProofContext, VerifyResult } from '../common/index.ts';
import {
  inPm2,
  maxLevel,
  rpResponseBits,
  ringPedersenHolds,
  transcriptPoint,
} from '../common/paillier-sigma.ts';

export const DOMAIN = 'quorate/zk/aff-g/v1';

export interface Public {
  /** The verifier's Paillier key (C, D are under it). */
  readonly N0: PaillierPublicKey;
  /** The prover's Paillier key (Y is under it). */
  readonly N1: PaillierPublicKey;
  readonly C: bigint;
  readonly D: bigint;
  readonly Y: bigint;
  readonly X: Point;
  /** The verifier's ring-Pedersen parameters (N̂, s, t). */
  readonly aux: RingPedersenParams;
}

export interface Private {
  readonly x: bigint;
  readonly y: bigint;
  /** Nonce of enc_N0(y) inside D. */
  readonly rho: bigint;
  /** Nonce of Y. */
  readonly rhoY: bigint;
  /** Optional: the prover's own Paillier secret key (of N1), for CRT; never sent. */
  readonly sk1?: PaillierSecretKey;
}

export interface Proof {
  readonly A: bigint;
  readonly Bx: Point;
  readonly By: bigint;
  readonly E: bigint;
  readonly S: bigint;
  readonly F: bigint;
  readonly T: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly z3: bigint;
  readonly z4: bigint;
  readonly w: bigint;
  readonly wY: bigint;
}

/** Wire codec sized for the given level (bounds are upper bounds; verify re-checks the ranges). */
export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const nBits = level.paillierBits;
  const zBits = (b: number) => codec.bigint({ maxBits: b, signed: true });
  const ct = codec.bigint({ maxBits: 2 * nBits });
  const rp = codec.bigint({ maxBits: nBits });
  return codec.object({
    A: ct,
    Bx: pointSchema,
    By: ct,
    E: rp,
    S: rp,
    F: rp,
    T: rp,
    z1: zBits(level.ell + level.epsilon + 1),
    z2: zBits(level.ellPrime + level.epsilon + 1),
    z3: zBits(rpResponseBits(level)),
    z4: zBits(rpResponseBits(level)),
    w: rp,
    wY: rp,
  });
}

/** Wire codec accepting proofs of every supported level. */
export const proofSchema: Schema<Proof> = proofSchemaFor(maxLevel);

function challenge(ctx: ProofContext, pub: Public, c: Omit<Proof, `z${number}` | 'w' | 'wY'>) {
  const t = proofTranscript(DOMAIN, ctx);
  t.appendBigInt('N0', pub.N0.N)
    .appendBigInt('N1', pub.N1.N)
    .appendBigInt('Nhat', pub.aux.N)
    .appendBigInt('s', pub.aux.s)
    .appendBigInt('t', pub.aux.t)
    .appendBigInt('C', pub.C)
    .appendBigInt('D', pub.D)
    .appendBigInt('Y', pub.Y)
    .appendBytes('X', transcriptPoint(pub.X))
    .appendBigInt('A', c.A)
    .appendBytes('Bx', transcriptPoint(c.Bx))
    .appendBigInt('By', c.By)
    .appendBigInt('E', c.E)
    .appendBigInt('S', c.S)
    .appendBigInt('F', c.F)
    .appendBigInt('T', c.T);
  return challengeE(t, ctx.level);
}

/**
 * Proves the statement. The prover refuses (RangeError) a witness outside the ranges the
 * paper requires, x ∈ ±2^ℓ and y ∈ ±2^ℓ': its proof would not be zero-knowledge.
 */
export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const L = ctx.level;
  if (!inPm2(priv.x, L.ell)) throw new RangeError('aff-g: witness x is outside ±2^ℓ');
  if (!inPm2(priv.y, L.ellPrime)) throw new RangeError("aff-g: witness y is outside ±2^ℓ'");
  return proveUnchecked(ctx, pub, priv, rng);
}

/** The prover without the witness-range check; exported for tests of the verifier's range checks. */
export function proveUnchecked(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const L = ctx.level;
  const Nh = pub.aux.N;
  const alpha = sampleSigned(rng, pow2(L.ell + L.epsilon));
  const beta = sampleSigned(rng, pow2(L.ellPrime + L.epsilon));
  const r = pub.N0.randomRho(rng);
  const rY = pub.N1.randomRho(rng);
  const gamma = sampleSigned(rng, pow2(L.ell + L.epsilon) * Nh);
  const m = sampleSigned(rng, pow2(L.ell) * Nh);
  const delta = sampleSigned(rng, pow2(L.ell + L.epsilon) * Nh);
  const mu = sampleSigned(rng, pow2(L.ell) * Nh);

  const commitment = {
    A: pub.N0.add(pub.N0.mul(pub.C, alpha), pub.N0.encryptWith(beta, r)),
    Bx: mulSecret(G, alpha),
    By: (ownKeyFor(pub.N1.N, priv.sk1) ?? pub.N1).encryptWith(beta, rY),
    E: pedersenCommit(pub.aux, alpha, gamma),
    S: pedersenCommit(pub.aux, priv.x, m),
    F: pedersenCommit(pub.aux, beta, delta),
    T: pedersenCommit(pub.aux, priv.y, mu),
  };
  const e = challenge(ctx, pub, commitment);
  return {
    ...commitment,
    z1: alpha + e * priv.x,
    z2: beta + e * priv.y,
    z3: gamma + e * m,
    z4: delta + e * mu,
    w: (r * modPow(priv.rho, e, pub.N0.N)) % pub.N0.N,
    wY: (rY * modPow(priv.rhoY, e, pub.N1.N)) % pub.N1.N,
  };
}

const fail = (check: string): VerifyResult => ({ ok: false, check });

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const L = ctx.level;
  const { N0, N1, aux } = pub;
  // Public inputs: the caller's codec should have checked them; a bad one must not pass here.
  if (!N0.isValidCiphertext(pub.C)) return fail('ciphertext-C');
  if (!N0.isValidCiphertext(pub.D)) return fail('ciphertext-D');
  if (!N1.isValidCiphertext(pub.Y)) return fail('ciphertext-Y');
  // Commitment: ciphertexts in Z*_{N²}, ring-Pedersen values in Z*_N̂ (canonical, invertible).
  if (!N0.isValidCiphertext(proof.A)) return fail('ciphertext-A');
  if (proof.Bx.is0()) return fail('Bx-identity');
  if (!N1.isValidCiphertext(proof.By)) return fail('ciphertext-By');
  if (!isUnit(proof.E, aux.N)) return fail('E-unit');
  if (!isUnit(proof.S, aux.N)) return fail('S-unit');
  if (!isUnit(proof.F, aux.N)) return fail('F-unit');
  if (!isUnit(proof.T, aux.N)) return fail('T-unit');
  // Responses.
  if (!isUnit(proof.w, N0.N)) return fail('w-unit');
  if (!isUnit(proof.wY, N1.N)) return fail('wY-unit');
  if (!inPm2(proof.z1, L.ell + L.epsilon)) return fail('z1-range');
  if (!inPm2(proof.z2, L.ellPrime + L.epsilon)) return fail('z2-range');

  const e = challenge(ctx, pub, proof);
  // (1) A · D^e = C^z1 · (1+N0)^z2 · w^N0 mod N0²
  const lhs1 = N0.add(proof.A, N0.mul(pub.D, e));
  const rhs1 = N0.add(N0.mul(pub.C, proof.z1), N0.encryptWith(proof.z2, proof.w));
  if (lhs1 !== rhs1) return fail('equation-1');
  // (2) z1·G = Bx + e·X
  if (!mulPublic(G, proof.z1).equals(proof.Bx.add(mulPublic(pub.X, e)))) return fail('equation-2');
  // (3) By · Y^e = (1+N1)^z2 · wY^N1 mod N1²
  if (N1.add(proof.By, N1.mul(pub.Y, e)) !== N1.encryptWith(proof.z2, proof.wY))
    return fail('equation-3');
  // (4) s^z1 t^z3 = E · S^e mod N̂   (5) s^z2 t^z4 = F · T^e mod N̂
  if (!ringPedersenHolds(aux, proof.z1, proof.z3, proof.E, proof.S, e)) return fail('equation-4');
  if (!ringPedersenHolds(aux, proof.z2, proof.z4, proof.F, proof.T, e)) return fail('equation-5');
  return { ok: true };
}
