import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { deterministicRng } from '@quorate/runtime/harness';
import { randomBelow } from '@quorate/runtime';
import {
  CrtContext,
  activeBackend,
  availableBackends,
  modInverse,
  modPow,
  modPowBigint,
  modPowCrt,
  modPowWith,
  setBackend,
  type BackendName,
} from '../src/index.ts';

/** Plain square-and-multiply, the reference every backend must match. */
function reference(b: bigint, e: bigint, m: bigint): bigint {
  if (e < 0n) {
    b = modInverse(b, m);
    e = -e;
  }
  let r = 1n % m;
  b = ((b % m) + m) % m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

const rng = deterministicRng('bigint/modpow');
const rand = (bits: number): bigint => randomBelow(rng, 1n << BigInt(bits));
const backends = availableBackends();

describe('modPow backends', () => {
  after(() => setBackend('auto'));

  test('OpenSSL is selected automatically on this machine', () => {
    assert.ok(backends.includes('bigint'));
    assert.equal(activeBackend(), backends[0]);
  });

  for (const name of backends) {
    test(`${name}: random inputs agree with the reference`, () => {
      for (const bits of [64, 511, 512, 1023, 1024, 1536, 2048]) {
        for (let i = 0; i < 3; i++) {
          const m = rand(bits) | 1n | (1n << BigInt(bits - 1));
          const b = rand(bits + 5);
          const e = rand(bits);
          assert.equal(modPowWith(name, b, e, m), reference(b, e, m), `bits=${bits}`);
        }
      }
    });

    test(`${name}: edge cases (base 0, 1, m−1, m, exponent 0, negative exponent, even modulus)`, () => {
      const m = rand(1100) | 1n | (1n << 1099n);
      const e = rand(900) | 1n;
      const cases: [bigint, bigint, bigint][] = [
        [0n, e, m],
        [0n, 0n, m],
        [1n, e, m],
        [m - 1n, e, m],
        [m - 1n, e + 1n, m],
        [m, e, m],
        [-1n, e, m],
        [-5n, e, m],
        [m + 2n, e, m],
        [2n, 0n, m],
        [2n, 1n, m],
        [3n, -e, m],
        [m - 2n, -1n, m],
        [3n, e, m * 2n],
        [3n, e, 1n << 1100n],
        [3n, e, 1n],
        [5n, e, 7n],
        [2n, e, (1n << 10001n) + 1n],
      ];
      for (const [b, x, mm] of cases)
        assert.equal(modPowWith(name, b, x, mm), reference(b, x, mm), `b=${b} e=${x}`);
    });

    test(`${name}: rejects m ≤ 0 and a negative exponent of a non-unit`, () => {
      assert.throws(() => modPowWith(name as BackendName, 2n, 3n, 0n), RangeError);
      assert.throws(() => modPowWith(name as BackendName, 2n, 3n, -5n), RangeError);
      assert.throws(() => modPowWith(name as BackendName, 6n, -1n, 9n), RangeError);
    });
  }

  test('openssl: results OpenSSL refuses (1 and m − 1, DH_R_INVALID_SECRET) fall back correctly', () => {
    const p = (1n << 1279n) - 1n; // Mersenne prime, p ≡ 7 (mod 8): 2 is a square, 3 is not
    assert.equal(modPowWith('openssl', 2n, p - 1n, p), 1n);
    assert.equal(modPowWith('openssl', 3n, (p - 1n) / 2n, p), p - 1n);
    assert.equal(modPowWith('openssl', 2n, (p - 1n) / 2n, p), 1n);
  });

  test('setBackend forces a backend and modPow follows it', () => {
    setBackend('bigint');
    assert.equal(activeBackend(), 'bigint');
    const m = (1n << 1279n) - 1n;
    assert.equal(modPow(3n, m - 1n, m), 1n); // 2^1279 − 1 is a Mersenne prime
    setBackend('auto');
    assert.equal(modPow(3n, m - 1n, m), 1n);
    assert.equal(modPowBigint(3n, 5n, 7n), 5n);
  });
});

describe('CRT', () => {
  // Two primes: 2^521 − 1 and 2^607 − 1 (Mersenne).
  const p = (1n << 521n) - 1n;
  const q = (1n << 607n) - 1n;

  test('modPowCrt agrees with modPow, for units, multiples of p, zero and negative exponents', () => {
    const N = p * q;
    for (const b of [2n, rand(1100), p * 3n, q, 0n, N - 1n, N + 5n, -7n]) {
      for (const e of [0n, 1n, 65537n, rand(1200), N]) {
        assert.equal(modPowCrt(b, e, p, q), reference(b, e, N), `b=${b} e=${e}`);
      }
    }
    assert.equal(modPowCrt(3n, -12345n, p, q), reference(3n, -12345n, N));
    assert.throws(() => modPowCrt(p, -1n, p, q), RangeError);
  });

  test('CrtContext modulo (p·q)^2 agrees with the reference', () => {
    const ctx = new CrtContext(p, q, 2);
    const N2 = (p * q) ** 2n;
    assert.equal(ctx.modulus, N2);
    for (const b of [2n, rand(2200), p, p * p * 5n]) {
      for (const e of [0n, 3n, p * q, rand(2300)]) assert.equal(ctx.pow(b, e), reference(b, e, N2));
    }
  });

  test('CrtContext rejects equal or trivial primes and a bad k', () => {
    assert.throws(() => new CrtContext(p, p), RangeError);
    assert.throws(() => new CrtContext(1n, p), RangeError);
    assert.throws(() => new CrtContext(p, q, 0), RangeError);
  });
});
