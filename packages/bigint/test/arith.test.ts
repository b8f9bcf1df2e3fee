import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bigintToBytes,
  bitLength,
  bytesToBigint,
  gcd,
  jacobi,
  mod,
  modInverse,
} from '../src/index.ts';

describe('arith', () => {
  test('mod is in [0, m) and rejects m ≤ 0', () => {
    assert.equal(mod(-7n, 5n), 3n);
    assert.equal(mod(7n, 5n), 2n);
    assert.equal(mod(-10n, 5n), 0n);
    assert.throws(() => mod(1n, 0n), RangeError);
    assert.throws(() => mod(1n, -3n), RangeError);
  });

  test('gcd', () => {
    assert.equal(gcd(0n, 0n), 0n);
    assert.equal(gcd(12n, 18n), 6n);
    assert.equal(gcd(-12n, 18n), 6n);
    assert.equal(gcd(17n, 0n), 17n);
  });

  test('modInverse inverts and throws RangeError when not invertible', () => {
    const m = (1n << 127n) - 1n;
    const a = 0x1234567890abcdefn;
    assert.equal((a * modInverse(a, m)) % m, 1n);
    assert.equal(modInverse(-3n, 7n), 2n);
    assert.throws(() => modInverse(6n, 9n), RangeError);
    assert.throws(() => modInverse(0n, 9n), RangeError);
    assert.throws(() => modInverse(3n, 0n), RangeError);
  });

  test('jacobi agrees with Euler’s criterion modulo a prime and with the product rule', () => {
    const p = 1000003n; // prime
    for (const a of [0n, 1n, 2n, 3n, 5n, 999999n, -1n, 123456n]) {
      const e = (() => {
        let r = 1n;
        let b = mod(a, p);
        let x = (p - 1n) / 2n;
        while (x > 0n) {
          if (x & 1n) r = (r * b) % p;
          b = (b * b) % p;
          x >>= 1n;
        }
        return r;
      })();
      const expected = e === 0n ? 0 : e === 1n ? 1 : -1;
      assert.equal(jacobi(a, p), expected, `a=${a}`);
    }
    const q = 1000033n;
    for (const a of [2n, 7n, 11n, 123456789n])
      assert.equal(jacobi(a, p * q), jacobi(a, p) * jacobi(a, q));
    assert.equal(jacobi(5n, 15n), 0);
    assert.equal(jacobi(3n, 1n), 1);
    assert.throws(() => jacobi(3n, 10n), RangeError);
    assert.throws(() => jacobi(3n, -7n), RangeError);
  });

  test('bitLength', () => {
    assert.equal(bitLength(0n), 0);
    assert.equal(bitLength(1n), 1);
    assert.equal(bitLength(255n), 8);
    assert.equal(bitLength(256n), 9);
    assert.equal(bitLength(-256n), 9);
    assert.equal(bitLength(1n << 3071n), 3072);
  });

  test('bytes round trip, padding and errors', () => {
    assert.deepEqual(bigintToBytes(0n), new Uint8Array(0));
    assert.deepEqual(bigintToBytes(0x0102n, 4), new Uint8Array([0, 0, 1, 2]));
    assert.deepEqual(bigintToBytes(0x10203n), new Uint8Array([1, 2, 3]));
    assert.equal(bytesToBigint(new Uint8Array([0, 1, 2, 3])), 0x10203n);
    assert.equal(bytesToBigint(new Uint8Array(0)), 0n);
    const x = (1n << 2047n) + 12345n;
    assert.equal(bytesToBigint(bigintToBytes(x)), x);
    assert.throws(() => bigintToBytes(-1n), RangeError);
    assert.throws(() => bigintToBytes(0x10000n, 2), RangeError);
  });
});
