/**
 * FROST ciphersuites (RFC 9591 §6): FROST(Ed25519, SHA-512) §6.1, FROST(secp256k1, SHA-256)
 * §6.5, and the BIP340/Taproot variant of the Zcash Foundation's frost-secp256k1-tr (context
 * "FROST-secp256k1-SHA256-TR-v1", BIP340 challenge, x-only signature encoding).
 *
 * Group arithmetic is @noble/curves' (audited); hash_to_field for secp256k1 is noble's
 * expand_message_xmd hasher. Decoding is strict and typed: every rejection names the field.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1, secp256k1_hasher } from '@noble/curves/secp256k1.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { mulAddUnsafe, normalizeZ, pippenger } from '@noble/curves/abstract/curve.js';
import { RecentMap } from '@quorate/runtime/recent';
import { FrostEncodingError } from './errors.ts';

export type SuiteId = 'ed25519' | 'secp256k1' | 'secp256k1-tr';
export const SUITE_IDS: readonly SuiteId[] = ['ed25519', 'secp256k1', 'secp256k1-tr'];

/** The group operations FROST needs; both noble point classes satisfy it. */
export interface Point {
  add(other: Point): Point;
  subtract(other: Point): Point;
  negate(): Point;
  multiply(k: bigint): Point;
  multiplyUnsafe(k: bigint): Point;
  equals(other: Point): boolean;
  is0(): boolean;
  toBytes(compressed?: boolean): Uint8Array;
  /** noble: use a window table of 2^(w−1) points per window for this point's multiplications. */
  precompute(windowSize?: number, isLazy?: boolean): unknown;
}

export interface Suite {
  readonly id: SuiteId;
  /** RFC 9591 contextString. */
  readonly context: string;
  readonly order: bigint;
  readonly base: Point;
  readonly zero: Point;
  readonly scalarBytes: number;
  readonly pointBytes: number;
  /** BIP340 semantics: x-only keys, even-Y normalization, tagged-hash challenge. */
  readonly taproot: boolean;
  encodePoint(p: Point): Uint8Array;
  /** encodePoint for several points, sharing one field inversion among them (Montgomery's trick). */
  encodePoints(ps: readonly Point[]): Uint8Array[];
  /** DeserializeElement: rejects bad length, off-curve, non-canonical, identity and non-prime-order points. */
  decodePoint(bytes: Uint8Array, field: string): Point;
  encodeScalar(s: bigint): Uint8Array;
  /** DeserializeScalar: rejects bad length and values ≥ the order; `nonZero` also rejects 0. */
  decodeScalar(bytes: Uint8Array, field: string, nonZero?: boolean): bigint;
  H1(m: Uint8Array): bigint;
  H3(m: Uint8Array): bigint;
  H4(m: Uint8Array): Uint8Array;
  H5(m: Uint8Array): Uint8Array;
  HDKG(m: Uint8Array): bigint;
  /** H2 over the encoded group commitment, group key and message (BIP340 challenge for -tr). */
  challenge(R: Point, PK: Point, msg: Uint8Array): bigint;
  encodeSignature(R: Point, z: bigint): Uint8Array;
  /** Verifies a final signature independently of the FROST code (noble ed25519 / schnorr). */
  verify(sig: Uint8Array, msg: Uint8Array, PK: Point): boolean;
  /** Secret-scalar multiple of the base point (constant-time path; 0 gives the identity). */
  mulBase(k: bigint): Point;
  /** Public-scalar multiple of the base point (variable time; 0 gives the identity). */
  mulBasePublic(k: bigint): Point;
  /** Public-scalar multiplication (variable time). */
  mulPublic(p: Point, k: bigint): Point;
  /** Σ k_i·P_i for public scalars. */
  msm(points: readonly Point[], scalars: readonly bigint[]): Point;
  /**
   * k·P for a public scalar and a long-lived public point (a group key, checked in every
   * aggregation). Once the same key has been multiplied KEY_TABLE_AFTER times in this process it
   * gets a window table, which makes each later multiplication 3–4× cheaper.
   */
  mulKey(P: Point, k: bigint): Point;
}

