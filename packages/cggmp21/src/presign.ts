/**
 * Presigning: CGGMP21 Fig. 7 ("Pre-Signing", three rounds), for a signer set of exactly t parties.
 * The t-of-n shares are first turned into additive shares of the signer set with Lagrange
 * coefficients, w_i = λ_i·x_i and W_j = λ_j·X_j (cggmp21 spec, "Threshold Presigning").
 *
 *  Round 1 (broadcast, reliable): K_i = enc_i(k_i; ρ_i), G_i = enc_i(γ_i; ν_i), and for every
 *          other signer j a proof ψ⁰_{j,i} = Π^enc(K_i) under P_j's ring-Pedersen parameters.
 *  Round 2 (p2p to j): Γ_i = γ_i·G, the MtA ciphertexts
 *          D_{j,i} = γ_i ⊙ K_j ⊕ enc_j(−β_{i,j}),  F_{j,i} = enc_i(−β_{i,j}),
 *          D̂_{j,i} = w_i ⊙ K_j ⊕ enc_j(−β̂_{i,j}), F̂_{j,i} = enc_i(−β̂_{i,j}),
 *          with ψ_{j,i}, ψ̂_{j,i} = Π^aff-g and ψ'_{j,i} = Π^log*(G_i, Γ_i).
 *  Round 3 (broadcast, reliable): Γ = ΣΓ_j, Δ_i = k_i·Γ, δ_i = γ_i·k_i + Σ_j(α_{i,j} + β_{i,j}),
 *          χ_i = w_i·k_i + Σ_j(α̂_{i,j} + β̂_{i,j}), S_i = χ_i·Γ (as in the cggmp21 spec, so each
 *          partial signature can be checked), and ψ''_{j,i} = Π^log*(K_i, Δ_i; base Γ) for each j.
 *  Output: δ = Σδ_j; check δ·G = ΣΔ_j and δ·Y = ΣS_j; R = δ⁻¹·Γ = k⁻¹·G.
 *          The presignature is (R, k_i, χ_i) plus everyone's (Δ_j, S_j).
 *
 * If a check of the output step fails, nobody can be blamed from these messages alone: the
 * identification rounds of §4 (Fig. 7, "Output", step 2) run, see identify.ts.
 *
 * A presignature must be used for exactly one signature: two signatures from one presignature
 * reveal the key (k is shared). The API (presignature.ts) consumes it; there is no second use.
 */
import { PaillierPublicKey, PaillierSecretKey, levelByName } from '@quorate/paillier';
import type { RingPedersenParams, SecurityLevel } from '@quorate/paillier';
import { codec, randomSigned } from '@quorate/runtime';
import type {
  Inbox,
  PartyContext,
  PartyId,
  ProtocolDefinition,
  RoundResult,
} from '@quorate/runtime';
import { affG, dec, enc, logStar, mul as mulProof, mulStar } from '@quorate/zk';
import {
  G,
  invQ,
  modQ,
  mul,
  mulG,
  mulPublic,
  pointSchema,
  randomScalar,
  scalarBelowQ,
  sumPoints,
} from './curve.ts';
import type { Point } from './curve.ts';
import type { KeyShare } from './key-share.ts';
import { lagrangeAtZero } from './vss.ts';

export interface PresignConfig {
  /** A validated key share with aux-info. */
  readonly share: KeyShare;
}

/** The secret output of presigning for one party. One-time: see presignature.ts. */
export interface PresignOutput {
  readonly sessionId: string;
  readonly i: PartyId;
  readonly signers: readonly PartyId[];
  /** Γ = γ·G and R = k⁻¹·G. */
  readonly Gamma: Point;
  readonly R: Point;
  /** Secret: own k_i and χ_i. */
  readonly k: bigint;
  readonly chi: bigint;
  /** Public per-signer commitments Δ_j = k_j·Γ and S_j = χ_j·Γ, in the order of `signers`. */
  readonly Delta: readonly Point[];
  readonly S: readonly Point[];
  /** δ = k·γ, public among the signers. */
  readonly delta: bigint;
  readonly publicKey: Point;
  readonly chainCode: Uint8Array;
}

const ct = codec.bigint({ maxBits: 8192 });
const addressed = <T>(s: codec.Schema<T>) =>
  codec.array(codec.object({ to: codec.uint({ min: 1, max: 1024 }), proof: s }), { max: 1023 });
