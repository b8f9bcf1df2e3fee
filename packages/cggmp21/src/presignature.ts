/**
 * The one-time presignature and the non-interactive signing step of CGGMP21 (Fig. 8, "Signing").
 *
 * DANGER: a presignature shares one nonce k. Two partial signatures from the same presignature on
 * different messages reveal the signer's key share, and with enough of them the private key.
 * `Presignature.issuePartial` therefore consumes it: the secret fields are wiped on first use and
 * a second call throws `PresignatureConsumedError`. Durable single use across restarts is the job
 * of the co-signer's one-time store (mark consumed, commit, sync — then release σ_i).
 *
 * Partial signature, with an HD shift s (the BIP32 tweak of the derived key Y' = Y + s·G):
 *     σ_i = k_i·m + r·(χ_i + k_i·s),   r = R.x mod q.
 * Each σ_j is checked against the presign commitments: σ_j·Γ = m·Δ_j + r·(S_j + s·Δ_j), so a bad
 * partial names its sender. The sum is normalized to low S and verified before release.
 */
import type { PartyId } from '@quorate/runtime';
import { modQ, mulG, mulPublic } from './curve.ts';
import type { Point } from './curve.ts';
import { digestToScalar, normalize, rFromR, verifyEcdsa } from './ecdsa.ts';
import type { EcdsaSignature } from './ecdsa.ts';
import type { PresignOutput } from './presign.ts';

export class PresignatureConsumedError extends Error {
  override readonly name = 'PresignatureConsumedError';
  constructor() {
    super(
      'this presignature was already used; a second use would leak the key share — presign again',
    );
  }
}

/** What every signer (and a combiner) may know about a presignature. */
export interface PresignaturePublic {
  readonly sessionId: string;
  readonly signers: readonly PartyId[];
  readonly R: Point;
  readonly Gamma: Point;
  readonly Delta: readonly Point[];
  readonly S: readonly Point[];
  readonly publicKey: Point;
  readonly chainCode: Uint8Array;
}

export class Presignature {
  readonly public: PresignaturePublic;
  readonly i: PartyId;
  #secret: { k: bigint; chi: bigint } | null;

  constructor(out: PresignOutput) {
    this.i = out.i;
    this.public = Object.freeze({
      sessionId: out.sessionId,
      signers: out.signers,
      R: out.R,
      Gamma: out.Gamma,
      Delta: out.Delta,
      S: out.S,
      publicKey: out.publicKey,
      chainCode: out.chainCode,
    });
    this.#secret = { k: out.k, chi: out.chi };
  }

  get consumed(): boolean {
    return this.#secret === null;
  }

  /** σ_i for `digest` (32 bytes) under the key shifted by `shift`. Consumes the presignature. */
  issuePartial(digest: Uint8Array, shift = 0n): bigint {
    const s = this.#secret;
    if (s === null) throw new PresignatureConsumedError();
    this.#secret = null;
    const m = digestToScalar(digest);
    const { r } = rFromR(this.public.R);
    return modQ(s.k * m + r * (s.chi + s.k * modQ(shift)));
  }
}

/** Checks σ_j·Γ = m·Δ_j + r·(S_j + s·Δ_j) for one signer. */
export function partialIsValid(
  pub: PresignaturePublic,
  j: PartyId,
  sigma: bigint,
  digest: Uint8Array,
  shift = 0n,
): boolean {
  const idx = pub.signers.indexOf(j);
  if (idx < 0) return false;
  const m = digestToScalar(digest);
  const { r } = rFromR(pub.R);
  const Dj = pub.Delta[idx] as Point;
  // Every value here is public (σ_j is broadcast): variable-time multiplication is fine.
  const Sj = (pub.S[idx] as Point).add(mulPublic(Dj, shift));
  return mulPublic(pub.Gamma, sigma).equals(mulPublic(Dj, m).add(mulPublic(Sj, r)));
}

export class PartialSignatureError extends Error {
  override readonly name = 'PartialSignatureError';
  constructor(readonly culprits: readonly PartyId[]) {
    super(
      `invalid partial signature from part${culprits.length === 1 ? 'y' : 'ies'} ${culprits.join(', ')}`,
    );
  }
}

/**
 * Combines σ_j of every signer into a low-S signature with recovery id, verified against the
 * (derived) public key. Throws PartialSignatureError naming every bad signer.
 */
export function combinePartials(
  pub: PresignaturePublic,
  partials: ReadonlyMap<PartyId, bigint>,
  digest: Uint8Array,
  shift = 0n,
): EcdsaSignature {
  const bad = pub.signers.filter((j) => {
    const s = partials.get(j);
    return s === undefined || !partialIsValid(pub, j, s, digest, shift);
  });
  if (bad.length > 0) throw new PartialSignatureError(bad);
  const sigma = modQ(pub.signers.reduce((acc, j) => acc + (partials.get(j) as bigint), 0n));
  const { r, recoveryBits } = rFromR(pub.R);
  const sig = normalize(r, sigma, recoveryBits);
  const Y = pub.publicKey.add(mulG(shift));
  if (!verifyEcdsa(sig, digest, Y))
    throw new Error('internal error (please report): combined signature does not verify');
  return sig;
}
