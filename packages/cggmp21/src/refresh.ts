/**
 * Proactive key refresh for t-of-n keys: CGGMP21 Fig. 6 ("Auxiliary Info. & Key Refresh"), with
 * the additive zero-sharing of the paper replaced by a Feldman zero-sharing so that t-of-n keys
 * refresh too (cggmp21 refreshes n-of-n keys only).
 *
 * It runs the aux-info protocol (aux-info.ts) with fresh primes and, alongside it:
 *  Round 1 (broadcast, reliable): V'_i = H(sid, i, S_i, u'_i), the commitment to the Feldman
 *          commitments S_i = (a_{i,k}·G)_{k=1..t−1} of a random polynomial f_i with f_i(0) = 0.
 *          The constant term is not sent at all: it is zero by construction, so Σ_i f_i(0) = 0
 *          and the key cannot move.
 *  Round 2 (broadcast): the opening (S_i, u'_i), checked against V'_i.
 *  Round 3 (p2p): σ_{i,j} = f_i(j), checked as σ_{i,j}·G = Σ_k j^k·S_{i,k}.
 *  Output: x'_i = x_i + Σ_j σ_{j,i}, X'_j = X_j + Σ_i F_i(j); the new share is validated (its
 *          public shares must still interpolate to the same public key) before it is returned.
 *
 * The old share stays valid until the caller has every party's confirmation of the new one
 * (the co-signer and the hub make the switch atomic); mixing old and new shares cannot sign.
 */
import { codec } from '@quorate/runtime';
import type {
  Inbox,
  Outgoing,
  PartyContext,
  PartyId,
  ProtocolDefinition,
  RoundResult,
} from '@quorate/runtime';
import { modQ, mulG, Point, pointSchema, randomScalar, scalarBelowQ, sumPoints } from './curve.ts';
import type { Point as PointT } from './curve.ts';
import { auxInfo, round1 as aux1, round2 as aux2, round3 as aux3 } from './aux-info.ts';
import type { AuxInfoConfig } from './aux-info.ts';
import { equalBytes, hashCommit } from './hash-commit.ts';
import { validateKeyShare } from './key-share.ts';
import type { AuxInfo, KeyShare } from './key-share.ts';
import { evalPolynomial } from './vss.ts';

export interface RefreshConfig extends AuxInfoConfig {
  /** The current share (with or without aux-info); its committee must be the session's parties. */
  readonly share: KeyShare;
}

const round1 = codec.object({ aux: aux1, V: codec.bytes({ len: 32 }) });
const round2 = codec.object({
  aux: aux2,
  S: codec.array(pointSchema, { max: 1023 }),
  u: codec.bytes({ len: 32 }),
});
const round3 = codec.object({ aux: aux3, sigma: scalarBelowQ });
type R1 = codec.Infer<typeof round1>;
type R2 = codec.Infer<typeof round2>;
type R3 = codec.Infer<typeof round3>;

/** F(j) for a polynomial with zero constant term: Σ_{k≥1} j^k·S_k. */
function evalZeroCommitment(S: readonly PointT[], j: number): PointT {
  let acc = Point.ZERO;
  for (let k = S.length - 1; k >= 0; k--)
    acc = (acc.is0() ? acc : acc.multiply(BigInt(j))).add(S[k] as PointT);
  return acc.is0() ? acc : acc.multiply(BigInt(j));
}

const commitItems = (S: readonly PointT[], u: Uint8Array) => [
  { label: 'S', bytes: Uint8Array.from(S.flatMap((P) => [...P.toBytes(true)])) },
  { label: 'u', bytes: u },
];

