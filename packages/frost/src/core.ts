/**
 * RFC 9591 FROST arithmetic, independent of transport: polynomials and Lagrange coefficients
 * (§4.2, Appendix C), nonce generation (§4.1), binding factors and the group commitment
 * (§4.3–4.5), signature shares (§5.2), share verification (§5.4) and aggregation (§5.3).
 *
 * BIP340/Taproot (frost-secp256k1-tr): the signing key is always even-Y (see taproot.ts); when
 * the group commitment R has odd Y, every signer negates its nonces and the coordinator negates
 * each commitment share when verifying, so the signature is (x(R), z) with R even.
 */
import type { PartyId, Rng } from '@quorate/runtime';
import { concat, hasEvenY, negatePoint } from './suite.ts';
import type { Point, Suite } from './suite.ts';

export const mod = (a: bigint, n: bigint) => {
  const r = a % n;
  return r < 0n ? r + n : r;
};

export function invert(a: bigint, n: bigint): bigint {
  // Extended Euclid on public values (identifiers, differences of identifiers).
  let [r0, r1] = [mod(a, n), n];
  let [s0, s1] = [1n, 0n];
  if (r0 === 0n) throw new RangeError('invert: zero has no inverse');
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, n);
}

/** Uniform scalar in [1, n) from the injected Rng (64 bytes reduced: negligible bias). */
export function randomScalar(suite: Suite, rng: Rng): bigint {
  for (;;) {
    const b = rng.bytes(64);
    let x = 0n;
    for (const v of b) x = (x << 8n) | BigInt(v);
    x = x % suite.order;
    if (x !== 0n) return x;
  }
}

/** f(x) = Σ a_k x^k mod n (Horner). */
export function polyEval(coeffs: readonly bigint[], x: bigint, n: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = mod(acc * x + (coeffs[k] as bigint), n);
  return acc;
}

/**
 * Σ x^k·C_k: the public evaluation of a Feldman commitment at x (vss_verify, Appendix C.2). By
 * Horner's rule, so each step multiplies by the small party id x instead of a full-size x^k.
 */
export function commitmentEval(suite: Suite, C: readonly Point[], x: bigint): Point {
  if (C.length === 0) return suite.zero;
  const k = mod(x, suite.order);
  let acc = C[C.length - 1] as Point;
  for (let i = C.length - 2; i >= 0; i--) {
    acc = k === 0n ? suite.zero : acc.is0() ? acc : acc.multiplyUnsafe(k);
    acc = acc.add(C[i] as Point);
  }
  return acc;
}

/** λ_i over the signer set `ids` at 0 (RFC 9591 §4.2 derive_interpolating_value). */
export function lagrange(suite: Suite, i: PartyId, ids: readonly PartyId[]): bigint {
  const n = suite.order;
  let num = 1n;
  let den = 1n;
  const xi = BigInt(i);
  for (const j of ids) {
    if (j === i) continue;
    num = mod(num * BigInt(j), n);
    den = mod(den * (BigInt(j) - xi), n);
  }
  return mod(num * invert(den, n), n);
}

/** nonce_generate(secret): H3(random_bytes(32) ‖ SerializeScalar(secret)), RFC 9591 §4.1. */
export function nonceGenerate(suite: Suite, secret: bigint, random: Uint8Array): bigint {
  return suite.H3(concat(random, suite.encodeScalar(secret)));
}

export interface NoncePair {
  readonly hiding: bigint;
  readonly binding: bigint;
}
export interface CommitmentPair {
  readonly hiding: Point;
  readonly binding: Point;
}

/** commit() of RFC 9591 §5.1. */
export function commit(
  suite: Suite,
  secret: bigint,
  rng: Rng,
): { nonces: NoncePair; commitment: CommitmentPair } {
  const hiding = nonceGenerate(suite, secret, rng.bytes(32));
  const binding = nonceGenerate(suite, secret, rng.bytes(32));
  const commitment = { hiding: suite.mulBase(hiding), binding: suite.mulBase(binding) };
  // Both are encoded for the binding factors and the wire: one inversion for the pair.
  suite.encodePoints([commitment.hiding, commitment.binding]);
  return { nonces: { hiding, binding }, commitment };
}

/** The list of commitments, sorted by identifier, as every signer must see it. */
export type CommitmentList = readonly (readonly [PartyId, CommitmentPair])[];

export function sortCommitments(m: ReadonlyMap<PartyId, CommitmentPair>): CommitmentList {
  return [...m.entries()].sort(([a], [b]) => a - b);
}

