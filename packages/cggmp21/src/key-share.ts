/**
 * The CGGMP21 key share: a validated type with a versioned, canonical serialization.
 *
 * A key share holds the output of threshold key generation (cggmp21 spec "Threshold Key
 * Generation"; CGGMP21 Fig. 5 with Feldman VSS): own secret share x_i, public key Y = F(0), every
 * party's public share X_j = F(j), threshold t, the BIP32 chain code — plus, once aux-info ran
 * (Fig. 6), the party's Paillier/ring-Pedersen secret and every party's public parameters.
 *
 * `validateKeyShare` is the only way in: every consumer works on a `KeyShare` it returned.
 * Stored shares are pinned by fixtures in test/fixtures so the format never changes silently.
 */
import { codec, DecodeError, normalizeParties } from '@quorate/runtime';
import type { PartyId } from '@quorate/runtime';
import { lagrangeAt } from './vss.ts';
import { mulG, mulPublic, pointSchema, scalarBelowQ, sumPoints } from './curve.ts';
import type { Point as PointT } from './curve.ts';

export const KEY_SHARE_VERSION = 1;

export interface CoreKeyShare {
  readonly version: 1;
  readonly curve: 'secp256k1';
  /** Own party id. */
  readonly i: PartyId;
  /** Threshold: any t parties can sign. */
  readonly t: number;
  /** All key holders, sorted. */
  readonly parties: readonly PartyId[];
  /** Own secret share x_i. Never logged. */
  readonly x: bigint;
  /** The public key Y. */
  readonly publicKey: PointT;
  /** X_j = x_j·G for every party, in the order of `parties`. */
  readonly publicShares: readonly PointT[];
  /** BIP32 chain code (32 bytes), the XOR of every party's contribution. */
  readonly chainCode: Uint8Array;
}

/**
 * A party's public auxiliary information (CGGMP21 Fig. 6): Paillier modulus N_j and ring-Pedersen
 * parameters (N_j, s_j, t_j) on the same modulus, as in the paper.
 */
export interface PartyAux {
  readonly N: bigint;
  readonly s: bigint;
  readonly t: bigint;
}

export interface AuxInfo {
  readonly version: 1;
  readonly i: PartyId;
  readonly parties: readonly PartyId[];
  /** Security level name ('3072' or '2048'). */
  readonly level: string;
  /** Own Paillier primes (secret): N_i = p·q. */
  readonly p: bigint;
  readonly q: bigint;
  /** Every party's public parameters, in the order of `parties`. */
  readonly public: readonly PartyAux[];
}

export interface KeyShare {
  readonly core: CoreKeyShare;
  readonly aux: AuxInfo | null;
}

export class InvalidKeyShareError extends Error {
  override readonly name = 'InvalidKeyShareError';
  constructor(
    readonly field: string,
    what: string,
  ) {
    super(`invalid key share: ${field}: ${what}`);
  }
}

/**
 * Checks every invariant: own share matches own public share, public shares lie on one polynomial
 * of degree t−1 whose value at 0 is the public key, sizes agree.
 */
export function validateCoreKeyShare(k: CoreKeyShare): CoreKeyShare {
  let parties: readonly PartyId[];
  try {
    parties = normalizeParties(k.parties);
  } catch (e) {
    throw new InvalidKeyShareError('parties', e instanceof Error ? e.message : 'invalid');
  }
  if (!Number.isInteger(k.t) || k.t < 1 || k.t > parties.length)
    throw new InvalidKeyShareError('t', `must be in 1..${parties.length}`);
  const idx = parties.indexOf(k.i);
  if (idx < 0) throw new InvalidKeyShareError('i', 'own id is not among the parties');
  if (k.publicShares.length !== parties.length)
    throw new InvalidKeyShareError('publicShares', 'one public share per party is required');
  if (k.chainCode.length !== 32) throw new InvalidKeyShareError('chainCode', 'must be 32 bytes');
  if (!mulG(k.x).equals(k.publicShares[idx] as PointT))
    throw new InvalidKeyShareError('x', 'does not match own public share');
  // Interpolate from the first t public shares; every share must agree with that polynomial.
  const base = parties.slice(0, k.t);
  const at = (j: number) =>
    sumPoints(
      base.map((m, n) => mulPublic(k.publicShares[n] as PointT, lagrangeAt(base, m, BigInt(j)))),
    );
  if (!at(0).equals(k.publicKey))
    throw new InvalidKeyShareError('publicKey', 'is not the interpolation of the public shares');
  for (let n = k.t; n < parties.length; n++) {
    if (!at(parties[n] as number).equals(k.publicShares[n] as PointT))
      throw new InvalidKeyShareError(
        `publicShares[${n}]`,
        'does not lie on the sharing polynomial',
      );
  }
  if (k.publicKey.is0()) throw new InvalidKeyShareError('publicKey', 'is the identity');
  return Object.freeze({
    ...k,
    parties,
    publicShares: Object.freeze([...k.publicShares]),
    chainCode: Uint8Array.from(k.chainCode),
  });
}

