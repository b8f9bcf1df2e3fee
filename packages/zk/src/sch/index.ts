/**
 * Π^sch — Schnorr proof of knowledge of a discrete logarithm on secp256k1 (CGGMP21, eprint
 * 2021/060, Figure 22), non-interactive.
 *
 * Key generation commits to the first message A before it can know the challenge's inputs
 * (Fig. 5/6: A is hashed into the round-1 commitment and the proof comes in round 3), so the
 * commitment is a separate step: `commit` draws α and A = α·G, `proveWithCommitment` answers
 * z = α + e·x mod q later. `prove` does both at once.
 */
import { mod } from '@quorate/bigint';
import { codec, randomBelow } from '@quorate/runtime';
import type { Rng, Schema, Transcript } from '@quorate/runtime';
import { OK, proofTranscript, reject } from '../common/context.ts';
import type { ProofContext, VerifyResult } from '../common/context.ts';
import { CURVE_ORDER, G, mulPublic, mulSecret, pointBytes, pointSchema } from '../common/curve.ts';
import type { Point } from '../common/curve.ts';
import type { SecurityLevel } from '@quorate/paillier';

const DOMAIN = 'quorate/zk/sch/v1';

export interface Public {
  /** X = x·G. */
  readonly X: Point;
}
export interface Private {
  readonly x: bigint;
}
/** The first message, published (or committed to) before the challenge. */
export interface Commitment {
  readonly A: Point;
}
/** The nonce behind a Commitment: secret, used once. */
export interface CommitmentSecret {
  readonly alpha: bigint;
}
export interface Proof {
  readonly A: Point;
  readonly z: bigint;
}

const q = CURVE_ORDER;
const schema: Schema<Proof> = codec.object({ A: pointSchema, z: codec.bigint({ maxBits: 256 }) });
export function proofSchemaFor(_level: SecurityLevel): Schema<Proof> {
  return schema;
}
export const proofSchema: Schema<Proof> = schema;

/** Draws α ∈ [1, q) and A = α·G. */
export function commit(rng: Rng): { commitment: Commitment; secret: CommitmentSecret } {
  const alpha = randomBelow(rng, q - 1n) + 1n;
  return { commitment: { A: mulSecret(G, alpha) }, secret: { alpha } };
}

function challenge(t: Transcript, X: Point, A: Point): bigint {
  t.appendBytes('X', pointBytes(X)).appendBytes('A', pointBytes(A));
  return t.challengeBelow('e', q);
}

export function proveWithCommitment(
  ctx: ProofContext,
  pub: Public,
  priv: Private,
  commitment: Commitment,
  secret: CommitmentSecret,
): Proof {
  const e = challenge(proofTranscript(DOMAIN, ctx), pub.X, commitment.A);
  return { A: commitment.A, z: mod(secret.alpha + e * priv.x, q) };
}

export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const { commitment, secret } = commit(rng);
  return proveWithCommitment(ctx, pub, priv, commitment, secret);
}

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  if (pub.X.is0()) return reject('X-identity');
  if (proof.A.is0()) return reject('A-identity');
  if (proof.z < 0n || proof.z >= q) return reject('z-range');
  const e = challenge(proofTranscript(DOMAIN, ctx), pub.X, proof.A);
  // Figure 22: z·G = A + e·X.
  if (!mulPublic(G, proof.z).equals(proof.A.add(mulPublic(pub.X, e)))) return reject('equation-1');
  return OK;
}