export interface SigningContext {
  readonly ids: readonly PartyId[];
  readonly rho: ReadonlyMap<PartyId, bigint>;
  /** The group commitment as computed (before any even-Y negation). */
  readonly R: Point;
  /** Taproot: R had odd Y, so nonces and commitment shares are negated. */
  readonly negateR: boolean;
  readonly c: bigint;
}

/** Binding factors (§4.4), group commitment (§4.5) and challenge (§4.6) for one signing. */
export function signingContext(
  suite: Suite,
  PK: Point,
  list: CommitmentList,
  msg: Uint8Array,
): SigningContext {
  const parts: Uint8Array[] = [];
  for (const [id, c] of list)
    parts.push(
      suite.encodeScalar(BigInt(id)),
      suite.encodePoint(c.hiding),
      suite.encodePoint(c.binding),
    );
  const prefix = concat(suite.encodePoint(PK), suite.H4(msg), suite.H5(concat(...parts)));
  const rho = new Map<PartyId, bigint>();
  for (const [id] of list) rho.set(id, suite.H1(concat(prefix, suite.encodeScalar(BigInt(id)))));
  // R = Σ D_i + Σ ρ_i·E_i: one multi-scalar multiplication; the per-signer R_i are needed only
  // to name a cheater, so verifyShare recomputes its own.
  let R = suite.zero;
  for (const [, c] of list) R = R.add(c.hiding);
  R = R.add(
    suite.msm(
      list.map(([, c]) => c.binding),
      list.map(([id]) => rho.get(id) as bigint),
    ),
  );
  if (R.is0()) throw new RangeError('group commitment is the identity');
  const negateR = suite.taproot && !hasEvenY(R);
  const c = suite.challenge(R, PK, msg);
  return { ids: list.map(([id]) => id), rho, R, negateR, c };
}

/** z_i = d_i + e_i·ρ_i + λ_i·s_i·c (§5.2), with the Taproot nonce negation. */
export function signatureShare(
  suite: Suite,
  ctx: SigningContext,
  self: PartyId,
  secretShare: bigint,
  nonces: NoncePair,
): bigint {
  const n = suite.order;
  const rho = ctx.rho.get(self);
  if (rho === undefined) throw new RangeError(`party ${self} is not in the commitment list`);
  const lambda = lagrange(suite, self, ctx.ids);
  let k = mod(nonces.hiding + nonces.binding * rho, n);
  if (ctx.negateR) k = mod(-k, n);
  return mod(k + lambda * secretShare * ctx.c, n);
}

/** verify_signature_share (§5.4): z_i·G = R_i + c·λ_i·Y_i, R_i = D_i + ρ_i·E_i (negated if R odd). */
export function verifyShare(
  suite: Suite,
  ctx: SigningContext,
  id: PartyId,
  commitment: CommitmentPair,
  Y: Point,
  z: bigint,
): boolean {
  const rho = ctx.rho.get(id);
  if (rho === undefined) return false;
  let Ri = commitment.hiding.add(suite.mulPublic(commitment.binding, rho));
  if (ctx.negateR) Ri = Ri.negate();
  const lambda = lagrange(suite, id, ctx.ids);
  const lhs = suite.mulBasePublic(z);
  const rhs = Ri.add(suite.mulPublic(Y, mod(ctx.c * lambda, suite.order)));
  return lhs.equals(rhs);
}

/**
 * The aggregate check z·G = R + c·PK (R even-Y for Taproot). When it holds every share was
 * consistent in sum, so per-share checks are needed only when it fails (RFC 9591 §5.3 notes
 * the coordinator may verify the aggregate first and verify shares only to find a cheater).
 */
export function verifyAggregate(suite: Suite, ctx: SigningContext, PK: Point, z: bigint): boolean {
  const R = ctx.negateR ? negatePoint(ctx.R) : ctx.R;
  const lhs = suite.mulBasePublic(z);
  return lhs.equals(R.add(suite.mulKey(PK, ctx.c)));
}

export function sumShares(suite: Suite, shares: readonly bigint[]): bigint {
  let z = 0n;
  for (const s of shares) z = mod(z + s, suite.order);
  return z;
}

/** aggregate (§5.3): z = Σ z_i; the signature is (R, z) in the suite's encoding. */
export function aggregateShares(
  suite: Suite,
  ctx: SigningContext,
  shares: readonly bigint[],
): Uint8Array {
  let z = 0n;
  for (const s of shares) z = mod(z + s, suite.order);
  return suite.encodeSignature(ctx.negateR ? negatePoint(ctx.R) : ctx.R, z);
}
