/**
 * Threshold key generation, t-of-n (and n-of-n with t = n): CGGMP21 Fig. 5 ("Key Generation"),
 * with the Feldman-VSS threshold extension and chain-code contribution of the cggmp21 spec
 * ("Threshold Key Generation"). Party ids are the evaluation points: x_i = Σ_j f_j(i).
 *
 *  Round 1 (broadcast, reliable/echo): V_i = H(sid, i, rid_i, S_i, A_i, u_i, c_i), where
 *          S_i = (s_{i,k}·G)_k are the Feldman commitments, A_i the Π^sch commitment, c_i the
 *          chain-code contribution.
 *  Round 2 (p2p): the opening (rid_i, S_i, A_i, u_i, c_i), identical for everyone and bound by
 *          the reliably broadcast V_i, plus the private share σ_{i,j} = f_i(j).
 *          Each receiver checks the opening against V_j and σ_{j,i}·G = F_j(i).
 *  Round 3 (broadcast): ψ_i = Π^sch(X_i; x_i) on the transcript (sid, i, rid, X_i, A_i).
 *  Output: Y = Σ_j S_{j,0}, X_j = F(j), x_i, chain code c = ⊕ c_j.
 *
 * Every failure names the party: a bad opening, an inconsistent share, a bad proof.
 */
import { codec } from '@quorate/runtime';
import type {
  Inbox,
  PartyContext,
  PartyId,
  ProtocolDefinition,
  RoundResult,
} from '@quorate/runtime';
import { modQ, mulG, pointSchema, scalarBelowQ, sumPoints } from './curve.ts';
import type { Point } from './curve.ts';
import { equalBytes, hashCommit, xorBytes } from './hash-commit.ts';
import type { CoreKeyShare } from './key-share.ts';
import { validateCoreKeyShare } from './key-share.ts';
import { DEFAULT_LEVEL } from '@quorate/paillier';
import { sch } from '@quorate/zk';
import { commitPolynomial, evalCommitment, evalPolynomial, randomPolynomial } from './vss.ts';

export interface KeygenConfig {
  /** Any t parties can sign; 2 ≤ t ≤ n. */
  readonly t: number;
}

const round1 = codec.object({ V: codec.bytes({ len: 32 }) });
const round2 = codec.object({
  rid: codec.bytes({ len: 32 }),
  S: codec.array(pointSchema, { min: 1, max: 1024 }),
  A: pointSchema,
  u: codec.bytes({ len: 32 }),
  c: codec.bytes({ len: 32 }),
  sigma: scalarBelowQ,
});
const round3 = codec.object({ psi: sch.proofSchema });
type Round1 = codec.Infer<typeof round1>;
type Round2 = codec.Infer<typeof round2>;
type Round3 = codec.Infer<typeof round3>;

function openingItems(m: Omit<Round2, 'sigma'>) {
  return [
    { label: 'rid', bytes: m.rid },
    { label: 'S', bytes: Uint8Array.from(m.S.flatMap((P) => [...P.toBytes(true)])) },
    { label: 'A', bytes: m.A.toBytes(true) },
    { label: 'u', bytes: m.u },
    { label: 'c', bytes: m.c },
  ];
}

