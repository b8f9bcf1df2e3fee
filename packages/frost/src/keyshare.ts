/**
 * The FROST key share: what one party keeps after DKG, dealer split or refresh. Versioned,
 * serializable through the runtime's strict canonical codec, and validated on load: the secret
 * share must match its verifying share, every verifying share must lie on one polynomial of
 * degree t−1 whose value at 0 is the group key (Appendix C.2 vss_verify, in public form).
 */
import { codec as c, normalizeParties } from '@quorate/runtime';
import { RecentMap } from '@quorate/runtime/recent';
import type { PartyId } from '@quorate/runtime';
import { commitmentEval, lagrange, mod } from './core.ts';
import { KeyShareError } from './errors.ts';
import { getSuite, hexOf, SUITE_IDS } from './suite.ts';
import type { Point, Suite, SuiteId } from './suite.ts';

export const KEY_SHARE_VERSION = 1;

export interface KeyShare {
  readonly version: typeof KEY_SHARE_VERSION;
  readonly suite: SuiteId;
  readonly threshold: number;
  /** Every party of the key, sorted. */
  readonly parties: readonly PartyId[];
  readonly self: PartyId;
  /** s_i, this party's Shamir share of the group secret. Never logged. */
  readonly secretShare: bigint;
  /** The group public key (untweaked internal key for Taproot). */
  readonly publicKey: Point;
  /** Y_j = s_j·G for every party, in `parties` order. */
  readonly verifyingShares: ReadonlyMap<PartyId, Point>;
  /** 32 bytes, for HD derivation below this key. */
  readonly chainCode: Uint8Array;
  /** Incremented by each refresh. */
  readonly epoch: number;
}

const wire = c.object({
  v: c.literal(KEY_SHARE_VERSION),
  suite: c.oneOf(SUITE_IDS),
  threshold: c.uint({ min: 1, max: 1024 }),
  parties: c.array(c.uint({ min: 1, max: 1024 }), { min: 1, max: 1024 }),
  self: c.uint({ min: 1, max: 1024 }),
  secretShare: c.bytes({ len: 32 }),
  publicKey: c.bytes({ max: 33 }),
  verifyingShares: c.array(c.bytes({ max: 33 }), { min: 1, max: 1024 }),
  chainCode: c.bytes({ len: 32 }),
  epoch: c.uint({ max: 2 ** 32 }),
});

/** Public parts (threshold, parties, group key, verifying shares) that passed the deep check. */
const CONSISTENT_KEYS = 256;
const consistentKeys = new RecentMap<string, true>(CONSISTENT_KEYS);

/**
 * The deep check depends only on public values, and a co-signer loads the same key share for
 * every job; so a public part that passed is remembered (bounded) and not interpolated again.
 * The check of the secret share against its verifying share is not skipped.
 */
function publicPartId(suite: Suite, k: KeyShare, parties: readonly PartyId[]): string {
  const points = [k.publicKey, ...parties.map((p) => k.verifyingShares.get(p) as Point)];
  return `${k.suite}|${k.threshold}|${parties.join(',')}|${points.map((P) => hexOf(suite.encodePoint(P))).join('|')}`;
}

/**
 * Checks the invariants; throws KeyShareError naming the field. Returns the share. `deep` also
 * checks every verifying share against the polynomial (O(n·t) multiplications: done on load,
 * skipped where the shares were just computed from verified commitments).
 */
