/**
 * Proactive refresh (Herzberg et al. 1995, as used for FROST): same group key, new shares.
 * Every party deals a sharing of zero and adds what it receives to its share.
 *
 *  Round 1 (broadcast, reliable): P_i samples g_i(x) = Σ_{k=1}^{t−1} b_ik x^k (g_i(0) = 0) and
 *          sends the commitments (b_i1·G, …, b_i(t−1)·G). The constant term is fixed at zero by
 *          construction, not committed, so no party can move the group key.
 *  Round 2 (p2p): g_i(j) to P_j, who checks g_i(j)·G = Σ_k j^k·B_ik (first as a sum, then per
 *          sender to name a culprit).
 *  Output: s_j' = s_j + Σ_i g_i(j); Y_j' = Y_j + Σ_i g_i(j)·G for all j; Y unchanged (checked).
 * All parties of the key take part; old shares cannot be combined with new ones.
 */
import { codec as c } from '@quorate/runtime';
import type { Inbox, PartyId, ProtocolDefinition, RoundResult } from '@quorate/runtime';
import { commitmentEval, mod, polyEval, randomScalar } from './core.ts';
import { decodeCommitments } from './dkg.ts';
import { FrostEncodingError } from './errors.ts';
import { validateKeyShare, verifyingSharesFrom } from './keyshare.ts';
import type { KeyShare } from './keyshare.ts';
import { getSuite } from './suite.ts';
import type { Point, SuiteId } from './suite.ts';

const round1 = c.object({ B: c.array(c.bytes({ max: 33 }), { max: 1024 }) });
const round2 = c.object({ delta: c.bytes({ len: 32 }) });
type Round1 = c.Infer<typeof round1>;
type Round2 = c.Infer<typeof round2>;

export interface RefreshConfig {
  readonly share: KeyShare;
}

const cache = new Map<SuiteId, ProtocolDefinition<KeyShare, RefreshConfig>>();

export function frostRefresh(suiteId: SuiteId): ProtocolDefinition<KeyShare, RefreshConfig> {
  const hit = cache.get(suiteId);
  if (hit) return hit;
  const suite = getSuite(suiteId);
  const def: ProtocolDefinition<KeyShare, RefreshConfig> = {
    id: `frost-${suiteId}/refresh`,
    version: 1,
    rounds: [
      { name: 'commit', kind: 'broadcast', payload: round1, reliable: true },
      { name: 'share', kind: 'p2p', payload: round2 },
    ],
    maxMessageBytes: 1 << 20,
    create(ctx, { share }) {
      if (share.suite !== suiteId) throw new RangeError(`share: not a ${suiteId} key share`);
      if (share.self !== ctx.self) throw new RangeError('share: belongs to another party');
      if (
        share.parties.length !== ctx.parties.length ||
        share.parties.some((p, i) => p !== ctx.parties[i])
      )
        throw new RangeError('parties: a refresh needs exactly the parties of the key');
      const t = share.threshold;
      const coeffs = [0n, ...Array.from({ length: t - 1 }, () => randomScalar(suite, ctx.rng))];
      const B = coeffs.slice(1).map((b) => suite.mulBase(b));
      const commitments = new Map<PartyId, Point[]>([[ctx.self, [suite.zero, ...B]]]);
      const decode = (m: Round1) => [
        suite.zero,
        ...decodeCommitments(suite, m.B, t - 1, 'payload.B'),
      ];
      return {
        start: () => [{ to: 'all', payload: { B: suite.encodePoints(B) } satisfies Round1 }],
        verify(round, _from, payload) {
          try {
            if (round === 1) decode(payload as Round1);
            else suite.decodeScalar((payload as Round2).delta, 'payload.delta');
          } catch (e) {
            if (e instanceof FrostEncodingError) return e.message;
            throw e;
          }
          return undefined;
        },
        finish(round, inbox: Inbox): RoundResult<KeyShare> {
          if (round === 1) {
            for (const [p, m] of inbox) commitments.set(p, decode(m as Round1));
            return {
              next: ctx.parties
                .filter((p) => p !== ctx.self)
                .map((to) => ({
                  to,
                  payload: {
                    delta: suite.encodeScalar(polyEval(coeffs, BigInt(to), suite.order)),
                  } satisfies Round2,
                })),
            };
          }
          const x = BigInt(ctx.self);
          let delta = polyEval(coeffs, x, suite.order);
          const received = new Map<PartyId, bigint>();
          for (const [p, m] of inbox) {
            const d = suite.decodeScalar((m as Round2).delta, 'payload.delta');
            received.set(p, d);
            delta = mod(delta + d, suite.order);
          }
          const all = ctx.parties.map((p) => commitments.get(p) as Point[]);
          const deltas = verifyingSharesFrom(suite, ctx.parties, all);
          if (!suite.mulBase(delta).equals(deltas.get(ctx.self) as Point)) {
            const faults = [];
            for (const [p, d] of received)
              if (!suite.mulBase(d).equals(commitmentEval(suite, commitments.get(p) as Point[], x)))
                faults.push({
                  party: p,
                  reason: 'refresh share does not match the sender’s commitments',
                });
            if (faults.length === 0) throw new Error('refresh sum failed but no single share did');
            return { abort: faults };
          }
          const vs = new Map<PartyId, Point>();
          for (const p of ctx.parties)
            vs.set(p, (share.verifyingShares.get(p) as Point).add(deltas.get(p) as Point));
          return {
            output: validateKeyShare(
              {
                ...share,
                secretShare: mod(share.secretShare + delta, suite.order),
                verifyingShares: vs,
                epoch: share.epoch + 1,
              },
              false,
            ),
          };
        },
      };
    },
  };
  cache.set(suiteId, def);
  return def;
}
