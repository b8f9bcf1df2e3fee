import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SafePrimePool, bitLength, generateSafePrime, isProbablePrime } from '../src/index.ts';

describe('primes', () => {
  test('isProbablePrime', () => {
    for (const n of [-7n, 0n, 1n, 4n, 561n, 1105n, (1n << 127n) + 1n])
      assert.equal(isProbablePrime(n), false, `${n}`);
    for (const n of [2n, 3n, 65537n, (1n << 127n) - 1n, (1n << 521n) - 1n])
      assert.equal(isProbablePrime(n), true, `${n}`);
    // 3215031751 = 151·751·28351, a strong pseudoprime to bases 2, 3, 5 and 7.
    assert.equal(isProbablePrime(3215031751n), false);
  });

  test('generateSafePrime gives a safe prime of the exact size; rejects bad sizes', async () => {
    const p = await generateSafePrime(64);
    assert.equal(bitLength(p), 64);
    assert.ok(isProbablePrime(p) && isProbablePrime((p - 1n) / 2n));
    await assert.rejects(generateSafePrime(2), RangeError);
    await assert.rejects(generateSafePrime(10.5), RangeError);
  });

  test('SafePrimePool fills in the background and hands out distinct primes', async () => {
    const pool = new SafePrimePool(64, 2);
    const got = await Promise.all([pool.take(), pool.take(), pool.take()]);
    for (const p of got) {
      assert.equal(bitLength(p), 64);
      assert.ok(isProbablePrime(p) && isProbablePrime((p - 1n) / 2n));
    }
    assert.equal(new Set(got).size, 3);
    pool.close();
    await assert.rejects(pool.take(), /closed/);
    assert.equal(pool.size, 0);
  });

  test('SafePrimePool close rejects pending takes; bad arguments throw', async () => {
    const pool = new SafePrimePool(256, 0);
    const pending = pool.take();
    pool.close();
    await assert.rejects(pending, /closed/);
    assert.throws(() => new SafePrimePool(2, 1), RangeError);
    assert.throws(() => new SafePrimePool(64, -1), RangeError);
    assert.throws(() => new SafePrimePool(64, 1, 0), RangeError);
  });
});
