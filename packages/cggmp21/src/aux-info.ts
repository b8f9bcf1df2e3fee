/**
 * Auxiliary information: CGGMP21 Fig. 6 ("Auxiliary Info. & Key Refresh"), the aux-info part,
 * without the share refresh (see refresh.ts for both together). Reusable across keys.
 *
 * Each party P_i brings two safe primes (from the pool), sets N_i = p_i·q_i and ring-Pedersen
 * parameters (N_i, s_i, t_i) with t_i = r², s_i = t_i^λ on the same modulus, as in the paper.
 *
 *  Round 1 (broadcast, reliable): V_i = H(sid, i, N_i, s_i, t_i, ψ̂_i, ρ_i, u_i),
 *          ψ̂_i = Π^prm(N_i, s_i, t_i; λ).
 *  Round 2 (broadcast): the opening. Receivers check it against V_j, check N_j (odd, exact bit
 *          length, not a prime power), the ring-Pedersen parameters (s, t ∉ {0,1}, s ≠ t, units),
 *          and verify ψ̂_j.
 *  Round 3 (p2p): ψ_i = Π^mod(N_i) and ψ_{i,j} = Π^fac(N_i) w.r.t. P_j's parameters, both bound to
 *          ρ = ⊕ρ_j. Receivers verify both — BitForge (CVE-2023-33241) is exactly the absence of
 *          these two checks.
 */
import {
  PaillierPublicKey,
  PaillierSecretKey,
  generateRingPedersen,
  levelByName,
  validateRingPedersen,
  PaillierParamError,
} from '@quorate/paillier';
import type { RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec } from '@quorate/runtime';
import type {
  Inbox,
  PartyContext,
  PartyId,
  ProtocolDefinition,
  RoundResult,
} from '@quorate/runtime';
import { fac, mod, prm } from '@quorate/zk';
import { equalBytes, hashCommit, xorBytes } from './hash-commit.ts';
import type { AuxInfo, PartyAux } from './key-share.ts';

export interface AuxInfoConfig {
  readonly level: SecurityLevel;
  /** Two distinct safe primes of level.paillierBits/2 bits each (e.g. from a SafePrimePool). */
  readonly primes: readonly [bigint, bigint];
}

const nat = (bits: number) => codec.bigint({ maxBits: bits });
export const round1 = codec.object({ V: codec.bytes({ len: 32 }) });
export const round2 = codec.object({
  N: nat(4096),
  s: nat(4096),
  t: nat(4096),
  psiPrm: prm.proofSchema,
  rho: codec.bytes({ len: 32 }),
  u: codec.bytes({ len: 32 }),
});
export const round3 = codec.object({ psiMod: mod.proofSchema, psiFac: fac.proofSchema });
type Round1 = codec.Infer<typeof round1>;
type Round2 = codec.Infer<typeof round2>;
type Round3 = codec.Infer<typeof round3>;

function openingItems(m: Round2) {
  return [
    { label: 'N', int: m.N },
    { label: 's', int: m.s },
    { label: 't', int: m.t },
    { label: 'psiPrm.A', ints: m.psiPrm.A },
    { label: 'psiPrm.z', ints: m.psiPrm.z },
    { label: 'rho', bytes: m.rho },
    { label: 'u', bytes: m.u },
  ];
}

/** Checks a party's public parameters; returns a reason to blame it, or undefined. */
export function checkPublicAux(
  m: { N: bigint; s: bigint; t: bigint },
  level: SecurityLevel,
): string | undefined {
  try {
    PaillierPublicKey.fromN(m.N, level);
    validateRingPedersen({ N: m.N, s: m.s, t: m.t }, level);
  } catch (e) {
    if (e instanceof PaillierParamError)
      return `bad Paillier/ring-Pedersen parameters: ${e.message}`;
    throw e;
  }
  return undefined;
}

