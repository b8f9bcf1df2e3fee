/**
 * Portable modular exponentiation on native BigInt: left-to-right sliding window
 * (Handbook of Applied Cryptography, algorithm 14.85). Variable time: the sequence of
 * multiplications depends on the exponent bits. Used as the fallback backend and as the
 * reference the other backends are tested against.
 */

/** Window width for an exponent of the given size (minimises squarings + table + multiplications). */
function windowBits(expBits: number): number {
  if (expBits <= 24) return 1;
  if (expBits <= 80) return 3;
  if (expBits <= 240) return 4;
  if (expBits <= 672) return 5;
  return 6;
}

/** base^exp mod m for exp ≥ 0 and m ≥ 1. */
export function modPowBigint(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let b = base % m;
  if (b < 0n) b += m;
  if (exp === 0n) return 1n;
  if (b === 0n) return 0n;
  const bits = exp.toString(2);
  const w = windowBits(bits.length);
  // Odd powers b^1, b^3, …, b^(2^w − 1).
  const table: bigint[] = [b];
  if (w > 1) {
    const b2 = (b * b) % m;
    for (let i = 1; i < 1 << (w - 1); i++) table.push(((table[i - 1] as bigint) * b2) % m);
  }
  let r = 1n;
  let i = 0;
  const n = bits.length;
  while (i < n) {
    if (bits[i] === '0') {
      r = (r * r) % m;
      i++;
      continue;
    }
    // Longest window starting at i, of at most w bits, ending in a 1.
    let j = Math.min(i + w, n) - 1;
    while (bits[j] === '0') j--;
    const len = j - i + 1;
    const val = parseInt(bits.slice(i, j + 1), 2);
    for (let k = 0; k < len; k++) r = (r * r) % m;
    r = (r * (table[val >> 1] as bigint)) % m;
    i = j + 1;
  }
  return r;
}
