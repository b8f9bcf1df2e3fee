/**
 * Resharing of a FROST key to a new committee with a new threshold; the group key (for Taproot
 * the untweaked internal key) stays the same. Verifiable secret redistribution (Desmedt–Jajodia
 * 1997; Wong–Wang–Wing 2002) with Feldman commitments — the same protocol as
 * @quorate/cggmp21's reshare.ts, on this package's suites:
 *
 *  Round 1 (broadcast, reliable): each dealer i (any ≥ t_old holders S of the old key) samples
 *          f_i of degree t_new − 1 with f_i(0) = λ_i·s_i (λ_i: Lagrange at 0 over S) and sends
 *          C_i = (a_{i,k}·G)_k. Everyone checks C_{i,0} = λ_i·Y_i (Y_i: the dealer's old
 *          verifying share) and Σ_i C_{i,0} = Y. Non-dealers send an empty list.
 *  Round 2 (p2p): f_i(j) to each new party j, checked against C_i; a bad one names its dealer.
 *          Other pairs exchange null.
 *  Round 3 (broadcast): the digest of the new public data; all must agree.
 *  Output: the pending new share s'_j = Σ_i f_i(j) (epoch + 1), verifying shares Σ_i F_i(m);
 *          null for a dealer leaving the committee.
 *
 * Commit rule: the output is pending; old shares stay valid until every new party has
 * acknowledged the same confirmation digest ({@link frostReshareCommitDecision}); see
 * docs/recovery.md. Nonces preprocessed for the old shares must be discarded at commit.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { codec as c, commitDecision, normalizeParties } from '@quorate/runtime';
import type {
  CommitDecision,
  Inbox,
  PartyId,
  ProtocolDefinition,
  RoundResult,
} from '@quorate/runtime';
import { commitmentEval, lagrange, mod, polyEval, randomScalar } from './core.ts';
import { decodeCommitments } from './dkg.ts';
import { FrostEncodingError } from './errors.ts';
import { validateKeyShare, verifyingSharesFrom } from './keyshare.ts';
import type { KeyShare } from './keyshare.ts';
import { getSuite } from './suite.ts';
import type { Point, SuiteId } from './suite.ts';

/** The public data of the key being reshared (what a new party trusts the hub to tell it). */
export interface FrostOldKeyPublic {
  readonly publicKey: Point;
  readonly threshold: number;
  readonly parties: readonly PartyId[];
  readonly verifyingShares: ReadonlyMap<PartyId, Point>;
  readonly chainCode: Uint8Array;
  readonly epoch: number;
}

export interface FrostReshareConfig {
  readonly oldKey: FrostOldKeyPublic;
  /** This party's old share; required exactly when this party is a dealer. */
  readonly oldShare?: KeyShare;
  readonly dealers: readonly PartyId[];
  readonly newParties: readonly PartyId[];
  readonly newThreshold: number;
}

export interface FrostReshareOutput {
  /** The new share (PENDING until the commit rule holds), or null outside the new committee. */
  readonly share: KeyShare | null;
  readonly confirmation: Uint8Array;
  readonly newParties: readonly PartyId[];
  readonly newThreshold: number;
}

export function frostOldKeyPublic(share: KeyShare): FrostOldKeyPublic {
  return {
    publicKey: share.publicKey,
    threshold: share.threshold,
    parties: share.parties,
    verifyingShares: share.verifyingShares,
    chainCode: share.chainCode,
    epoch: share.epoch,
  };
}

const round1 = c.object({ C: c.array(c.bytes({ max: 33 }), { max: 1024 }) });
const round2 = c.object({ sigma: c.nullable(c.bytes({ len: 32 })) });
const round3 = c.object({ digest: c.bytes({ len: 32 }) });
type R1 = c.Infer<typeof round1>;
type R2 = c.Infer<typeof round2>;
type R3 = c.Infer<typeof round3>;

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

const cache = new Map<SuiteId, ProtocolDefinition<FrostReshareOutput, FrostReshareConfig>>();