export const refresh: ProtocolDefinition<KeyShare, RefreshConfig> = {
  id: 'cggmp21/refresh',
  version: 1,
  rounds: [
    { name: 'commit', kind: 'broadcast', payload: round1, reliable: true },
    { name: 'open', kind: 'broadcast', payload: round2 },
    { name: 'prove-and-share', kind: 'p2p', payload: round3 },
  ],
  maxMessageBytes: 4 << 20,
  create(ctx: PartyContext, config: RefreshConfig) {
    const core = config.share.core;
    if (
      core.i !== ctx.self ||
      core.parties.length !== ctx.parties.length ||
      core.parties.some((p, n) => p !== ctx.parties[n])
    ) {
      throw new RangeError('share: the refresh session must run among exactly the key holders');
    }
    const t = core.t;
    const sid = ctx.sessionId;
    const aux = auxInfo.create(ctx, config);
    // f_i(x) = Σ_{k=1..t−1} a_k·x^k: coefficient 0 is zero.
    const coeffs = [0n, ...Array.from({ length: t - 1 }, () => randomScalar(ctx.rng))];
    const S = coeffs.slice(1).map((a) => mulG(a));
    const u = ctx.rng.bytes(32);
    const V = new Map<PartyId, Uint8Array>();
    const openings = new Map<PartyId, R2>();
    const wrap = (
      auxOut: readonly Outgoing[],
      extra: (to: PartyId | 'all') => object,
    ): Outgoing[] => auxOut.map((o) => ({ to: o.to, payload: { aux: o.payload, ...extra(o.to) } }));
    const auxInbox = (inbox: Inbox) =>
      new Map([...inbox].map(([j, m]) => [j, (m as { aux: unknown }).aux]));

    return {
      start: () =>
        wrap(aux.start(), () => ({ V: hashCommit('refresh', sid, ctx.self, commitItems(S, u)) })),
      verify(round, from, payload) {
        const m = payload as { aux: unknown };
        const auxFault = aux.verify?.(round, from, m.aux);
        if (auxFault) return auxFault;
        if (round === 2) {
          const o = payload as R2;
          if (o.S.length !== t - 1)
            return `sent ${o.S.length} refresh commitments, expected t − 1 = ${t - 1}`;
          const Vj = V.get(from);
          if (!Vj || !equalBytes(Vj, hashCommit('refresh', sid, from, commitItems(o.S, o.u))))
            return 'refresh opening does not match its round-1 commitment';
        }
        if (round === 3) {
          const o = openings.get(from) as R2;
          if (!mulG((payload as R3).sigma).equals(evalZeroCommitment(o.S, ctx.self)))
            return 'refresh share σ does not match the zero-sharing commitments';
        }
        return undefined;
      },
      finish(round, inbox: Inbox): RoundResult<KeyShare> {
        const res = aux.finish(round, auxInbox(inbox));
        if ('abort' in res) return res;
        if (round === 1) {
          for (const [j, m] of inbox) V.set(j, (m as R1).V);
          if (!('next' in res)) throw new Error('aux-info ended early');
          return { next: wrap(res.next, () => ({ S, u })) };
        }
        if (round === 2) {
          for (const [j, m] of inbox) openings.set(j, m as R2);
          if (!('next' in res)) throw new Error('aux-info ended early');
          return {
            next: wrap(res.next, (to) => ({ sigma: evalPolynomial(coeffs, BigInt(to as number)) })),
          };
        }
        if (!('output' in res)) throw new Error('aux-info did not finish');
        const all = [S, ...[...openings.values()].map((o) => o.S)];
        const x = modQ(
          core.x +
            evalPolynomial(coeffs, BigInt(ctx.self)) +
            [...inbox.values()].reduce<bigint>((acc, m) => acc + (m as R3).sigma, 0n),
        );
        const publicShares = core.parties.map((j, n) =>
          (core.publicShares[n] as PointT).add(
            sumPoints(all.map((Sj) => evalZeroCommitment(Sj, j))),
          ),
        );
        return {
          output: validateKeyShare({
            core: { ...core, x, publicShares },
            aux: res.output as AuxInfo,
          }),
        };
      },
    };
  },
};
