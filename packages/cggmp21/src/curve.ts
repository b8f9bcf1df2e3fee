/**
 * secp256k1 group helpers for CGGMP21: scalar arithmetic mod q, points, and strict wire codecs.
 * Points travel as 33-byte SEC1 compressed encodings; decoding rejects non-canonical encodings,
 * points off the curve and the identity. Scalars travel as minimal hex and must be < q.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { codec, DecodeError } from '@quorate/runtime';
import type { Rng, Schema } from '@quorate/runtime';
import { randomBelow } from '@quorate/runtime';

export const Point = secp256k1.Point;
export type Point = InstanceType<typeof secp256k1.Point>;
export const G: Point = Point.BASE;
/** The group order q (n in SEC 2). */
export const q: bigint = Point.Fn.ORDER;

export function modQ(x: bigint): bigint {
  const r = x % q;
  return r < 0n ? r + q : r;
}

export function invQ(x: bigint): bigint {
  const r = modQ(x);
  if (r === 0n) throw new RangeError('scalar 0 has no inverse mod q');
  return Point.Fn.inv(r);
}

/** x·G, also for x = 0 (the identity). */
export function mulG(x: bigint): Point {
  const k = modQ(x);
  return k === 0n ? Point.ZERO : G.multiply(k);
}

/** x·P, also for x = 0. */
export function mul(P: Point, x: bigint): Point {
  const k = modQ(x);
  return k === 0n ? Point.ZERO : P.multiply(k);
}

/**
 * x·P when x and P are both public (checks of broadcast values, Lagrange coefficients of public
 * shares): the variable-time multiplication, several times faster than the blinded
 * constant-time one. Never for a secret scalar.
 */
export function mulPublic(P: Point, x: bigint): Point {
  const k = modQ(x);
  return k === 0n ? Point.ZERO : P.multiplyUnsafe(k);
}

export function sumPoints(points: Iterable<Point>): Point {
  let acc = Point.ZERO;
  for (const p of points) acc = acc.add(p);
  return acc;
}

/** A uniform non-zero scalar. */
export function randomScalar(rng: Rng): bigint {
  return randomBelow(rng, q - 1n) + 1n;
}

export function pointToHex(P: Point): string {
  return P.toHex(true);
}

export function pointFromBytes(b: Uint8Array, field: string): Point {
  if (b.length !== 33 || (b[0] !== 2 && b[0] !== 3))
    throw new DecodeError(field, 'a 33-byte compressed secp256k1 point');
  try {
    const P = Point.fromBytes(b);
    P.assertValidity();
    if (P.is0()) throw new Error('identity');
    return P;
  } catch {
    throw new DecodeError(field, 'a valid, non-identity secp256k1 point');
  }
}

/** Wire codec: compressed point, never the identity. */
export const pointSchema: Schema<Point> = {
  expected: 'a compressed secp256k1 point (33 bytes, lowercase hex), not the identity',
  parse(v, path) {
    const b = codec.bytes({ len: 33 }).parse(v, path);
    return pointFromBytes(b, path);
  },
  encode: (P) => P.toHex(true),
};

/** Wire codec: scalar in [0, q). */
export const scalarSchema: Schema<bigint> = codec.bigint({ maxBits: 256 });
export const scalarBelowQ: Schema<bigint> = {
  expected: 'a scalar below the secp256k1 group order',
  parse(v, path) {
    const x = scalarSchema.parse(v, path);
    if (x >= q) throw new DecodeError(path, 'a scalar below the secp256k1 group order');
    return x;
  },
  encode: (x) => scalarSchema.encode(x),
};