export function frostReshare(
  suiteId: SuiteId,
): ProtocolDefinition<FrostReshareOutput, FrostReshareConfig> {
  const hit = cache.get(suiteId);
  if (hit) return hit;
  const suite = getSuite(suiteId);
  const def: ProtocolDefinition<FrostReshareOutput, FrostReshareConfig> = {
    id: `frost-${suiteId}/reshare`,
    version: 1,
    rounds: [
      { name: 'deal-commit', kind: 'broadcast', payload: round1, reliable: true },
      { name: 'deal-share', kind: 'p2p', payload: round2 },
      { name: 'confirm', kind: 'broadcast', payload: round3 },
    ],
    maxMessageBytes: 1 << 20,
    create(ctx, config) {
      const old = config.oldKey;
      // Not normalizeParties: a 1-of-n key has a single dealer.
      const dealers = [...new Set(config.dealers)].sort((a, b) => a - b);
      const fresh = normalizeParties(config.newParties);
      const tNew = config.newThreshold;
      if (dealers.some((d) => !old.parties.includes(d)))
        throw new RangeError('dealers: every dealer must hold a share of the old key');
      if (dealers.length < old.threshold)
        throw new RangeError(`dealers: at least t_old = ${old.threshold} are needed`);
      if (!Number.isInteger(tNew) || tNew < 1 || tNew > fresh.length)
        throw new RangeError(`newThreshold: must be in 1..${fresh.length}`);
      const union = normalizeParties([...new Set([...dealers, ...fresh])]);
      if (union.length !== ctx.parties.length || union.some((p, n) => p !== ctx.parties[n]))
        throw new RangeError('the session must run among exactly the dealers and the new parties');
      const own = config.oldShare;
      const isDealer = dealers.includes(ctx.self);
      const isNew = fresh.includes(ctx.self);
      if (isDealer !== (own !== undefined))
        throw new RangeError('oldShare: required for a dealer, and only for a dealer');
      if (
        own &&
        (own.suite !== suiteId || own.self !== ctx.self || !own.publicKey.equals(old.publicKey))
      )
        throw new RangeError('oldShare: not this party’s share of this key');
      const expected0 = new Map<PartyId, Point>();
      for (const d of dealers) {
        const Y = old.verifyingShares.get(d);
        if (!Y) throw new RangeError(`oldKey: no verifying share for dealer ${d}`);
        expected0.set(d, suite.mulPublic(Y, lagrange(suite, d, dealers)));
      }
      const sum0 = [...expected0.values()].reduce((a, b) => a.add(b), suite.zero);
      if (!sum0.equals(old.publicKey))
        throw new RangeError('oldKey: the dealers’ verifying shares do not interpolate to the key');

      const coeffs = own
        ? [
            mod(lagrange(suite, ctx.self, dealers) * own.secretShare, suite.order),
            ...Array.from({ length: tNew - 1 }, () => randomScalar(suite, ctx.rng)),
          ]
        : [];
      const myC = coeffs.map((a) => suite.mulBase(a));
      const commitments = new Map<PartyId, Point[]>();
      let digest: Uint8Array | undefined;
      let pending: KeyShare | null = null;

      const fault = (f: () => string | undefined): string | undefined => {
        try {
          return f();
        } catch (e) {
          if (e instanceof FrostEncodingError) return e.message;
          throw e;
        }
      };

      return {
        start: () => [{ to: 'all', payload: { C: suite.encodePoints(myC) } }],
        verify(round, from, payload) {
          return fault(() => {
            if (round === 1) {
              const { C } = payload as R1;
              if (!dealers.includes(from))
                return C.length === 0 ? undefined : 'a non-dealer sent reshare commitments';
              if (C.length !== tNew)
                return `sent ${C.length} reshare commitments, expected t_new = ${tNew}`;
              const pts = decodeCommitments(suite, C, tNew, 'payload.C');
              if (!(pts[0] as Point).equals(expected0.get(from) as Point))
                return 'reshare constant commitment C_0 is not λ_i·Y_i (it would move the group key)';
              return undefined;
            }
            if (round === 2) {
              const { sigma } = payload as R2;
              if (!(dealers.includes(from) && isNew))
                return sigma === null ? undefined : 'sent a reshare sub-share it should not have';
              if (sigma === null) return 'withheld its reshare sub-share';
              const s = suite.decodeScalar(sigma, 'payload.sigma');
              const F = commitmentEval(suite, commitments.get(from) as Point[], BigInt(ctx.self));
              if (!suite.mulBase(s).equals(F))
                return 'reshare sub-share does not match the dealer’s commitments';
              return undefined;
            }
            const { digest: theirs } = payload as R3;
            return digest && equal(theirs, digest)
              ? undefined
              : 'confirmed different new verifying shares';
          });
        },
        finish(round, inbox: Inbox): RoundResult<FrostReshareOutput> {
          if (round === 1) {
            if (isDealer) commitments.set(ctx.self, myC);
            for (const [j, m] of inbox)
              if (dealers.includes(j))
                commitments.set(j, decodeCommitments(suite, (m as R1).C, tNew, 'payload.C'));
            const sum = dealers
              .map((d) => (commitments.get(d) as Point[])[0] as Point)
              .reduce((a, b) => a.add(b), suite.zero);
            if (!sum.equals(old.publicKey))
              throw new Error('reshare: constant terms do not sum to the group key');
            return {
              next: ctx.parties
                .filter((j) => j !== ctx.self)
                .map((j) => ({
                  to: j,
                  payload: {
                    sigma:
                      isDealer && fresh.includes(j)
                        ? suite.encodeScalar(polyEval(coeffs, BigInt(j), suite.order))
                        : null,
                  },
                })),
            };
          }
          if (round === 2) {
            const vs = verifyingSharesFrom(
              suite,
              fresh,
              dealers.map((d) => commitments.get(d) as Point[]),
            );
            const enc = new TextEncoder();
            const parts = [
              enc.encode(`quorate/${def.id}/v1|t=${tNew}|parties=${fresh.join(',')}|`),
              ctx.sessionId,
              suite.encodePoint(old.publicKey),
              ...fresh.map((m) => suite.encodePoint(vs.get(m) as Point)),
            ];
            digest = sha256(Uint8Array.from(parts.flatMap((p) => [...p])));
            if (isNew) {
              let s = isDealer ? polyEval(coeffs, BigInt(ctx.self), suite.order) : 0n;
              for (const [j, m] of inbox)
                if (dealers.includes(j))
                  s = mod(
                    s + suite.decodeScalar((m as R2).sigma as Uint8Array, 'payload.sigma'),
                    suite.order,
                  );
              pending = validateKeyShare({
                version: 1,
                suite: suiteId,
                threshold: tNew,
                parties: fresh,
                self: ctx.self,
                secretShare: s,
                publicKey: old.publicKey,
                verifyingShares: vs,
                chainCode: Uint8Array.from(old.chainCode),
                epoch: old.epoch + 1,
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
  cache.set(suiteId, def);
  return def;
}

export type FrostCommitDecision = CommitDecision;

/**
 * The commit rule (see `commitDecision` in @quorate/runtime) applied to a FROST reshare: `commit`
 * also means the old share's unused nonces may be erased.
 */
export function frostReshareCommitDecision(
  output: Pick<FrostReshareOutput, 'confirmation' | 'newParties'>,
  acks: ReadonlyMap<PartyId, Uint8Array>,
): FrostCommitDecision {
  return commitDecision(output, acks);
}
