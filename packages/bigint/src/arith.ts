/**
 * Elementary number theory on native BigInt: reduction, gcd, inverse, Jacobi symbol, bit length
 * and big-endian byte conversion. These are variable time (BigInt is); see README.md for which
 * operations may touch secrets.
 */

/** a mod m, in [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('mod: modulus must be positive');
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Greatest common divisor of |a| and |b| (gcd(0, 0) = 0). */
export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/** a^-1 mod m by the extended Euclidean algorithm; RangeError when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('modInverse: modulus must be positive');
  if (m === 1n) return 0n;
  let r0 = m;
  let r1 = mod(a, m);
  let t0 = 0n;
  let t1 = 1n;
  while (r1 !== 0n) {
    const qt = r0 / r1;
    [r0, r1] = [r1, r0 - qt * r1];
    [t0, t1] = [t1, t0 - qt * t1];
  }
  if (r0 !== 1n) throw new RangeError('modInverse: value is not invertible modulo m');
  return t0 < 0n ? t0 + m : t0;
}

/** Jacobi symbol (a / n) for odd positive n, by quadratic reciprocity. */
export function jacobi(a: bigint, n: bigint): -1 | 0 | 1 {
  if (n <= 0n || (n & 1n) === 0n) throw new RangeError('jacobi: n must be odd and positive');
  a = mod(a, n);
  let result: -1 | 1 = 1;
  while (a !== 0n) {
    // Pull out factors of two: (2/n) = -1 exactly when n ≡ 3, 5 (mod 8).
    let twos = 0;
    while ((a & 1n) === 0n) {
      a >>= 1n;
      twos++;
    }
    const n8 = n & 7n;
    if ((twos & 1) === 1 && (n8 === 3n || n8 === 5n)) result = result === 1 ? -1 : 1;
    // Reciprocity: swap, with a sign change when both are ≡ 3 (mod 4).
    if ((a & 3n) === 3n && (n & 3n) === 3n) result = result === 1 ? -1 : 1;
    [a, n] = [n % a, a];
  }
  return n === 1n ? result : 0;
}

/** Number of bits of |a|; bitLength(0n) === 0. */
export function bitLength(a: bigint): number {
  if (a < 0n) a = -a;
  if (a === 0n) return 0;
  const hex = a.toString(16);
  // The leading hex digit carries 1 to 4 bits.
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0] as string, 16)));
}

/** Big-endian bytes of a non-negative x, left-padded to len bytes when len is given. */
export function bigintToBytes(x: bigint, len?: number): Uint8Array {
  if (x < 0n) throw new RangeError('bigintToBytes: value must be non-negative');
  let hex = x === 0n ? '' : x.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const n = hex.length / 2;
  const size = len ?? n;
  if (n > size) throw new RangeError(`bigintToBytes: value does not fit in ${size} bytes`);
  const out = new Uint8Array(size);
  out.set(Buffer.from(hex, 'hex'), size - n);
  return out;
}

/** Big-endian bytes to a non-negative bigint (empty array is 0). */
export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}
