/**
 * A versioned, canonical serialization of one party's presigning output (CGGMP21 Fig. 7,
 * "Output": R, own k_i and χ_i, every signer's Δ_j and S_j), so a co-signer can keep it in its
 * one-time store between the presign job and the sign job.
 *
 * The bytes hold the secret k_i and χ_i: store them only behind the secrets barrier, and only in a
 * store that consumes them at most once (two signatures from one presignature leak the key).
 * Decoding is strict (unknown fields, wrong types, oversize) and re-checks every invariant the
 * signing step relies on, naming the field on failure.
 */
import { codec, DecodeError, normalizeParties } from '@quorate/runtime';
import type { PartyId } from '@quorate/runtime';
import { mul, mulG, pointSchema, scalarBelowQ, sumPoints } from './curve.ts';
import type { Point } from './curve.ts';
import type { PresignOutput } from './presign.ts';

export class InvalidPresignatureError extends Error {
  override readonly name = 'InvalidPresignatureError';
  constructor(
    readonly field: string,
    what: string,
  ) {
    super(`invalid presignature: ${field}: ${what}`);
  }
}

const party = codec.uint({ min: 1, max: 1024 });
const presignatureSchema = codec.object({
  format: codec.literal('quorate/cggmp21/presignature'),
  version: codec.literal(1),
  sessionId: codec.string({ max: 64, pattern: /^[0-9a-f]{64}$/ }),
  i: party,
  signers: codec.array(party, { min: 1, max: 1024 }),
  Gamma: pointSchema,
  R: pointSchema,
  k: scalarBelowQ,
  chi: scalarBelowQ,
  Delta: codec.array(pointSchema, { min: 1, max: 1024 }),
  S: codec.array(pointSchema, { min: 1, max: 1024 }),
  delta: scalarBelowQ,
  publicKey: pointSchema,
  chainCode: codec.bytes({ len: 32 }),
});

/** Checks the invariants of a presigning output (sizes, own index, R·δ = Γ, Σ Δ_j = δ·G). */
export function validatePresignOutput(p: PresignOutput): PresignOutput {
  let signers: readonly PartyId[];
  try {
    signers = normalizeParties(p.signers);
  } catch (e) {
    throw new InvalidPresignatureError('signers', e instanceof Error ? e.message : 'invalid');
  }
  if (signers.some((s, n) => s !== p.signers[n]))
    throw new InvalidPresignatureError('signers', 'must be sorted and distinct');
  if (!signers.includes(p.i)) throw new InvalidPresignatureError('i', 'is not among the signers');
  if (p.Delta.length !== signers.length)
    throw new InvalidPresignatureError('Delta', 'one commitment per signer is required');
  if (p.S.length !== signers.length)
    throw new InvalidPresignatureError('S', 'one commitment per signer is required');
  if (p.chainCode.length !== 32)
    throw new InvalidPresignatureError('chainCode', 'must be 32 bytes');
  if (p.delta === 0n) throw new InvalidPresignatureError('delta', 'is zero');
  if (p.R.is0() || p.Gamma.is0() || p.publicKey.is0())
    throw new InvalidPresignatureError('R', 'R, Γ and the public key must not be the identity');
  // The output step's own checks, repeated after storage: Γ = δ·R, δ·G = ΣΔ_j, δ·Y = ΣS_j, and
  // the own secrets match the own commitments (Δ_i = k_i·Γ, S_i = χ_i·Γ).
  if (!mul(p.R, p.delta).equals(p.Gamma)) throw new InvalidPresignatureError('R', 'is not δ⁻¹·Γ');
  if (!sumPoints(p.Delta).equals(mulG(p.delta)))
    throw new InvalidPresignatureError('Delta', 'do not sum to δ·G');
  if (!sumPoints(p.S).equals(mul(p.publicKey, p.delta)))
    throw new InvalidPresignatureError('S', 'do not sum to δ·Y');
  const own = signers.indexOf(p.i);
  if (!mul(p.Gamma, p.k).equals(p.Delta[own] as Point))
    throw new InvalidPresignatureError('k', 'does not match own Δ_i');
  if (!mul(p.Gamma, p.chi).equals(p.S[own] as Point))
    throw new InvalidPresignatureError('chi', 'does not match own S_i');
  return p;
}

/** Canonical bytes of a presigning output (secret k_i and χ_i included). */
export function serializePresignOutput(p: PresignOutput): Uint8Array {
  validatePresignOutput(p);
  return codec.encodeCanonical(presignatureSchema, {
    format: 'quorate/cggmp21/presignature',
    version: 1,
    sessionId: p.sessionId,
    i: p.i,
    signers: [...p.signers],
    Gamma: p.Gamma,
    R: p.R,
    k: p.k,
    chi: p.chi,
    Delta: [...p.Delta],
    S: [...p.S],
    delta: p.delta,
    publicKey: p.publicKey,
    chainCode: p.chainCode,
  });
}

/** Strict decoding plus validation; errors name the field. */
export function deserializePresignOutput(bytes: Uint8Array): PresignOutput {
  let d: codec.Infer<typeof presignatureSchema>;
  try {
    d = codec.decodeCanonical(presignatureSchema, bytes, 1 << 20);
  } catch (e) {
    if (e instanceof DecodeError) throw new InvalidPresignatureError(e.path, e.expected);
    throw e;
  }
  return validatePresignOutput({
    sessionId: d.sessionId,
    i: d.i,
    signers: d.signers,
    Gamma: d.Gamma,
    R: d.R,
    k: d.k,
    chi: d.chi,
    Delta: d.Delta,
    S: d.S,
    delta: d.delta,
    publicKey: d.publicKey,
    chainCode: d.chainCode,
  });
}
