import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { deterministicRng } from '@quorate/runtime/harness';
import { SafePrimePool, bitLength, gcd, isProbablePrime, modPow } from '@quorate/bigint';
import {
  DEFAULT_LEVEL,
  LEVEL_2048,
  LEVEL_3072,
  PaillierParamError,
  PaillierPublicKey,
  PaillierSecretKey,
  fixtures,
  levelByName,
  type SecurityLevel,
} from '../src/index.ts';

const rng = deterministicRng('paillier/test');

function paramError(field: string, reason: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof PaillierParamError, `expected PaillierParamError, got ${String(e)}`);
    assert.equal(e.field, field);
    assert.equal(e.reason, reason);
    return true;
  };
}

describe('security levels', () => {
  test('values and lookup', () => {
    assert.equal(DEFAULT_LEVEL, LEVEL_3072);
    assert.equal(levelByName('3072'), LEVEL_3072);
    assert.equal(levelByName('2048'), LEVEL_2048);
    assert.throws(() => levelByName('1024'), paramError('level', 'unknown-level'));
    assert.equal(LEVEL_3072.paillierBits, 3072);
    assert.equal(LEVEL_2048.paillierBits, 2048);
    assert.ok(Object.isFrozen(LEVEL_3072));
  });
});

describe('fixtures', () => {
  test('several pairs of distinct Blum primes per level, products of exact size', () => {
    for (const [pairs, level] of [
      [fixtures.primes3072, LEVEL_3072],
      [fixtures.primes2048, LEVEL_2048],
    ] as const) {
      assert.ok(pairs.length >= 4);
      const all = pairs.flat();
      assert.equal(new Set(all).size, all.length);
      for (const [p, q] of pairs) {
        assert.equal(bitLength(p * q), level.paillierBits);
        assert.equal(p & 3n, 3n);
        assert.equal(q & 3n, 3n);
      }
    }
    // One full primality check of a safe prime (p and (p−1)/2), the rest is trusted.
    const [p] = fixtures.primes2048[0] as [bigint, bigint];
    assert.ok(isProbablePrime(p) && isProbablePrime((p - 1n) / 2n));
  });
});

for (const level of [LEVEL_2048, LEVEL_3072]) {
  describe(`Paillier at level ${level.name}`, () => {
    const pairs = level === LEVEL_3072 ? fixtures.primes3072 : fixtures.primes2048;
    const [p, q] = pairs[0] as [bigint, bigint];
    const sk = PaillierSecretKey.fromPrimes(p, q, level);
    const pk = sk.publicKey;

    test('encrypt → decrypt, signed values, public and CRT encryption agree', () => {
      for (const m of [0n, 1n, 42n, pk.N - 1n, -1n, -123456789n, pk.N + 5n]) {
        const { C, rho } = pk.encrypt(m, rng);
        assert.ok(pk.isValidCiphertext(C));
        assert.equal(sk.decrypt(C), ((m % pk.N) + pk.N) % pk.N);
        assert.equal(sk.encryptWith(m, rho), C);
        assert.equal(sk.recoverRho(C), rho);
      }
      const { C } = sk.encrypt(-5n, rng);
      assert.equal(sk.decryptSigned(C), -5n);
      assert.equal(sk.decryptSigned(pk.encrypt((pk.N - 1n) / 2n, rng).C), (pk.N - 1n) / 2n);
      assert.equal(sk.decryptSigned(pk.encrypt((pk.N + 1n) / 2n, rng).C), -(pk.N - 1n) / 2n);
    });

    test('(1+N)^m = 1 + mN: encryptWith equals the textbook formula', () => {
      const rho = pk.randomRho(rng);
      const m = 987654321n;
      assert.equal(
        pk.encryptWith(m, rho),
        (modPow(1n + pk.N, m, pk.N2) * modPow(rho, pk.N, pk.N2)) % pk.N2,
      );
    });

    test('homomorphic add and scalar multiplication (also negative)', () => {
      const a = 1234567n;
      const b = -89n;
      const ca = pk.encrypt(a, rng).C;
      const cb = pk.encrypt(b, rng).C;
      assert.equal(sk.decryptSigned(pk.add(ca, cb)), a + b);
      assert.equal(sk.decryptSigned(pk.mul(ca, -3n)), -3n * a);
      assert.equal(sk.decryptSigned(pk.mul(cb, 1n << 300n)), b * (1n << 300n));
    });

    test('ciphertext validation: 0 < C < N², gcd(C, N) = 1', () => {
      const { C } = pk.encrypt(7n, rng);
      assert.equal(pk.isValidCiphertext(C), true);
      for (const bad of [0n, -C, pk.N2, pk.N2 + 1n, p, q * 5n, pk.N]) {
        assert.equal(pk.isValidCiphertext(bad), false, `${bad}`);
      }
      assert.throws(() => pk.validateCiphertext(0n), paramError('C', 'out-of-range'));
      assert.throws(
        () => pk.validateCiphertext(pk.N2, 'payload.K'),
        paramError('payload.K', 'out-of-range'),
      );
      assert.throws(() => pk.validateCiphertext(p * 3n), paramError('C', 'not-coprime'));
      pk.validateCiphertext(C);
    });

    test('randomRho is a unit below N', () => {
      for (let i = 0; i < 5; i++) {
        const r = pk.randomRho(rng);
        assert.ok(r > 0n && r < pk.N && gcd(r, pk.N) === 1n);
      }
    });

    test('phi', () => {
      assert.equal(sk.phi, (p - 1n) * (q - 1n));
    });
  });
}

