/**
 * Resharing: the old committee hands a CGGMP21 key to a new committee — possibly overlapping,
 * with a new size and threshold — and the public key stays the same. This is the dealer-based
 * redistribution of Desmedt–Jajodia / Wong–Wang–Wing ("Verifiable secret redistribution", 2002)
 * with Feldman commitments, in the shape of our t-of-n refresh (refresh.ts):
 *
 *  Dealers S: any ≥ t_old holders of the old key. Each dealer i ∈ S holds x_i; with λ_i the
 *  Lagrange coefficient at 0 over S, Σ_{i∈S} λ_i·x_i = x (the key) by Shamir interpolation.
 *
 *  Round 1 (broadcast, reliable): dealer i samples f_i of degree t_new − 1 with f_i(0) = λ_i·x_i
 *          and sends C_i = (a_{i,k}·G)_k. Every party checks C_{i,0} = λ_i·X_i (X_i: the dealer's
 *          old public share) — so a dealer cannot move the key, and one that tries is named —
 *          and Σ_{i∈S} C_{i,0} = Y. Non-dealers send an empty list.
 *  Round 2 (p2p): dealer i sends the sub-share σ_{i,j} = f_i(j) to each new party j, which
 *          checks σ_{i,j}·G = Σ_k j^k·C_{i,k}; a bad sub-share names its dealer. Every other
 *          pair exchanges null (the runtime expects one message per pair and round).
 *  Round 3 (broadcast): every party sends the digest of the new public data
 *          (Y, t_new, new parties, X'_m = Σ_i F_i(m)); all digests must agree.
 *  Output: the new party's share x'_j = Σ_i σ_{i,j}, with public shares X'_m, validated (they
 *          interpolate to the same Y); null for a dealer that leaves the committee.
 *
 * Aux-info is not folded in: the new share is returned with `aux: null`, and the new committee
 * runs `auxInfo` afterwards (or attaches aux-info it already has for exactly this committee —
 * aux-info is per party set, reusable across keys). Presigning requires it.
 *
 * Commit rule (atomicity, docs/recovery.md): the output is *pending*. Old shares stay valid and
 * are kept until every new party has confirmed; see {@link reshareCommitDecision}. A new party
 * that crashes never produces an output, so it never confirms, so nobody erases an old share.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { codec, commitDecision, normalizeParties } from '@quorate/runtime';
import type { CommitDecision } from '@quorate/runtime';
import type {
  Inbox,
  Outgoing,
  PartyContext,
  PartyId,
  ProtocolDefinition,
  RoundResult,
} from '@quorate/runtime';
import { modQ, mul, mulG, pointSchema, scalarBelowQ, sumPoints } from './curve.ts';
import type { Point as PointT } from './curve.ts';
import { equalBytes } from './hash-commit.ts';
import { validateKeyShare } from './key-share.ts';
import type { CoreKeyShare, KeyShare } from './key-share.ts';
import { evalCommitment, evalPolynomial, lagrangeAtZero, randomPolynomial } from './vss.ts';

/** The public data of the key being reshared (what a new party trusts the hub to tell it). */
export interface OldKeyPublic {
  readonly publicKey: PointT;
  readonly t: number;
  readonly parties: readonly PartyId[];
  readonly publicShares: readonly PointT[];
  readonly chainCode: Uint8Array;
}

export interface ReshareConfig {
  readonly oldKey: OldKeyPublic;
  /** This party's old share; required exactly when this party is a dealer. */
  readonly oldShare?: KeyShare | CoreKeyShare;
  /** The old holders that deal (≥ t_old of them). */
  readonly dealers: readonly PartyId[];
  /** The new committee. */
  readonly newParties: readonly PartyId[];
  readonly newThreshold: number;
}

export interface ReshareOutput {
  /** This party's new share (aux-info null), or null if it is not in the new committee. PENDING. */
  readonly share: KeyShare | null;
  /** Digest of the new public data; identical at every party (the confirmations agreed on it). */
  readonly confirmation: Uint8Array;
  readonly newParties: readonly PartyId[];
  readonly newThreshold: number;
}

