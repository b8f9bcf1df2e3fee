/**
 * Pedersen DKG with proofs of knowledge (FROST paper, Komlo–Goldberg 2020, Fig. 1; RFC 9591
 * Appendix C; the Zcash Foundation's frost `keys::dkg`), as a state machine on the runtime.
 *
 *  Round 1 (broadcast, reliable/echoed): P_i samples f_i(x) = Σ a_ik x^k of degree t−1, sends the
 *          Feldman commitments C_i = (a_i0·G, …, a_i(t−1)·G) and a Schnorr proof of knowledge of
 *          a_i0: R_i = k·G, μ_i = k + a_i0·c_i, c_i = H_dkg(id_i ‖ C_i0 ‖ R_i). The proof binds the
 *          sender's identifier, so a rogue key (C_i0 chosen as a function of others) cannot be
 *          proven. The echo round makes every party hold the same commitments.
 *  Round 2 (p2p): P_i sends f_i(j) to P_j, who checks f_i(j)·G = Σ_k j^k·C_ik.
 *  Output: s_j = Σ_i f_i(j), Y = Σ_i C_i0, and every verifying share from the summed commitments.
 *
 * Round 2 checks the sum of all received shares against the summed commitments first (one
 * multi-scalar evaluation); only if that fails does it check each sender's share, to name the
 * culprit. Taproot (secp256k1-tr): R_i is even-Y and the proof is x(R_i) ‖ μ_i, as in
 * frost-secp256k1-tr. The key share keeps the untweaked key; see taproot.ts for the tweak.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { codec as c } from '@quorate/runtime';
import type { Inbox, PartyId, ProtocolDefinition, RoundResult } from '@quorate/runtime';
import { commitmentEval, mod, polyEval, randomScalar } from './core.ts';
import { FrostEncodingError } from './errors.ts';
import { KEY_SHARE_VERSION, validateKeyShare, verifyingSharesFrom } from './keyshare.ts';
import type { KeyShare } from './keyshare.ts';
import { concat, getSuite, hasEvenY } from './suite.ts';
import type { Point, Suite, SuiteId } from './suite.ts';

export interface ProofOfKnowledge {
  readonly R: Point;
  readonly mu: bigint;
}

function pokChallenge(suite: Suite, id: PartyId, C0: Point, R: Point): bigint {
  return suite.HDKG(
    concat(suite.encodeScalar(BigInt(id)), suite.encodePoint(C0), suite.encodePoint(R)),
  );
}

/** Proof of knowledge of a_0 for party `id` with nonce k (Taproot: k negated for even-Y R). */
export function proveKnowledge(suite: Suite, id: PartyId, a0: bigint, k: bigint): ProofOfKnowledge {
  let R = suite.mulBase(k);
  if (suite.taproot && !hasEvenY(R)) {
    k = mod(-k, suite.order);
    R = R.negate();
  }
  const c0 = pokChallenge(suite, id, suite.mulBase(a0), R);
  return { R, mu: mod(k + a0 * c0, suite.order) };
}

export function verifyKnowledge(
  suite: Suite,
  id: PartyId,
  C0: Point,
  pok: ProofOfKnowledge,
): boolean {
  const cc = pokChallenge(suite, id, C0, pok.R);
  const lhs = suite.mulBasePublic(pok.mu);
  return lhs.equals(pok.R.add(suite.mulPublic(C0, cc)));
}

export function encodePok(suite: Suite, p: ProofOfKnowledge): Uint8Array {
  const R = suite.encodePoint(p.R);
  return concat(suite.taproot ? R.subarray(1) : R, suite.encodeScalar(p.mu));
}

export function decodePok(suite: Suite, bytes: Uint8Array, field: string): ProofOfKnowledge {
  const rLen = suite.taproot ? 32 : suite.pointBytes;
  if (bytes.length !== rLen + suite.scalarBytes) throw new FrostEncodingError(field, 'length');
  const Rb = suite.taproot
    ? concat(Uint8Array.of(2), bytes.subarray(0, 32))
    : bytes.subarray(0, rLen);
  return {
    R: suite.decodePoint(Rb, `${field}.R`),
    mu: suite.decodeScalar(bytes.subarray(rLen), `${field}.mu`),
  };
}

/** Deterministic chain code every party derives alike from the echoed round-1 commitments. */
export function dkgChainCode(
  suite: Suite,
  sid: Uint8Array,
  constantTerms: readonly Point[],
): Uint8Array {
  const h = sha256.create();
  h.update(new TextEncoder().encode(`quorate/frost/${suite.id}/chain-code`)).update(sid);
  for (const C0 of constantTerms) h.update(suite.encodePoint(C0));
  return h.digest();
}

const round1 = c.object({
  C: c.array(c.bytes({ max: 33 }), { min: 1, max: 1024 }),
  pok: c.bytes({ max: 65 }),
});
const round2 = c.object({ share: c.bytes({ len: 32 }) });
type Round1 = c.Infer<typeof round1>;
type Round2 = c.Infer<typeof round2>;

/**
 * A protocol's verify() decodes a message's commitments and its finish() needs them again: the
 * decoded points are remembered per received array (one party's parsed payload), so the checks
 * (for Ed25519 a full multiplication per point, the prime-order check) run once per message.
 */