const round1 = codec.object({ K: ct, G: ct, psi0: addressed(enc.proofSchema) });
const round2 = codec.object({
  Gamma: pointSchema,
  D: ct,
  F: ct,
  Dhat: ct,
  Fhat: ct,
  psi: affG.proofSchema,
  psiHat: affG.proofSchema,
  psiPrime: logStar.proofSchema,
});
const round3 = codec.object({
  delta: scalarBelowQ,
  Delta: pointSchema,
  S: pointSchema,
  psi2: addressed(logStar.proofSchema),
});
const pairCts = codec.object({
  to: codec.uint({ min: 1, max: 1024 }),
  D: ct,
  Dhat: ct,
  F: ct,
  Fhat: ct,
});
/** Identification (Fig. 7, Output step 2): everything needed to check δ_i and χ_i publicly. */
const round4 = codec.object({
  H: ct,
  psiMul: mulProof.proofSchema,
  Hhat: ct,
  psiMulStar: addressed(mulStar.proofSchema),
  chi: scalarBelowQ,
  psiDecDelta: addressed(dec.proofSchema),
  psiDecChi: addressed(dec.proofSchema),
  /** What P_i sent to each j in round 2 (D_{j,i}, D̂_{j,i}, F_{j,i}, F̂_{j,i}). */
  sent: codec.array(pairCts, { max: 1023 }),
  /** What P_i received from each j in round 2 (D_{i,j}, D̂_{i,j}, F_{i,j}, F̂_{i,j}). */
  received: codec.array(pairCts, { max: 1023 }),
});
type Round1 = codec.Infer<typeof round1>;
type Round4 = codec.Infer<typeof round4>;
type PairCts = codec.Infer<typeof pairCts>;
type Round2 = codec.Infer<typeof round2>;
type Round3 = codec.Infer<typeof round3>;

/** Finds the proof addressed to `self` in a list that must address every other signer once. */
export function proofFor<T>(
  list: readonly { to: number; proof: T }[],
  sender: PartyId,
  self: PartyId,
  signers: readonly PartyId[],
): T | string {
  const expected = signers.filter((p) => p !== sender);
  if (list.length !== expected.length || list.some((e, n) => e.to !== expected[n]))
    return 'proof list does not address every other signer exactly once, in order';
  return (list.find((e) => e.to === self) as { proof: T }).proof;
}

/** What every signer needs to know about every other: keys, parameters, converted shares. */
export function signerContext(share: KeyShare, signers: readonly PartyId[], self: PartyId) {
  const aux = share.aux;
  if (!aux) throw new RangeError('share: aux-info is missing; run aux-info first');
  const core = share.core;
  if (signers.length !== core.t)
    throw new RangeError(
      `signers: exactly t = ${core.t} signers are needed, got ${signers.length}`,
    );
  for (const s of signers)
    if (!core.parties.includes(s))
      throw new RangeError(`signers: party ${s} holds no share of this key`);
  const level: SecurityLevel = levelByName(aux.level);
  const idx = (j: PartyId) => core.parties.indexOf(j);
  const pk = new Map<PartyId, PaillierPublicKey>();
  const R = new Map<PartyId, RingPedersenParams>();
  const W = new Map<PartyId, Point>();
  for (const j of signers) {
    const a = aux.public[idx(j)] as { N: bigint; s: bigint; t: bigint };
    pk.set(j, PaillierPublicKey.fromN(a.N, level));
    R.set(j, { N: a.N, s: a.s, t: a.t });
    W.set(j, mulPublic(core.publicShares[idx(j)] as Point, lagrangeAtZero(signers, j)));
  }
  const w = modQ(lagrangeAtZero(signers, self) * core.x);
  const sk = PaillierSecretKey.fromPrimes(aux.p, aux.q, level);
  return { level, pk, R, W, w, sk };
}