const te = new TextEncoder();
const hexOf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const beToBig = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt('0x' + hexOf(b)));
const leToBig = (b: Uint8Array) => beToBig(Uint8Array.from(b).reverse());
function bigToBe(x: bigint, len: number): Uint8Array {
  return Uint8Array.from(Buffer.from(x.toString(16).padStart(len * 2, '0'), 'hex'));
}
const bigToLe = (x: bigint, len: number) => bigToBe(x, len).reverse();
function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
export { concat, hexOf, beToBig, leToBig, bigToBe, bigToLe };

/**
 * Points are immutable, and turning one into bytes costs a field inversion, so each point's
 * encoding is remembered (also the bytes a point was decoded from).
 */
const encodings = new WeakMap<Point, Uint8Array>();
function memoEncode(p: Point, enc: (p: Point) => Uint8Array): Uint8Array {
  let b = encodings.get(p);
  if (!b) encodings.set(p, (b = enc(p)));
  return b;
}

/**
 * Encodes several points with one field inversion: noble's normalizeZ inverts all their Z
 * coordinates in one batch, and the affine copies encode without a further inversion. Used where
 * a party makes several points at once (its two nonce commitments, its polynomial commitment).
 */
function batchEncoder(Cons: PointCons, enc: (p: Point) => Uint8Array) {
  return (ps: readonly Point[]): Uint8Array[] => {
    const todo = ps.filter((p) => !encodings.has(p) && !p.is0());
    if (todo.length > 1) {
      const affine = normalizeZ(Cons as never, todo as never[]) as unknown as Point[];
      todo.forEach((p, i) => encodings.set(p, enc(affine[i] as Point)));
    }
    return ps.map((p) => memoEncode(p, enc));
  };
}

/** Points recently decoded and checked, remembered by their encoding (least recently used dropped). */
const DECODED_POINTS = 1024;

/**
 * DeserializeElement with a memory: the same bytes always decode to the same point with the same
 * verdict, so a point that passed every check is returned again without repeating them. On
 * Ed25519 the prime-order check is a full multiplication (about 1.2 ms here), and a co-signer
 * decodes its key share's group key and verifying shares for every job. Rejections are not
 * remembered: bad bytes are checked, and refused, every time.
 */
function rememberDecoded(decode: (bytes: Uint8Array, field: string) => Point) {
  const seen = new RecentMap<string, Point>(DECODED_POINTS);
  return (bytes: Uint8Array, field: string): Point =>
    seen.remember(hexOf(bytes), () => decode(bytes, field));
}

/**
 * −P. For secp256k1 the SEC1 encoding of −P is P's with the prefix flipped (same x, y of the
 * other parity; these groups have no point with y = 0), so a remembered encoding carries over and
 * encoding the negation costs no inversion. Ed25519 encodings are not carried over.
 */
export function negatePoint(p: Point): Point {
  const n = p.negate();
  const b = encodings.get(p);
  if (b && b.length === 33) {
    const flipped = Uint8Array.from(b);
    flipped[0] = b[0] === 2 ? 3 : 2;
    encodings.set(n, flipped);
  }
  return n;
}

type PointCons = Parameters<typeof pippenger>[0];
/** noble's secp256k1 double multiplication a·P + b·Q, with the GLV endomorphism split. */
type GlvPoint = Point & { mulAddUnsafe(a: bigint, other: Point, b: bigint): Point };
/**
 * Σ k_i·P_i for public scalars: Straus (mulAddUnsafe) for a few terms, Pippenger for many.
 * With `glv` (secp256k1), two or three terms go through noble's GLV double multiplication
 * (a·P + b·Q on half-width scalars): half the doublings of a plain Straus walk. From four terms
 * on, the plain walk's doubling chain is shared widely enough to be as cheap.
 */
