/**
 * The elliptic-curve group of CGGMP21 (secp256k1, order q) as the proofs use it: the generator,
 * public-scalar multiplication that tolerates 0 and signed/oversized exponents (verification
 * equations such as g^z = A·X^e), and a strict wire codec for points.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { codec, DecodeError } from '@quorate/runtime';
import type { Schema } from '@quorate/runtime';
import { mod } from '@quorate/bigint';

export type Point = typeof secp256k1.Point.BASE;
export const Point = secp256k1.Point;
export const G: Point = secp256k1.Point.BASE;
export const CURVE_ORDER: bigint = secp256k1.Point.Fn.ORDER;

/** k·P for a public k of any size or sign (reduced mod q; 0 gives the identity). Not constant time. */
export function mulPublic(P: Point, k: bigint): Point {
  const r = mod(k, CURVE_ORDER);
  return r === 0n ? Point.ZERO : P.multiplyUnsafe(r);
}

/** k·P for a secret k in [1, q) (constant-time ladder of @noble/curves). */
export function mulSecret(P: Point, k: bigint): Point {
  const r = mod(k, CURVE_ORDER);
  if (r === 0n) return Point.ZERO;
  return P.multiply(r);
}

export function pointBytes(P: Point): Uint8Array {
  return P.toBytes(true);
}

const bytes33 = codec.bytes({ len: 33 });

/** A point as 33-byte compressed SEC1 hex; the identity and off-curve points are refused. */
export const pointSchema: Schema<Point> = {
  expected: 'a compressed secp256k1 point (33 bytes as lowercase hex)',
  parse(v, path) {
    const b = bytes33.parse(v, path);
    try {
      const P = Point.fromBytes(b);
      P.assertValidity();
      if (P.is0()) throw new Error('identity');
      return P;
    } catch {
      throw new DecodeError(path, 'a valid secp256k1 point other than the identity');
    }
  },
  encode: (P) => bytes33.encode(P.toBytes(true)),
};