export const keygen: ProtocolDefinition<CoreKeyShare, KeygenConfig> = {
  id: 'cggmp21/keygen',
  version: 1,
  rounds: [
    { name: 'commit', kind: 'broadcast', payload: round1, reliable: true },
    { name: 'open-and-share', kind: 'p2p', payload: round2 },
    { name: 'prove', kind: 'broadcast', payload: round3 },
  ],
  maxMessageBytes: 256 * 1024,
  create(ctx: PartyContext, config: KeygenConfig) {
    const n = ctx.parties.length;
    const t = config.t;
    if (!Number.isInteger(t) || t < 2 || t > n) throw new RangeError(`t: must be in 2..${n}`);
    const sid = ctx.sessionId;
    const f = randomPolynomial(ctx.rng, t);
    const S = commitPolynomial(f);
    const rid = ctx.rng.bytes(32);
    const u = ctx.rng.bytes(32);
    const c = ctx.rng.bytes(32);
    const schnorr = sch.commit(ctx.rng);
    const mine: Omit<Round2, 'sigma'> = { rid, S, A: schnorr.commitment.A, u, c };
    const V = new Map<PartyId, Uint8Array>();
    const openings = new Map<PartyId, Round2>();
    let state:
      | { rid: Uint8Array; x: bigint; X: Map<PartyId, Point>; Y: Point; chainCode: Uint8Array }
      | undefined;

    // Π^sch is bound to sid, the prover and rid (Fig. 5, round 3); the level only names the transcript.
    const proofCtx = (prover: PartyId, ridAll: Uint8Array) => ({
      sessionId: sid,
      prover,
      level: DEFAULT_LEVEL,
      extra: ridAll,
    });

    return {
      start: () => [
        {
          to: 'all',
          payload: { V: hashCommit('keygen', sid, ctx.self, openingItems(mine)) } satisfies Round1,
        },
      ],
      verify(round, from, payload) {
        if (round === 2) {
          const m = payload as Round2;
          if (m.S.length !== t) return `sent ${m.S.length} Feldman commitments, expected t = ${t}`;
          const Vj = V.get(from);
          if (!Vj || !equalBytes(Vj, hashCommit('keygen', sid, from, openingItems(m))))
            return 'opening does not match its round-1 commitment V';
          if (!mulG(m.sigma).equals(evalCommitment(m.S, BigInt(ctx.self))))
            return 'share σ does not match the Feldman commitments';
        }
        if (round === 3 && state) {
          const m = payload as Round3;
          const o = openings.get(from) as Round2;
          if (!m.psi.A.equals(o.A))
            return 'Π^sch commitment differs from the one committed in round 1';
          const res = sch.verify(
            proofCtx(from, state.rid),
            { X: state.X.get(from) as Point },
            m.psi,
          );
          if (!res.ok) return `Π^sch proof of the key share fails (${res.check})`;
        }
        return undefined;
      },
      finish(round, inbox: Inbox): RoundResult<CoreKeyShare> {
        if (round === 1) {
          for (const [p, m] of inbox) V.set(p, (m as Round1).V);
          return {
            next: ctx.parties
              .filter((p) => p !== ctx.self)
              .map((to) => ({
                to,
                payload: { ...mine, sigma: evalPolynomial(f, BigInt(to)) } satisfies Round2,
              })),
          };
        }
        if (round === 2) {
          for (const [p, m] of inbox) openings.set(p, m as Round2);
          const all = [...openings.values()];
          const ridAll = xorBytes([rid, ...all.map((o) => o.rid)], 32);
          const chainCode = xorBytes([c, ...all.map((o) => o.c)], 32);
          const x = modQ(
            evalPolynomial(f, BigInt(ctx.self)) + all.reduce((acc, o) => acc + o.sigma, 0n),
          );
          // F = Σ_j F_j, coefficient-wise.
          const commitments = [S, ...all.map((o) => o.S)];
          const Fsum = Array.from({ length: t }, (_, k) =>
            sumPoints(commitments.map((Sj) => Sj[k] as Point)),
          );
          const X = new Map(ctx.parties.map((j) => [j, evalCommitment(Fsum, BigInt(j))]));
          state = { rid: ridAll, x, X, Y: Fsum[0] as Point, chainCode };
          const psi = sch.proveWithCommitment(
            proofCtx(ctx.self, ridAll),
            { X: X.get(ctx.self) as Point },
            { x },
            schnorr.commitment,
            schnorr.secret,
          );
          return { next: [{ to: 'all', payload: { psi } satisfies Round3 }] };
        }
        const st = state as NonNullable<typeof state>;
        const share = validateCoreKeyShare({
          version: 1,
          curve: 'secp256k1',
          i: ctx.self,
          t,
          parties: ctx.parties,
          x: st.x,
          publicKey: st.Y,
          publicShares: ctx.parties.map((j) => st.X.get(j) as Point),
          chainCode: st.chainCode,
        });
        return { output: share };
      },
    };
  },
};