function msmWith(Cons: PointCons, zero: Point, glv = false) {
  return (points: readonly Point[], scalars: readonly bigint[]): Point => {
    const ps: Point[] = [];
    const ks: bigint[] = [];
    for (let i = 0; i < points.length; i++) {
      const k = scalars[i] as bigint;
      if (k === 0n) continue;
      ps.push(points[i] as Point);
      ks.push(k);
    }
    if (ps.length === 0) return zero;
    if (ps.length === 1) return (ps[0] as Point).multiplyUnsafe(ks[0] as bigint);
    if (glv && ps.length <= 3) {
      const [a, b, c] = ps as GlvPoint[];
      const two = (a as GlvPoint).mulAddUnsafe(ks[0] as bigint, b as Point, ks[1] as bigint);
      return c ? two.add(c.multiplyUnsafe(ks[2] as bigint)) : two;
    }
    const f = ps.length >= 16 ? pippenger : mulAddUnsafe;
    return f(Cons as never, ps as never[], ks) as unknown as Point;
  };
}

/** Uses of one key before it gets a window table (building one costs ~20 multiplications). */
export const KEY_TABLE_AFTER = 16;
/** Window width of key tables: 2^6 points per window, ~2.4k points per key. */
const KEY_TABLE_WINDOW = 7;
/** Keys with tables (or use counts) remembered, least recently used dropped first (≈ 0.4–0.5 MB each). */
const KEY_TABLES = 32;

/** Suite.mulKey: counts uses per key encoding and gives frequent keys a window table. */
function keyMultiplier(encode: (p: Point) => Uint8Array, zero: Point) {
  const keys = new RecentMap<string, { point: Point; uses: number }>(KEY_TABLES);
  return (P: Point, k: bigint): Point => {
    // noble keeps a table in a WeakMap keyed by the point object. The table goes on a private
    // copy (P + 0 is a new object), so it is freed when the key leaves this list even if the
    // caller's point lives on, and a caller's point (even the base point) is never altered.
    const e = keys.remember(hexOf(encode(P)), () => ({ point: P.add(zero), uses: 0 }));
    if (++e.uses === KEY_TABLE_AFTER) e.point.precompute(KEY_TABLE_WINDOW);
    return e.point.multiplyUnsafe(k);
  };
}

/**
 * Window width of the base point table. noble's own base point has a 6-bit table; 10 bits takes
 * about 14k points per curve (3 MB) and 0.1–0.3 s to build once per process. A public base
 * multiplication (the aggregate check, DKG proofs) gets about 1.5× faster, and a secret one on
 * secp256k1 about a third faster (0.48 → 0.33 ms here).
 */
const BASE_TABLE_WINDOW = 10;

/**
 * Base point multiplication with a wider table, built on first use. The table sits on a private
 * copy of G (G + 0 is a new object), so noble's own base point keeps its table and other users
 * of noble in the process are unaffected.
 *
 * Secret scalars go through noble's constant-time `multiply`, which also blinds the scalar
 * (k + r·n with a random 128-bit r) whenever n·P = O is known: for every point of a cofactor-1
 * curve (secp256k1), but on Ed25519 only for noble's own base point. So Ed25519 secret
 * multiplications stay on noble's base point (`secretOnTable` false) to keep the blinding; only
 * its public ones use the wider table.
 */
function baseMultiplier(base: Point, zero: Point, secretOnTable: boolean) {
  let G: Point | undefined;
  const table = () => {
    if (!G) {
      G = base.add(zero);
      G.precompute(BASE_TABLE_WINDOW, false);
    }
    return G;
  };
  return {
    mulBase: (k: bigint) => (k === 0n ? zero : (secretOnTable ? table() : base).multiply(k)),
    mulBasePublic: (k: bigint) => (k === 0n ? zero : table().multiplyUnsafe(k)),
  };
}

// ---- Ed25519 (RFC 9591 §6.1) ----------------------------------------------------------------