const decodedCommitments = new WeakMap<
  readonly Uint8Array[],
  { suite: SuiteId; t: number; points: readonly Point[] }
>();

export function decodeCommitments(
  suite: Suite,
  C: readonly Uint8Array[],
  t: number,
  field: string,
): Point[] {
  if (C.length !== t) throw new FrostEncodingError(field, 'length');
  const hit = decodedCommitments.get(C);
  if (hit && hit.suite === suite.id && hit.t === t) return [...hit.points];
  const points = C.map((b, k) => suite.decodePoint(b, `${field}[${k}]`));
  decodedCommitments.set(C, { suite: suite.id, t, points });
  return [...points];
}

export interface DkgConfig {
  /** For tests: fixed polynomial coefficients and proof nonce instead of fresh ones. */
  readonly coefficients?: readonly bigint[];
  readonly pokNonce?: bigint;
}

const cache = new Map<SuiteId, ProtocolDefinition<KeyShare, DkgConfig | undefined>>();

/** The DKG for one ciphersuite; `ctx.threshold` is t. */
export function frostDkg(suiteId: SuiteId): ProtocolDefinition<KeyShare, DkgConfig | undefined> {
  const hit = cache.get(suiteId);
  if (hit) return hit;
  const suite = getSuite(suiteId);
  const def: ProtocolDefinition<KeyShare, DkgConfig | undefined> = {
    id: `frost-${suiteId}/dkg`,
    version: 1,
    rounds: [
      { name: 'commit', kind: 'broadcast', payload: round1, reliable: true },
      { name: 'share', kind: 'p2p', payload: round2 },
    ],
    maxMessageBytes: 1 << 20,
    create(ctx, config) {
      const t = ctx.threshold;
      if (t === undefined || !Number.isInteger(t) || t < 1 || t > ctx.parties.length)
        throw new RangeError(`threshold: must be in 1..${ctx.parties.length}`);
      const coeffs = config?.coefficients
        ? [...config.coefficients]
        : Array.from({ length: t }, () => randomScalar(suite, ctx.rng));
      if (coeffs.length !== t) throw new RangeError('coefficients: expected t of them');
      const C = coeffs.map((a) => suite.mulBase(a));
      const commitments = new Map<PartyId, Point[]>([[ctx.self, C]]);
      return {
        start() {
          const pok = proveKnowledge(
            suite,
            ctx.self,
            coeffs[0] as bigint,
            config?.pokNonce ?? randomScalar(suite, ctx.rng),
          );
          return [
            {
              to: 'all',
              payload: {
                C: suite.encodePoints(C),
                pok: encodePok(suite, pok),
              } satisfies Round1,
            },
          ];
        },
        verify(round, from, payload) {
          try {
            if (round === 1) {
              const m = payload as Round1;
              const Ci = decodeCommitments(suite, m.C, t, 'payload.C');
              const pok = decodePok(suite, m.pok, 'payload.pok');
              if (!verifyKnowledge(suite, from, Ci[0] as Point, pok))
                return 'invalid proof of knowledge of the secret coefficient';
            } else {
              suite.decodeScalar((payload as Round2).share, 'payload.share');
            }
          } catch (e) {
            if (e instanceof FrostEncodingError) return e.message;
            throw e;
          }
          return undefined;
        },
        finish(round, inbox: Inbox): RoundResult<KeyShare> {
          if (round === 1) {
            for (const [p, m] of inbox)
              commitments.set(p, decodeCommitments(suite, (m as Round1).C, t, 'payload.C'));
            return {
              next: ctx.parties
                .filter((p) => p !== ctx.self)
                .map((to) => ({
                  to,
                  payload: {
                    share: suite.encodeScalar(polyEval(coeffs, BigInt(to), suite.order)),
                  } satisfies Round2,
                })),
            };
          }
          const x = BigInt(ctx.self);
          const received = new Map<PartyId, bigint>();
          for (const [p, m] of inbox)
            received.set(p, suite.decodeScalar((m as Round2).share, 'payload.share'));
          let s = polyEval(coeffs, x, suite.order);
          for (const v of received.values()) s = mod(s + v, suite.order);
          const all = ctx.parties.map((p) => commitments.get(p) as Point[]);
          const vs = verifyingSharesFrom(suite, ctx.parties, all);
          if (!suite.mulBase(s).equals(vs.get(ctx.self) as Point)) {
            const faults = [];
            for (const [p, v] of received)
              if (!suite.mulBase(v).equals(commitmentEval(suite, commitments.get(p) as Point[], x)))
                faults.push({
                  party: p,
                  reason: 'secret share does not match the sender’s commitments',
                });
            if (faults.length === 0) throw new Error('share sum failed but no single share did');
            return { abort: faults };
          }
          if (s === 0n) throw new Error('zero secret share');
          let Y = suite.zero;
          for (const Ci of all) Y = Y.add(Ci[0] as Point);
          return {
            output: validateKeyShare(
              {
                version: KEY_SHARE_VERSION,
                suite: suiteId,
                threshold: t,
                parties: ctx.parties,
                self: ctx.self,
                secretShare: s,
                publicKey: Y,
                verifyingShares: vs,
                chainCode: dkgChainCode(
                  suite,
                  ctx.sessionId,
                  all.map((Ci) => Ci[0] as Point),
                ),
                epoch: 0,
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
