/**
 * The two groups backups can belong to, behind one small interface so the recovery math
 * (Lagrange interpolation at 0, public-share checks) is written once: secp256k1 (CGGMP21, FROST
 * secp256k1 and BIP340) with 33-byte compressed points, Ed25519 (FROST Ed25519) with RFC 8032
 * 32-byte points. Arithmetic is @noble/curves'.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

export type CurveName = 'secp256k1' | 'ed25519';

export interface GroupPoint {
  add(o: GroupPoint): GroupPoint;
  equals(o: GroupPoint): boolean;
  toBytes(compressed?: boolean): Uint8Array;
}

export interface Curve {
  readonly name: CurveName;
  readonly order: bigint;
  readonly pointBytes: number;
  /** Throws on a non-canonical encoding, off-curve point or the identity. */
  decodePoint(bytes: Uint8Array): GroupPoint;
  encodePoint(p: GroupPoint): Uint8Array;
  /** x·G for a secret x (constant-time path). */
  mulBase(x: bigint): GroupPoint;
  /** P·k for a public k. */
  mulPublic(p: GroupPoint, k: bigint): GroupPoint;
  zero(): GroupPoint;
}

function mod(a: bigint, n: bigint): bigint {
  const r = a % n;
  return r < 0n ? r + n : r;
}

function make(
  name: CurveName,
  P: typeof secp256k1.Point | typeof ed25519.Point,
  bytes: number,
): Curve {
  type Pt = InstanceType<typeof P>;
  const order = P.Fn.ORDER;
  return Object.freeze({
    name,
    order,
    pointBytes: bytes,
    decodePoint(b: Uint8Array): GroupPoint {
      if (b.length !== bytes) throw new Error(`expected ${bytes} bytes`);
      const p = (P as typeof secp256k1.Point).fromBytes(b) as unknown as Pt;
      if (p.is0()) throw new Error('the identity');
      if (name === 'ed25519' && !p.isTorsionFree())
        throw new Error('not in the prime-order subgroup');
      return p as unknown as GroupPoint;
    },
    encodePoint: (p: GroupPoint) => (p as unknown as Pt).toBytes(true),
    mulBase(x: bigint): GroupPoint {
      const k = mod(x, order);
      return (k === 0n ? P.ZERO : (P.BASE as Pt).multiply(k)) as unknown as GroupPoint;
    },
    mulPublic(p: GroupPoint, k: bigint): GroupPoint {
      const m = mod(k, order);
      return (m === 0n ? P.ZERO : (p as unknown as Pt).multiplyUnsafe(m)) as unknown as GroupPoint;
    },
    zero: () => P.ZERO as unknown as GroupPoint,
  });
}

export const CURVES: Readonly<Record<CurveName, Curve>> = Object.freeze({
  secp256k1: make('secp256k1', secp256k1.Point, 33),
  ed25519: make('ed25519', ed25519.Point, 32),
});

export function modInverse(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, n), n, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, n);
}

/** Lagrange coefficient of party j over `ids`, evaluated at 0 (ids are the Shamir x-coordinates). */
export function lagrangeAtZero(curve: Curve, j: number, ids: readonly number[]): bigint {
  const n = curve.order;
  let num = 1n;
  let den = 1n;
  for (const m of ids) {
    if (m === j) continue;
    num = mod(num * BigInt(m), n);
    den = mod(den * (BigInt(m) - BigInt(j)), n);
  }
  return mod(num * modInverse(den, n), n);
}

export { mod };