function makeEd25519(): Suite {
  const P = ed25519.Point;
  const L = P.Fn.ORDER;
  const ctx = 'FROST-ED25519-SHA512-v1';
  const h = (tag: string) => (m: Uint8Array) => sha512(concat(te.encode(ctx + tag), m));
  const hs = (tag: string) => (m: Uint8Array) => leToBig(h(tag)(m)) % L;
  const base = P.BASE as unknown as Point;
  const zero = P.ZERO as unknown as Point;
  return {
    id: 'ed25519',
    context: ctx,
    order: L,
    base,
    zero,
    scalarBytes: 32,
    pointBytes: 32,
    taproot: false,
    encodePoint: (p) => memoEncode(p, (q) => q.toBytes()),
    encodePoints: batchEncoder(P as unknown as PointCons, (q) => q.toBytes()),
    decodePoint: rememberDecoded((bytes, field) => {
      if (bytes.length !== 32) throw new FrostEncodingError(field, 'length');
      let p;
      try {
        // Lenient (ZIP-215) decoding first, so a non-canonical encoding of a real point (y ≥ p,
        // or x = 0 with the sign bit set) is reported as such by the round trip below.
        p = P.fromBytes(bytes, true);
      } catch {
        throw new FrostEncodingError(field, 'not-on-curve');
      }
      if (hexOf(p.toBytes()) !== hexOf(bytes)) throw new FrostEncodingError(field, 'non-canonical');
      if (p.is0()) throw new FrostEncodingError(field, 'identity');
      if (p.isSmallOrder()) throw new FrostEncodingError(field, 'small-order');
      if (!p.isTorsionFree()) throw new FrostEncodingError(field, 'mixed-order');
      encodings.set(p as unknown as Point, Uint8Array.from(bytes));
      return p as unknown as Point;
    }),
    encodeScalar: (s) => bigToLe(s, 32),
    decodeScalar(bytes, field, nonZero) {
      if (bytes.length !== 32) throw new FrostEncodingError(field, 'length');
      const s = leToBig(bytes);
      if (s >= L) throw new FrostEncodingError(field, 'scalar-out-of-range');
      if (nonZero && s === 0n) throw new FrostEncodingError(field, 'zero-scalar');
      return s;
    },
    H1: hs('rho'),
    H3: hs('nonce'),
    H4: h('msg'),
    H5: h('com'),
    HDKG: hs('dkg'),
    // RFC 9591 §6.1: H2 is undecorated SHA-512, so the result is an RFC 8032 signature.
    challenge: (R, PK, msg) =>
      leToBig(
        sha512(
          concat(
            memoEncode(R, (q) => q.toBytes()),
            memoEncode(PK, (q) => q.toBytes()),
            msg,
          ),
        ),
      ) % L,
    encodeSignature: (R, z) =>
      concat(
        memoEncode(R, (q) => q.toBytes()),
        bigToLe(z, 32),
      ),
    verify: (sig, msg, PK) => ed25519.verify(sig, msg, PK.toBytes(), { zip215: false }),
    ...baseMultiplier(base, zero, false),
    mulPublic: (p, k) => p.multiplyUnsafe(k),
    msm: msmWith(P as unknown as PointCons, zero),
    mulKey: keyMultiplier((q) => memoEncode(q, (r) => r.toBytes()), zero),
  };
}

// ---- secp256k1 (RFC 9591 §6.5) and the Taproot variant --------------------------------------