export const auxInfo: ProtocolDefinition<AuxInfo, AuxInfoConfig> = {
  id: 'cggmp21/aux-info',
  version: 1,
  rounds: [
    { name: 'commit', kind: 'broadcast', payload: round1, reliable: true },
    { name: 'open', kind: 'broadcast', payload: round2 },
    { name: 'prove-modulus', kind: 'p2p', payload: round3 },
  ],
  maxMessageBytes: 4 << 20,
  create(ctx: PartyContext, config: AuxInfoConfig) {
    const level = config.level;
    const sid = ctx.sessionId;
    const [p, q] = config.primes;
    const sk = PaillierSecretKey.fromPrimes(p, q, level);
    const rp = generateRingPedersen(p, q, ctx.rng);
    const proofCtx = (prover: PartyId, extra?: Uint8Array) => ({
      sessionId: sid,
      prover,
      level,
      ...(extra ? { extra } : {}),
    });
    const psiPrm = prm.prove(
      proofCtx(ctx.self),
      rp.params,
      { lambda: rp.secret.lambda, phi: rp.secret.phi },
      ctx.rng,
    );
    const mine: Round2 = {
      N: sk.publicKey.N,
      s: rp.params.s,
      t: rp.params.t,
      psiPrm,
      rho: ctx.rng.bytes(32),
      u: ctx.rng.bytes(32),
    };
    const V = new Map<PartyId, Uint8Array>();
    const opened = new Map<PartyId, Round2>([[ctx.self, mine]]);
    let rho: Uint8Array | undefined;
    const R = (j: PartyId): RingPedersenParams => {
      const o = opened.get(j) as Round2;
      return { N: o.N, s: o.s, t: o.t };
    };

    return {
      start: () => [
        {
          to: 'all',
          payload: {
            V: hashCommit('aux-info', sid, ctx.self, openingItems(mine)),
          } satisfies Round1,
        },
      ],
      verify(round, from, payload) {
        if (round === 2) {
          const m = payload as Round2;
          const Vj = V.get(from);
          if (!Vj || !equalBytes(Vj, hashCommit('aux-info', sid, from, openingItems(m))))
            return 'opening does not match its round-1 commitment V';
          const bad = checkPublicAux(m, level);
          if (bad) return bad;
          const r = prm.verify(proofCtx(from), { N: m.N, s: m.s, t: m.t }, m.psiPrm);
          if (!r.ok) return `Π^prm proof fails (${r.check})`;
        }
        if (round === 3 && rho) {
          const m = payload as Round3;
          const Nj = (opened.get(from) as Round2).N;
          const rm = mod.verify(proofCtx(from, rho), { N: Nj }, m.psiMod);
          if (!rm.ok) return `Π^mod proof fails (${rm.check})`;
          const rf = fac.verify(proofCtx(from, rho), { N0: Nj, aux: R(ctx.self) }, m.psiFac);
          if (!rf.ok) return `Π^fac proof fails (${rf.check})`;
        }
        return undefined;
      },
      finish(round, inbox: Inbox): RoundResult<AuxInfo> {
        if (round === 1) {
          for (const [j, m] of inbox) V.set(j, (m as Round1).V);
          return { next: [{ to: 'all', payload: mine }] };
        }
        if (round === 2) {
          for (const [j, m] of inbox) opened.set(j, m as Round2);
          rho = xorBytes(
            [...opened.values()].map((o) => o.rho),
            32,
          );
          const psiMod = mod.prove(proofCtx(ctx.self, rho), { N: mine.N }, { p, q }, ctx.rng);
          return {
            next: ctx.parties
              .filter((j) => j !== ctx.self)
              .map((j) => ({
                to: j,
                payload: {
                  psiMod,
                  psiFac: fac.prove(
                    proofCtx(ctx.self, rho),
                    { N0: mine.N, aux: R(j) },
                    { p, q },
                    ctx.rng,
                  ),
                } satisfies Round3,
              })),
          };
        }
        const pub: PartyAux[] = ctx.parties.map((j) => R(j));
        return {
          output: Object.freeze({
            version: 1,
            i: ctx.self,
            parties: ctx.parties,
            level: level.name,
            p,
            q,
            public: pub,
          }) as AuxInfo,
        };
      },
    };
  },
};

export { levelByName };