// ---- serialization --------------------------------------------------------------------------

const big = (bits: number) => codec.bigint({ maxBits: bits });
const partyAuxSchema = codec.object({ N: big(4096), s: big(4096), t: big(4096) });
const auxSchema = codec.object({
  version: codec.literal(1),
  i: codec.uint({ min: 1, max: 1024 }),
  parties: codec.array(codec.uint({ min: 1, max: 1024 }), { min: 2, max: 1024 }),
  level: codec.oneOf(['3072', '2048'] as const),
  p: big(2048),
  q: big(2048),
  public: codec.array(partyAuxSchema, { min: 2, max: 1024 }),
});
const coreSchema = codec.object({
  version: codec.literal(1),
  curve: codec.literal('secp256k1'),
  i: codec.uint({ min: 1, max: 1024 }),
  t: codec.uint({ min: 1, max: 1024 }),
  parties: codec.array(codec.uint({ min: 1, max: 1024 }), { min: 2, max: 1024 }),
  x: scalarBelowQ,
  publicKey: pointSchema,
  publicShares: codec.array(pointSchema, { min: 2, max: 1024 }),
  chainCode: codec.bytes({ len: 32 }),
});
const keyShareSchema = codec.object({
  format: codec.literal('quorate/cggmp21/key-share'),
  core: coreSchema,
  aux: codec.nullable(auxSchema),
});

export function validateAux(aux: AuxInfo, core: CoreKeyShare): AuxInfo {
  if (aux.i !== core.i) throw new InvalidKeyShareError('aux.i', 'differs from the key share');
  if (
    aux.parties.length !== core.parties.length ||
    aux.parties.some((p, n) => p !== core.parties[n])
  ) {
    throw new InvalidKeyShareError('aux.parties', 'differ from the key share');
  }
  if (aux.public.length !== aux.parties.length)
    throw new InvalidKeyShareError('aux.public', 'one entry per party is required');
  const own = aux.public[aux.parties.indexOf(aux.i)] as PartyAux;
  if (aux.p * aux.q !== own.N)
    throw new InvalidKeyShareError('aux.p', 'p·q is not own Paillier modulus');
  return aux;
}

export function validateKeyShare(k: KeyShare): KeyShare {
  const core = validateCoreKeyShare(k.core);
  const aux = k.aux === null ? null : validateAux(k.aux, core);
  return Object.freeze({ core, aux });
}

/** Canonical, versioned serialization (secret material included: store it only behind the secrets barrier). */
export function serializeKeyShare(k: KeyShare): Uint8Array {
  return codec.encodeCanonical(keyShareSchema, {
    format: 'quorate/cggmp21/key-share',
    core: k.core as never,
    aux: k.aux as never,
  });
}

/** Strict decoding plus validation; errors name the field. */
export function deserializeKeyShare(bytes: Uint8Array): KeyShare {
  let d: codec.Infer<typeof keyShareSchema>;
  try {
    d = codec.decodeCanonical(keyShareSchema, bytes, 4 << 20);
  } catch (e) {
    if (e instanceof DecodeError) throw new InvalidKeyShareError(e.path, e.expected);
    throw e;
  }
  return validateKeyShare({ core: d.core as CoreKeyShare, aux: d.aux as AuxInfo | null });
}
