/**
 * Π^mul* — Paillier multiplication with group commitment (CGGMP21, eprint 2021/060, Fig. 31).
 *
 * Statement: the verifier's Paillier key N0, ciphertexts C, D mod N0² and a point X, such that
 *     D = C^x · ρ^N0 mod N0²,   X = x·G,   with x ∈ ±2^ℓ.
 * The proof guarantees x ∈ ±2^(ℓ+ε). The ring-Pedersen parameters (N̂, s, t) are the verifier's.
 *
 * Used by the identification step of signing (the prover shows its share of χ was computed
 * from its key share x_i, public as X_i).
 */
import { modPow } from '@quorate/bigint';
import { pedersenCommit } from '@quorate/paillier';
import type { PaillierPublicKey, RingPedersenParams, SecurityLevel } from '@quorate/paillier';
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

export const DOMAIN = 'quorate/zk/mul-star/v1';

export interface Public {
  /** The verifier's Paillier key (C and D are under it). */
  readonly N0: PaillierPublicKey;
  readonly C: bigint;
  readonly D: bigint;
  readonly X: Point;
  /** The verifier's ring-Pedersen parameters (N̂, s, t). */
  readonly aux: RingPedersenParams;
}

export interface Private {
  readonly x: bigint;
  /** The nonce ρ of D = C^x ρ^N0. */
  readonly rho: bigint;
}

export interface Proof {
  readonly A: bigint;
  readonly Bx: Point;
  readonly E: bigint;
  readonly S: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly w: bigint;
}

/** Wire codec sized for the given level (upper bounds; verify re-checks the ranges). */
export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  const nBits = level.paillierBits;
  const rp = codec.bigint({ maxBits: nBits });
  return codec.object({
    A: codec.bigint({ maxBits: 2 * nBits }),
    Bx: pointSchema,
    E: rp,
    S: rp,
    z1: codec.bigint({ maxBits: level.ell + level.epsilon + 1, signed: true }),
    z2: codec.bigint({ maxBits: rpResponseBits(level), signed: true }),
    w: rp,
  });
}

/** Wire codec accepting proofs of every supported level. */
export const proofSchema: Schema<Proof> = proofSchemaFor(maxLevel);

function challenge(ctx: ProofContext, pub: Public, c: Pick<Proof, 'A' | 'Bx' | 'E' | 'S'>) {
  const t = proofTranscript(DOMAIN, ctx)
    .appendBigInt('N0', pub.N0.N)
    .appendBigInt('Nhat', pub.aux.N)
    .appendBigInt('s', pub.aux.s)
    .appendBigInt('t', pub.aux.t)
    .appendBigInt('C', pub.C)
    .appendBigInt('D', pub.D)
    .appendBytes('X', transcriptPoint(pub.X))
    .appendBigInt('A', c.A)
    .appendBytes('Bx', transcriptPoint(c.Bx))
    .appendBigInt('E', c.E)
    .appendBigInt('S', c.S);
  return challengeE(t, ctx.level);
}

/** Proves the statement; refuses (RangeError) a witness x outside ±2^ℓ. */
export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  if (!inPm2(priv.x, ctx.level.ell)) throw new RangeError('mul-star: witness x is outside ±2^ℓ');
  return proveUnchecked(ctx, pub, priv, rng);
}

/** The prover without the witness-range check; exported for tests of the verifier's range check. */
export function proveUnchecked(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const L = ctx.level;
  const N0 = pub.N0;
  const alpha = sampleSigned(rng, pow2(L.ell + L.epsilon));
  const r = N0.randomRho(rng);
  const gamma = sampleSigned(rng, pow2(L.ell + L.epsilon) * pub.aux.N);
  const m = sampleSigned(rng, pow2(L.ell) * pub.aux.N);
  const commitment = {
    // A = C^α · r^N0 = (α ⊙ C) ⊕ enc(0; r)
    A: N0.add(N0.mul(pub.C, alpha), N0.encryptWith(0n, r)),
    Bx: mulSecret(G, alpha),
    E: pedersenCommit(pub.aux, alpha, gamma),
    S: pedersenCommit(pub.aux, priv.x, m),
  };
  const e = challenge(ctx, pub, commitment);
  return {
    ...commitment,
    z1: alpha + e * priv.x,
    z2: gamma + e * m,
    w: (r * modPow(priv.rho, e, N0.N)) % N0.N,
  };
}

const fail = (check: string): VerifyResult => ({ ok: false, check });

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const L = ctx.level;
  const { N0, aux } = pub;
  if (!N0.isValidCiphertext(pub.C)) return fail('ciphertext-C');
  if (!N0.isValidCiphertext(pub.D)) return fail('ciphertext-D');
  if (!N0.isValidCiphertext(proof.A)) return fail('ciphertext-A');
  if (proof.Bx.is0()) return fail('Bx-identity');
  if (!isUnit(proof.E, aux.N)) return fail('E-unit');
  if (!isUnit(proof.S, aux.N)) return fail('S-unit');
  if (!isUnit(proof.w, N0.N)) return fail('w-unit');
  if (!inPm2(proof.z1, L.ell + L.epsilon)) return fail('z1-range');

  const e = challenge(ctx, pub, proof);
  // (1) C^z1 · w^N0 = A · D^e mod N0²
  if (
    N0.add(N0.mul(pub.C, proof.z1), N0.encryptWith(0n, proof.w)) !==
    N0.add(proof.A, N0.mul(pub.D, e))
  )
    return fail('equation-1');
  // (2) z1·G = Bx + e·X
  if (!mulPublic(G, proof.z1).equals(proof.Bx.add(mulPublic(pub.X, e)))) return fail('equation-2');
  // (3) s^z1 t^z2 = E · S^e mod N̂
  if (!ringPedersenHolds(aux, proof.z1, proof.z2, proof.E, proof.S, e)) return fail('equation-3');
  return { ok: true };
}