describe('public N validation', () => {
  const level: SecurityLevel = LEVEL_2048;
  const [p, q] = fixtures.primes2048[0] as [bigint, bigint];
  const [p2] = fixtures.primes2048[1] as [bigint, bigint];
  const N = p * q;

  test('an honest N is accepted', () => {
    assert.equal(PaillierPublicKey.fromN(N, level).N, N);
  });

  test('rejects 0, 1, negative, even, short, long', () => {
    assert.throws(() => PaillierPublicKey.fromN(0n, level), paramError('N', 'too-small'));
    assert.throws(() => PaillierPublicKey.fromN(1n, level), paramError('N', 'too-small'));
    assert.throws(() => PaillierPublicKey.fromN(-N, level), paramError('N', 'too-small'));
    assert.throws(() => PaillierPublicKey.fromN(N + 1n, level), paramError('N', 'even'));
    assert.throws(
      () => PaillierPublicKey.fromN((N >> 1n) | 1n, level),
      paramError('N', 'bit-length'),
    );
    assert.throws(() => PaillierPublicKey.fromN(N * 3n, level), paramError('N', 'bit-length'));
    assert.throws(() => PaillierPublicKey.fromN(N, LEVEL_3072), paramError('N', 'bit-length'));
    assert.throws(
      () => PaillierPublicKey.fromN('5' as unknown as bigint, level),
      paramError('N', 'not-integer'),
    );
  });

  test('rejects small factors (BitForge-style), a prime, a square and a prime power, naming the field', () => {
    // N with many small factors and one big cofactor, of the right size and odd.
    const small = 3n * 5n * 7n * 11n * 13n;
    let big = (1n << 2047n) / small + 1n;
    if ((big & 1n) === 0n) big += 1n;
    assert.throws(
      () => PaillierPublicKey.fromN(small * big, level, 'payload.N'),
      paramError('payload.N', 'small-factor'),
    );
    // A prime of 2048 bits: the RFC 3526 group-14 prime that node:crypto ships.
    const prime2048 = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
    assert.throws(() => PaillierPublicKey.fromN(prime2048, level), paramError('N', 'prime'));
    // p² of 2048 bits (p is a 1024-bit prime): a perfect square.
    const sq = p2 * p2;
    assert.equal(bitLength(sq), 2048);
    assert.throws(() => PaillierPublicKey.fromN(sq, level), paramError('N', 'perfect-power'));
  });

  test('rejects a cube of a prime (prime power with k = 3)', () => {
    // 1.26 · 2^682 > 2^(2047/3), so r³ has exactly 2048 bits.
    let r = (((1n << 682n) * 126n) / 100n) | 1n;
    assert.equal(bitLength(r ** 3n), 2048);
    while (!isProbablePrime(r)) r += 2n;
    assert.throws(() => PaillierPublicKey.fromN(r ** 3n, level), paramError('N', 'perfect-power'));
  });
});

describe('secret key construction', () => {
  const [p, q] = fixtures.primes2048[0] as [bigint, bigint];
  test('fromPrimes rejects equal primes, wrong sizes and non-Blum primes', () => {
    assert.throws(() => PaillierSecretKey.fromPrimes(p, p, LEVEL_2048), paramError('q', 'equal'));
    assert.throws(
      () => PaillierSecretKey.fromPrimes(p, q, LEVEL_3072),
      paramError('p', 'bit-length'),
    );
    // A value ≡ 1 (mod 4) of the right size (Blum-ness is checked before anything else).
    const notBlum = (1n << 1023n) + 1n;
    assert.throws(
      () => PaillierSecretKey.fromPrimes(p, notBlum, LEVEL_2048),
      paramError('q', 'not-blum'),
    );
  });

  test('generate pairs primes from a pool into N of the exact size', async () => {
    // A tiny custom level keeps this fast; the pairing logic is the same.
    const tiny: SecurityLevel = { ...LEVEL_2048, name: 'tiny', paillierBits: 256 };
    const pool = new SafePrimePool(128, 4);
    try {
      const sk = await PaillierSecretKey.generate(tiny, pool);
      assert.equal(bitLength(sk.publicKey.N), 256);
      assert.notEqual(sk.p, sk.q);
      assert.equal(sk.decrypt(sk.publicKey.encrypt(77n, rng).C), 77n);
    } finally {
      pool.close();
    }
    await assert.rejects(PaillierSecretKey.generate(tiny, new SafePrimePool(64, 0)), RangeError);
  });
});