/** The public part of a share, for `ReshareConfig.oldKey`. */
export function oldKeyPublic(share: KeyShare | CoreKeyShare): OldKeyPublic {
  const c = 'core' in share ? share.core : share;
  return {
    publicKey: c.publicKey,
    t: c.t,
    parties: c.parties,
    publicShares: c.publicShares,
    chainCode: c.chainCode,
  };
}

const round1 = codec.object({ C: codec.array(pointSchema, { max: 1024 }) });
const round2 = codec.object({ sigma: codec.nullable(scalarBelowQ) });
const round3 = codec.object({ digest: codec.bytes({ len: 32 }) });
type R1 = codec.Infer<typeof round1>;
type R2 = codec.Infer<typeof round2>;
type R3 = codec.Infer<typeof round3>;

function newPublicDigest(
  sid: Uint8Array,
  Y: PointT,
  t: number,
  parties: readonly PartyId[],
  X: readonly PointT[],
): Uint8Array {
  const enc = new TextEncoder();
  const parts = [
    enc.encode(`quorate/cggmp21/reshare/v1|t=${t}|parties=${parties.join(',')}|`),
    sid,
    Y.toBytes(true),
    ...X.map((P) => P.toBytes(true)),
  ];
  return sha256(Uint8Array.from(parts.flatMap((p) => [...p])));
}