export const presign: ProtocolDefinition<PresignOutput, PresignConfig> = {
  id: 'cggmp21/presign',
  version: 1,
  rounds: [
    { name: 'encrypt-k-gamma', kind: 'broadcast', payload: round1, reliable: true },
    { name: 'mta', kind: 'p2p', payload: round2 },
    { name: 'delta', kind: 'broadcast', payload: round3, reliable: true },
    { name: 'identify', kind: 'broadcast', payload: round4, reliable: true },
  ],
  maxMessageBytes: 8 << 20,
  create(ctx: PartyContext, config: PresignConfig) {
    const signers = ctx.parties;
    const self = ctx.self;
    const { level, pk, R, W, w, sk } = signerContext(config.share, signers, self);
    const sid = ctx.sessionId;
    const others = signers.filter((j) => j !== self);
    const proofCtx = (prover: PartyId, step: string) => ({
      sessionId: sid,
      prover,
      level,
      extra: new TextEncoder().encode(`cggmp21/presign/${step}`),
    });
    const myPk = pk.get(self) as PaillierPublicKey;
    const myR = R.get(self) as RingPedersenParams;

    // Round 1 secrets.
    const k = randomScalar(ctx.rng);
    const gamma = randomScalar(ctx.rng);
    // Own-key encryptions go through the factorization (CRT, same ciphertexts and nonces).
    const { C: K, rho } = sk.encrypt(k, ctx.rng);
    const { C: Gi, rho: nu } = sk.encrypt(gamma, ctx.rng);
    const Gamma = mulG(gamma);
    const r1 = new Map<PartyId, Round1>();
    const r2 = new Map<PartyId, Round2>();
    const betas = new Map<PartyId, { beta: bigint; betaHat: bigint }>();
    let GammaSum: Point | undefined;
    let mine3: Round3 | undefined;
    let chiValue = 0n;
    const sent = new Map<PartyId, PairCts>();
    let all3: Map<PartyId, Round3> | undefined;

    /** U_i = H_i ⊕ ⨁_j D_{i,j} ⊕ ⨁_j (−1)⊙F_{j,i}: decrypts to δ_i over the integers (and Û_i to χ_i). */
    const combineU = (
      pkI: PaillierPublicKey,
      H: bigint,
      received: readonly PairCts[],
      sentList: readonly PairCts[],
      hat: boolean,
    ) => {
      let U = H;
      for (const r of received) U = pkI.add(U, hat ? r.Dhat : r.D);
      for (const x of sentList) U = pkI.add(U, pkI.mul(hat ? x.Fhat : x.F, -1n));
      return U;
    };

    const identificationMessage = (): Round4 => {
      const received = others.map((j) => {
        const m = r2.get(j) as Round2;
        return { to: j, D: m.D, Dhat: m.Dhat, F: m.F, Fhat: m.Fhat };
      });
      const sentList = others.map((j) => sent.get(j) as PairCts);
      const rhoH = myPk.randomRho(ctx.rng);
      const H = myPk.add(myPk.mul(Gi, k), sk.encryptWith(0n, rhoH));
      const rhoHhat = myPk.randomRho(ctx.rng);
      const Hhat = myPk.add(myPk.mul(K, w), sk.encryptWith(0n, rhoHhat));
      const U = combineU(myPk, H, received, sentList, false);
      const Uhat = combineU(myPk, Hhat, received, sentList, true);
      const own = (all3 as Map<PartyId, Round3>).get(self) as Round3;
      const decProof = (C: bigint, x: bigint, j: PartyId) =>
        dec.prove(
          proofCtx(self, 'dec'),
          { N0: myPk, C, x, aux: R.get(j) as RingPedersenParams },
          { y: sk.decryptSigned(C), rho: sk.recoverRho(C) },
          ctx.rng,
        );
      return {
        H,
        psiMul: mulProof.prove(
          proofCtx(self, 'mul'),
          { N: myPk, X: K, Y: Gi, C: H },
          { x: k, rho: rhoH, rhoX: rho },
          ctx.rng,
        ),
        Hhat,
        psiMulStar: others.map((j) => ({
          to: j,
          proof: mulStar.prove(
            proofCtx(self, 'mul-star'),
            {
              N0: myPk,
              C: K,
              D: Hhat,
              X: W.get(self) as Point,
              aux: R.get(j) as RingPedersenParams,
            },
            { x: w, rho: rhoHhat },
            ctx.rng,
          ),
        })),
        chi: chiValue,
        psiDecDelta: others.map((j) => ({ to: j, proof: decProof(U, own.delta, j) })),
        psiDecChi: others.map((j) => ({ to: j, proof: decProof(Uhat, chiValue, j) })),
        sent: sentList,
        received,
      };
    };

    /** Checks every signer's identification message; returns every culprit found. */
    const identifyCulprits = (inbox: Inbox) => {
      const reveals = new Map<PartyId, Round4>(inbox as Map<PartyId, Round4>);
      const faults: { party: PartyId; reason: string }[] = [];
      const blame = (party: PartyId, reason: string) => {
        if (!faults.some((f) => f.party === party)) faults.push({ party, reason });
      };
      const same = (a: PairCts | undefined, b: PairCts | undefined) =>
        !!a && !!b && a.D === b.D && a.Dhat === b.Dhat && a.F === b.F && a.Fhat === b.Fhat;
      const pairsOk = (list: readonly PairCts[], from: PartyId) =>
        list.length === signers.length - 1 &&
        list.every((e, n) => e.to === signers.filter((p) => p !== from)[n]);
      for (const [i, m] of reveals) {
        if (!pairsOk(m.sent, i) || !pairsOk(m.received, i)) {
          blame(i, 'identification message does not list every other signer exactly once');
          continue;
        }
        // Its claims about the round-2 traffic with us must match what we really exchanged.
        const sentToMe = m.sent.find((e) => e.to === self);
        const r2FromI = r2.get(i) as Round2;
        if (
          !same(sentToMe, {
            to: self,
            D: r2FromI.D,
            Dhat: r2FromI.Dhat,
            F: r2FromI.F,
            Fhat: r2FromI.Fhat,
          })
        )
          blame(i, 'misreports the round-2 ciphertexts it sent to us');
        if (
          !same(
            m.received.find((e) => e.to === self),
            sent.get(i),
          )
        )
          blame(i, 'misreports the round-2 ciphertexts it received from us');
      }
      // Claims between two other signers: a disagreement means one of them lies; without a
      // transcript signature we cannot tell which, so both are named (an honest pair never disagrees).
      for (const [i, m] of reveals) {
        for (const e of m.sent) {
          if (e.to === self || !reveals.has(e.to)) continue;
          const claim = (reveals.get(e.to) as Round4).received.find((x) => x.to === i);
          if (!same(e, claim ? { ...claim, to: e.to } : undefined)) {
            blame(i, `disputes with party ${e.to} over the round-2 ciphertexts between them`);
            blame(e.to, `disputes with party ${i} over the round-2 ciphertexts between them`);
          }
        }
      }
      for (const [i, m] of reveals) {
        if (faults.some((f) => f.party === i)) continue;
        const pkI = pk.get(i) as PaillierPublicKey;
        const o1 = r1.get(i) as Round1;
        const o3 = (all3 as Map<PartyId, Round3>).get(i) as Round3;
        const check = (): string | undefined => {
          for (const c of [m.H, m.Hhat])
            if (!pkI.isValidCiphertext(c)) return 'H or Ĥ is not a valid ciphertext';
          const rm = mulProof.verify(
            proofCtx(i, 'mul'),
            { N: pkI, X: o1.K, Y: o1.G, C: m.H },
            m.psiMul,
          );
          if (!rm.ok) return `Π^mul proof for H fails (${rm.check})`;
          const ms = proofFor(m.psiMulStar, i, self, signers);
          if (typeof ms === 'string') return ms;
          const rs = mulStar.verify(
            proofCtx(i, 'mul-star'),
            { N0: pkI, C: o1.K, D: m.Hhat, X: W.get(i) as Point, aux: myR },
            ms,
          );
          if (!rs.ok) return `Π^mul* proof for Ĥ fails (${rs.check})`;
          const U = combineU(pkI, m.H, m.received, m.sent, false);
          const Uhat = combineU(pkI, m.Hhat, m.received, m.sent, true);
          const dd = proofFor(m.psiDecDelta, i, self, signers);
          if (typeof dd === 'string') return dd;
          const rd = dec.verify(proofCtx(i, 'dec'), { N0: pkI, C: U, x: o3.delta, aux: myR }, dd);
          if (!rd.ok) return `δ_i is not the decryption of its ciphertexts (Π^dec: ${rd.check})`;
          const dc = proofFor(m.psiDecChi, i, self, signers);
          if (typeof dc === 'string') return dc;
          const rc = dec.verify(proofCtx(i, 'dec'), { N0: pkI, C: Uhat, x: m.chi, aux: myR }, dc);
          if (!rc.ok) return `χ_i is not the decryption of its ciphertexts (Π^dec: ${rc.check})`;
          if (!mulPublic(GammaSum as Point, m.chi).equals(o3.S)) return 'S_i ≠ χ_i·Γ';
          return undefined;
        };
        const reason = check();
        if (reason) blame(i, reason);
      }
      if (faults.length === 0)
        throw new Error('presign identification found no culprit although the output check failed');
      return faults;
    };

    return {
      start: () => [
        {
          to: 'all',
          payload: {
            K,
            G: Gi,
            psi0: others.map((j) => ({
              to: j,
              proof: enc.prove(
                proofCtx(self, 'enc'),
                { N0: myPk.N, K, aux: R.get(j) as RingPedersenParams },
                { k, rho, sk },
                ctx.rng,
              ),
            })),
          } satisfies Round1,
        },
      ],
      verify(round, from, payload) {
        const pkj = pk.get(from) as PaillierPublicKey;
        if (round === 1) {
          const m = payload as Round1;
          if (!pkj.isValidCiphertext(m.K)) return 'K is not a valid ciphertext';
          if (!pkj.isValidCiphertext(m.G)) return 'G is not a valid ciphertext';
          const proof = proofFor(m.psi0, from, self, signers);
          if (typeof proof === 'string') return proof;
          const v = enc.verify(proofCtx(from, 'enc'), { N0: pkj.N, K: m.K, aux: myR }, proof);
          if (!v.ok) return `Π^enc proof for K fails (${v.check})`;
        }
        if (round === 2) {
          const m = payload as Round2;
          const o = r1.get(from) as Round1;
          if (!myPk.isValidCiphertext(m.D) || !myPk.isValidCiphertext(m.Dhat))
            return 'D or D̂ is not a valid ciphertext';
          if (!pkj.isValidCiphertext(m.F) || !pkj.isValidCiphertext(m.Fhat))
            return 'F or F̂ is not a valid ciphertext';
          const a = affG.verify(
            proofCtx(from, 'aff-g/gamma'),
            { N0: myPk, N1: pkj, C: K, D: m.D, Y: m.F, X: m.Gamma, aux: myR },
            m.psi,
          );
          if (!a.ok) return `Π^aff-g proof for D fails (${a.check})`;
          const ah = affG.verify(
            proofCtx(from, 'aff-g/w'),
            { N0: myPk, N1: pkj, C: K, D: m.Dhat, Y: m.Fhat, X: W.get(from) as Point, aux: myR },
            m.psiHat,
          );
          if (!ah.ok) return `Π^aff-g proof for D̂ fails (${ah.check})`;
          const l = logStar.verify(
            proofCtx(from, 'log/gamma'),
            { N0: pkj.N, C: o.G, X: m.Gamma, g: G, aux: myR },
            m.psiPrime,
          );
          if (!l.ok) return `Π^log* proof for Γ fails (${l.check})`;
        }
        if (round === 3 && GammaSum) {
          const m = payload as Round3;
          const proof = proofFor(m.psi2, from, self, signers);
          if (typeof proof === 'string') return proof;
          const l = logStar.verify(
            proofCtx(from, 'log/delta'),
            { N0: pkj.N, C: (r1.get(from) as Round1).K, X: m.Delta, g: GammaSum, aux: myR },
            proof,
          );
          if (!l.ok) return `Π^log* proof for Δ fails (${l.check})`;
        }
        return undefined;
      },
      finish(round, inbox: Inbox): RoundResult<PresignOutput> {
        if (round === 1) {
          for (const [j, m] of inbox) r1.set(j, m as Round1);
          const bound = 1n << BigInt(level.ellPrime);
          return {
            next: others.map((j) => {
              const pkj = pk.get(j) as PaillierPublicKey;
              const Kj = (r1.get(j) as Round1).K;
              const beta = randomSigned(ctx.rng, bound);
              const betaHat = randomSigned(ctx.rng, bound);
              betas.set(j, { beta, betaHat });
              // D_{j,i} = γ_i ⊙ K_j ⊕ enc_j(−β; s), F_{j,i} = enc_i(−β; r).
              const s = pkj.randomRho(ctx.rng);
              const sHat = pkj.randomRho(ctx.rng);
              const r = myPk.randomRho(ctx.rng);
              const rHat = myPk.randomRho(ctx.rng);
              const D = pkj.add(pkj.mul(Kj, gamma), pkj.encryptWith(-beta, s));
              const F = sk.encryptWith(-beta, r);
              const Dhat = pkj.add(pkj.mul(Kj, w), pkj.encryptWith(-betaHat, sHat));
              const Fhat = sk.encryptWith(-betaHat, rHat);
              const Rj = R.get(j) as RingPedersenParams;
              sent.set(j, { to: j, D, Dhat, F, Fhat });
              const payload: Round2 = {
                Gamma,
                D,
                F,
                Dhat,
                Fhat,
                psi: affG.prove(
                  proofCtx(self, 'aff-g/gamma'),
                  { N0: pkj, N1: myPk, C: Kj, D, Y: F, X: Gamma, aux: Rj },
                  { x: gamma, y: -beta, rho: s, rhoY: r, sk1: sk },
                  ctx.rng,
                ),
                psiHat: affG.prove(
                  proofCtx(self, 'aff-g/w'),
                  { N0: pkj, N1: myPk, C: Kj, D: Dhat, Y: Fhat, X: W.get(self) as Point, aux: Rj },
                  { x: w, y: -betaHat, rho: sHat, rhoY: rHat, sk1: sk },
                  ctx.rng,
                ),
                psiPrime: logStar.prove(
                  proofCtx(self, 'log/gamma'),
                  { N0: myPk.N, C: Gi, X: Gamma, g: G, aux: Rj },
                  { x: gamma, rho: nu, sk },
                  ctx.rng,
                ),
              };
              return { to: j, payload };
            }),
          };
        }
        if (round === 2) {
          for (const [j, m] of inbox) r2.set(j, m as Round2);
          GammaSum = sumPoints([Gamma, ...[...r2.values()].map((m) => m.Gamma)]);
          const Delta = mul(GammaSum, k);
          let delta = modQ(gamma * k);
          let chi = modQ(w * k);
          for (const j of others) {
            const m = r2.get(j) as Round2;
            const b = betas.get(j) as { beta: bigint; betaHat: bigint };
            delta = modQ(delta + sk.decryptSigned(m.D) + b.beta);
            chi = modQ(chi + sk.decryptSigned(m.Dhat) + b.betaHat);
          }
          const S = mul(GammaSum, chi);
          const G_ = GammaSum;
          mine3 = {
            delta,
            Delta,
            S,
            psi2: others.map((j) => ({
              to: j,
              proof: logStar.prove(
                proofCtx(self, 'log/delta'),
                { N0: myPk.N, C: K, X: Delta, g: G_, aux: R.get(j) as RingPedersenParams },
                { x: k, rho, sk },
                ctx.rng,
              ),
            })),
          };
          chiValue = chi;
          return { next: [{ to: 'all', payload: mine3 }] };
        }
        if (round === 4) return { abort: identifyCulprits(inbox) };
        // Output step.
        const all = new Map<PartyId, Round3>([
          [self, mine3 as Round3],
          ...([...inbox.entries()] as [PartyId, Round3][]),
        ]);
        all3 = all;
        const ordered = signers.map((j) => all.get(j) as Round3);
        const delta = modQ(ordered.reduce((acc, m) => acc + m.delta, 0n));
        const Y = config.share.core.publicKey;
        const GammaAll = GammaSum as Point;
        if (
          delta === 0n ||
          !mulG(delta).equals(sumPoints(ordered.map((m) => m.Delta))) ||
          !mulPublic(Y, delta).equals(sumPoints(ordered.map((m) => m.S)))
        ) {
          // Nobody can be blamed from these messages alone: run the identification round.
          return { next: [{ to: 'all', payload: identificationMessage() }] };
        }
        return {
          output: Object.freeze({
            sessionId: Buffer.from(sid).toString('hex'),
            i: self,
            signers,
            Gamma: GammaAll,
            R: mulPublic(GammaAll, invQ(delta)),
            k,
            chi: chiValue,
            Delta: ordered.map((m) => m.Delta),
            S: ordered.map((m) => m.S),
            delta,
            publicKey: Y,
            chainCode: config.share.core.chainCode,
          }),
        };
      },
    };
  },
};