export function validateKeyShare(k: KeyShare, deep = true): KeyShare {
  const suite = getSuite(k.suite);
  let parties: readonly PartyId[];
  try {
    parties = normalizeParties(k.parties);
  } catch (e) {
    throw new KeyShareError('parties', e instanceof Error ? e.message : 'invalid');
  }
  if (parties.some((p, i) => p !== k.parties[i])) throw new KeyShareError('parties', 'not sorted');
  if (k.threshold < 1 || k.threshold > parties.length)
    throw new KeyShareError('threshold', `must be in 1..${parties.length}`);
  if (!parties.includes(k.self)) throw new KeyShareError('self', 'not one of the parties');
  if (k.secretShare <= 0n || k.secretShare >= suite.order)
    throw new KeyShareError('secretShare', 'out of range');
  if (k.chainCode.length !== 32) throw new KeyShareError('chainCode', 'expected 32 bytes');
  if (k.verifyingShares.size !== parties.length)
    throw new KeyShareError('verifyingShares', 'one per party expected');
  const mine = k.verifyingShares.get(k.self);
  if (!mine || !suite.mulBase(k.secretShare).equals(mine))
    throw new KeyShareError('secretShare', 'does not match this party’s verifying share');
  if (!deep) return k;
  const id = publicPartId(suite, k, parties);
  if (consistentKeys.get(id)) return k;
  // The first t verifying shares fix the polynomial; the others and the group key must agree.
  const basis = parties.slice(0, k.threshold);
  const at = (x: bigint): Point => {
    const scalars = basis.map((j) => lagrangeAt(suite, j, basis, x));
    return suite.msm(
      basis.map((j) => k.verifyingShares.get(j) as Point),
      scalars,
    );
  };
  if (!at(0n).equals(k.publicKey))
    throw new KeyShareError('publicKey', 'does not interpolate from the verifying shares');
  for (const j of parties.slice(k.threshold)) {
    const Y = k.verifyingShares.get(j);
    if (!Y || !at(BigInt(j)).equals(Y))
      throw new KeyShareError(`verifyingShares[${j}]`, 'not on the degree t−1 polynomial');
  }
  consistentKeys.set(id, true);
  return k;
}

/** Lagrange basis polynomial for j over `ids`, evaluated at x. */
function lagrangeAt(suite: Suite, j: PartyId, ids: readonly PartyId[], x: bigint): bigint {
  if (x === 0n) return lagrange(suite, j, ids);
  const n = suite.order;
  let num = 1n;
  let den = 1n;
  for (const m of ids) {
    if (m === j) continue;
    num = mod(num * (x - BigInt(m)), n);
    den = mod(den * (BigInt(j) - BigInt(m)), n);
  }
  return mod(num * modInverse(den, n), n);
}

function modInverse(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, n), n, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0, n);
}

export function serializeKeyShare(k: KeyShare): Uint8Array {
  const suite = getSuite(k.suite);
  return c.encodeCanonical(wire, {
    v: KEY_SHARE_VERSION,
    suite: k.suite,
    threshold: k.threshold,
    parties: [...k.parties],
    self: k.self,
    secretShare: suite.encodeScalar(k.secretShare),
    publicKey: suite.encodePoint(k.publicKey),
    verifyingShares: k.parties.map((p) => suite.encodePoint(k.verifyingShares.get(p) as Point)),
    chainCode: k.chainCode,
    epoch: k.epoch,
  });
}

/** Decodes and validates a stored key share (DecodeError / FrostEncodingError / KeyShareError). */
export function parseKeyShare(bytes: Uint8Array): KeyShare {
  const w = c.decodeCanonical(wire, bytes, 200_000);
  const suite = getSuite(w.suite);
  if (w.verifyingShares.length !== w.parties.length)
    throw new KeyShareError('verifyingShares', 'one per party expected');
  const vs = new Map<PartyId, Point>();
  w.parties.forEach((p, i) =>
    vs.set(p, suite.decodePoint(w.verifyingShares[i] as Uint8Array, `verifyingShares[${i}]`)),
  );
  return validateKeyShare({
    version: KEY_SHARE_VERSION,
    suite: w.suite,
    threshold: w.threshold,
    parties: w.parties,
    self: w.self,
    secretShare: suite.decodeScalar(w.secretShare, 'secretShare', true),
    publicKey: suite.decodePoint(w.publicKey, 'publicKey'),
    verifyingShares: vs,
    chainCode: w.chainCode,
    epoch: w.epoch,
  });
}

/** Verifying shares of every party from summed Feldman commitments (DKG / refresh output). */
export function verifyingSharesFrom(
  suite: Suite,
  parties: readonly PartyId[],
  commitments: readonly (readonly Point[])[],
): Map<PartyId, Point> {
  // Sum the commitment vectors first, then evaluate once per party.
  const t = Math.max(...commitments.map((C) => C.length));
  const sum: Point[] = [];
  for (let k = 0; k < t; k++) {
    let acc = suite.zero;
    for (const C of commitments) if (C[k]) acc = acc.add(C[k] as Point);
    sum.push(acc);
  }
  const out = new Map<PartyId, Point>();
  for (const p of parties) out.set(p, commitmentEval(suite, sum, BigInt(p)));
  return out;
}