export const reshare: ProtocolDefinition<ReshareOutput, ReshareConfig> = {
  id: 'cggmp21/reshare',
  version: 1,
  rounds: [
    { name: 'deal-commit', kind: 'broadcast', payload: round1, reliable: true },
    { name: 'deal-share', kind: 'p2p', payload: round2 },
    { name: 'confirm', kind: 'broadcast', payload: round3 },
  ],
  maxMessageBytes: 1 << 20,
  create(ctx: PartyContext, config: ReshareConfig) {
    const old = config.oldKey;
    // Not normalizeParties: a 1-of-n key has a single dealer.
    const dealers = [...new Set(config.dealers)].sort((a, b) => a - b);
    const fresh = normalizeParties(config.newParties);
    const tNew = config.newThreshold;
    if (dealers.some((d) => !old.parties.includes(d)))
      throw new RangeError('dealers: every dealer must hold a share of the old key');
    if (dealers.length < old.t)
      throw new RangeError(`dealers: at least t_old = ${old.t} are needed`);
    if (fresh.length < 2) throw new RangeError('newParties: at least 2 are needed');
    if (!Number.isInteger(tNew) || tNew < 1 || tNew > fresh.length)
      throw new RangeError(`newThreshold: must be in 1..${fresh.length}`);
    const union = normalizeParties([...new Set([...dealers, ...fresh])]);
    if (union.length !== ctx.parties.length || union.some((p, n) => p !== ctx.parties[n]))
      throw new RangeError('the session must run among exactly the dealers and the new parties');
    const isDealer = dealers.includes(ctx.self);
    const isNew = fresh.includes(ctx.self);
    const own =
      config.oldShare === undefined
        ? undefined
        : 'core' in config.oldShare
          ? config.oldShare.core
          : config.oldShare;
    if (isDealer !== (own !== undefined))
      throw new RangeError('oldShare: required for a dealer, and only for a dealer');
    if (own && (own.i !== ctx.self || !own.publicKey.equals(old.publicKey)))
      throw new RangeError('oldShare: not this party’s share of this key');
    // λ_i·X_i per dealer: the constant term each dealer must commit to. Their sum must be Y
    // (the old public data is one sharing of Y), otherwise the configuration itself is wrong.
    const expected0 = new Map<PartyId, PointT>();
    for (const d of dealers) {
      const X = old.publicShares[old.parties.indexOf(d)];
      if (!X) throw new RangeError(`oldKey: no public share for dealer ${d}`);
      expected0.set(d, mul(X, lagrangeAtZero(dealers, d)));
    }
    if (!sumPoints(expected0.values()).equals(old.publicKey))
      throw new RangeError(
        'oldKey: the dealers’ public shares do not interpolate to the public key',
      );

    const coeffs = own
      ? randomPolynomial(ctx.rng, tNew, modQ(lagrangeAtZero(dealers, ctx.self) * own.x))
      : [];
    const myC = coeffs.map((a) => mulG(a));
    const commitments = new Map<PartyId, readonly PointT[]>();
    let digest: Uint8Array | undefined;
    let pending: KeyShare | null = null;

    return {
      start: (): Outgoing[] => [{ to: 'all', payload: { C: myC } }],
      verify(round, from, payload) {
        if (round === 1) {
          const { C } = payload as R1;
          if (!dealers.includes(from))
            return C.length === 0 ? undefined : 'a non-dealer sent reshare commitments';
          if (C.length !== tNew)
            return `sent ${C.length} reshare commitments, expected t_new = ${tNew}`;
          if (!(C[0] as PointT).equals(expected0.get(from) as PointT))
            return 'reshare constant commitment C_0 is not λ_i·X_i (it would move the public key)';
          return undefined;
        }
        if (round === 2) {
          const { sigma } = payload as R2;
          const owed = dealers.includes(from) && isNew;
          if (!owed)
            return sigma === null ? undefined : 'sent a reshare sub-share it should not have';
          if (sigma === null) return 'withheld its reshare sub-share';
          if (
            !mulG(sigma).equals(evalCommitment(commitments.get(from) as PointT[], BigInt(ctx.self)))
          )
            return 'reshare sub-share does not match the dealer’s commitments';
          return undefined;
        }
        const { digest: theirs } = payload as R3;
        if (!digest || !equalBytes(theirs, digest)) return 'confirmed different new public shares';
        return undefined;
      },
      finish(round, inbox: Inbox): RoundResult<ReshareOutput> {
        if (round === 1) {
          if (isDealer) commitments.set(ctx.self, myC);
          for (const [j, m] of inbox) if (dealers.includes(j)) commitments.set(j, (m as R1).C);
          // Σ_i C_{i,0} = Y: implied by the per-dealer checks and the check at create, kept as
          // the statement every new party must see hold.
          if (
            !sumPoints(dealers.map((d) => (commitments.get(d) as PointT[])[0] as PointT)).equals(
              old.publicKey,
            )
          )
            throw new Error('reshare: constant terms do not sum to the public key');
          return {
            next: ctx.parties
              .filter((j) => j !== ctx.self)
              .map((j) => ({
                to: j,
                payload: {
                  sigma: isDealer && fresh.includes(j) ? evalPolynomial(coeffs, BigInt(j)) : null,
                },
              })),
          };
        }
        if (round === 2) {
          const X = fresh.map((m) =>
            sumPoints(
              dealers.map((d) => evalCommitment(commitments.get(d) as PointT[], BigInt(m))),
            ),
          );
          digest = newPublicDigest(ctx.sessionId, old.publicKey, tNew, fresh, X);
          if (isNew) {
            let x = isDealer ? evalPolynomial(coeffs, BigInt(ctx.self)) : 0n;
            for (const [j, m] of inbox)
              if (dealers.includes(j)) x = modQ(x + ((m as R2).sigma as bigint));
            pending = validateKeyShare({
              core: {
                version: 1,
                curve: 'secp256k1',
                i: ctx.self,
                t: tNew,
                parties: fresh,
                x,
                publicKey: old.publicKey,
                publicShares: X,
                chainCode: Uint8Array.from(old.chainCode),
              },
              aux: null,
            });
          }
          return { next: [{ to: 'all', payload: { digest } }] };
        }
        return {
          output: Object.freeze({
            share: pending,
            confirmation: digest as Uint8Array,
            newParties: fresh,
            newThreshold: tNew,
          }),
        };
      },
    };
  },
};

export type { CommitDecision } from '@quorate/runtime';

/** The commit rule (see `commitDecision` in @quorate/runtime) applied to a CGGMP21 reshare. */
export function reshareCommitDecision(
  output: Pick<ReshareOutput, 'confirmation' | 'newParties'>,
  acks: ReadonlyMap<PartyId, Uint8Array>,
): CommitDecision {
  return commitDecision(output, acks);
}