function makeSecp256k1(taproot: boolean): Suite {
  const P = secp256k1.Point;
  const N = P.Fn.ORDER;
  const ctx = taproot ? 'FROST-secp256k1-SHA256-TR-v1' : 'FROST-secp256k1-SHA256-v1';
  const dst = (tag: string) => te.encode(ctx + tag);
  const hs = (tag: string) => {
    const DST = dst(tag);
    return (m: Uint8Array) => secp256k1_hasher.hashToScalar(m, { DST });
  };
  const h = (tag: string) => (m: Uint8Array) => sha256(concat(dst(tag), m));
  const base = P.BASE as unknown as Point;
  const zero = P.ZERO as unknown as Point;
  const xOnly = (p: Point) => memoEncode(p, (q) => q.toBytes(true)).subarray(1);
  const sec1 = (p: Point) => memoEncode(p, (q) => q.toBytes(true));
  return {
    id: taproot ? 'secp256k1-tr' : 'secp256k1',
    context: ctx,
    order: N,
    base,
    zero,
    scalarBytes: 32,
    pointBytes: 33,
    taproot,
    encodePoint: (p) => memoEncode(p, (q) => q.toBytes(true)),
    encodePoints: batchEncoder(P as unknown as PointCons, (q) => q.toBytes(true)),
    decodePoint(bytes, field) {
      // SEC1 compressed only: the identity has no 33-byte encoding, so a 1-byte 0x00 is a length fault.
      if (bytes.length !== 33) throw new FrostEncodingError(field, 'length');
      if (bytes[0] !== 2 && bytes[0] !== 3) throw new FrostEncodingError(field, 'non-canonical');
      if (beToBig(bytes.subarray(1)) >= P.Fp.ORDER)
        throw new FrostEncodingError(field, 'non-canonical');
      let p;
      try {
        p = P.fromBytes(bytes);
      } catch {
        throw new FrostEncodingError(field, 'not-on-curve');
      }
      if (p.is0()) throw new FrostEncodingError(field, 'identity');
      encodings.set(p as unknown as Point, Uint8Array.from(bytes));
      return p as unknown as Point;
    },
    encodeScalar: (s) => bigToBe(s, 32),
    decodeScalar(bytes, field, nonZero) {
      if (bytes.length !== 32) throw new FrostEncodingError(field, 'length');
      const s = beToBig(bytes);
      if (s >= N) throw new FrostEncodingError(field, 'scalar-out-of-range');
      if (nonZero && s === 0n) throw new FrostEncodingError(field, 'zero-scalar');
      return s;
    },
    H1: hs('rho'),
    H3: hs('nonce'),
    H4: h('msg'),
    H5: h('com'),
    HDKG: hs('dkg'),
    challenge: taproot
      ? (R, PK, msg) =>
          beToBig(schnorr.utils.taggedHash('BIP0340/challenge', xOnly(R), xOnly(PK), msg)) % N
      : (R, PK, msg) =>
          secp256k1_hasher.hashToScalar(concat(sec1(R), sec1(PK), msg), {
            DST: dst('chal'),
          }),
    encodeSignature: taproot
      ? (R, z) => concat(xOnly(R), bigToBe(z, 32))
      : (R, z) => concat(sec1(R), bigToBe(z, 32)),
    verify: taproot
      ? (sig, msg, PK) => schnorr.verify(sig, msg, xOnly(PK))
      : (sig, msg, PK) => {
          // RFC 9591 §6.5 signature: compressed R ‖ z; check z·G = R + c·PK.
          if (sig.length !== 65) return false;
          try {
            const R = P.fromBytes(sig.subarray(0, 33)) as unknown as Point;
            const z = beToBig(sig.subarray(33));
            if (z >= N) return false;
            const c = secp256k1_hasher.hashToScalar(
              concat(sig.subarray(0, 33), PK.toBytes(true), msg),
              {
                DST: dst('chal'),
              },
            );
            return base.multiplyUnsafe(z).equals(R.add(PK.multiplyUnsafe(c)));
          } catch {
            return false;
          }
        },
    ...baseMultiplier(base, zero, true),
    mulPublic: (p, k) => p.multiplyUnsafe(k),
    msm: msmWith(P as unknown as PointCons, zero, true),
    mulKey: keyMultiplier(sec1, zero),
  };
}

const SUITES: Record<SuiteId, Suite> = {
  ed25519: makeEd25519(),
  secp256k1: makeSecp256k1(false),
  'secp256k1-tr': makeSecp256k1(true),
};

export function getSuite(id: SuiteId): Suite {
  const s = SUITES[id];
  if (!s) throw new RangeError(`unknown FROST suite ${String(id)}`);
  return s;
}

/** Whether a secp256k1 point has an even y coordinate (BIP340 lift_x convention). */
export function hasEvenY(p: Point): boolean {
  return memoEncode(p, (q) => q.toBytes(true))[0] === 2;
}
