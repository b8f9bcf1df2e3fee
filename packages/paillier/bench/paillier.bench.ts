/**
 * Paillier at both security levels (issue 3, "Benchmark"): key validation, encryption with the
 * public key and with the secret key (CRT), decryption (CRT), homomorphic scalar multiplication,
 * ciphertext validation, ring-Pedersen generation. Uses the committed fixtures. Env BENCH_RUNS.
 */
import { cryptoRng, randomBelow } from '@quorate/runtime';
import { activeBackend } from '@quorate/bigint';
import {
  LEVEL_2048,
  LEVEL_3072,
  PaillierPublicKey,
  PaillierSecretKey,
  fixtures,
  generateRingPedersen,
  validateRingPedersen,
} from '../src/index.ts';
import { header, time } from '../../bigint/bench/stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
console.log(`modexp backend: ${activeBackend()}`);

for (const level of [LEVEL_2048, LEVEL_3072]) {
  const pairs = level === LEVEL_3072 ? fixtures.primes3072 : fixtures.primes2048;
  const [p, q] = pairs[0] as [bigint, bigint];
  const [p2, q2] = pairs[1] as [bigint, bigint];
  header(`Paillier, level ${level.name} (N of ${level.paillierBits} bits)`);
  // First use of a modulus builds (and caches) its OpenSSL context; not part of the figures.
  const sk = PaillierSecretKey.fromPrimes(p, q, level);
  const pk = sk.publicKey;
  const warm = pk.encrypt(1n, cryptoRng);
  sk.decrypt(warm.C);
  sk.encrypt(1n, cryptoRng);
  sk.recoverRho(warm.C);
  const m = randomBelow(cryptoRng, pk.N);
  const k = randomBelow(cryptoRng, 1n << BigInt(level.ell + level.epsilon));
  const { C } = pk.encrypt(m, cryptoRng);
  await time('PaillierPublicKey.fromN (validation)', RUNS, () =>
    PaillierPublicKey.fromN(pk.N, level),
  );
  await time('encrypt (public key)', RUNS, () => pk.encrypt(m, cryptoRng));
  await time('encrypt (secret key, CRT)', RUNS, () => sk.encrypt(m, cryptoRng));
  await time('decrypt (CRT)', RUNS, () => sk.decrypt(C));
  await time('recoverRho (CRT)', RUNS, () => sk.recoverRho(C));
  await time(`mul: C^k, k of ℓ+ε = ${level.ell + level.epsilon} bits`, RUNS, () => pk.mul(C, k));
  await time('isValidCiphertext', RUNS, () => pk.isValidCiphertext(C));
  const rp = generateRingPedersen(p2, q2, cryptoRng);
  await time('generateRingPedersen (CRT, warm)', RUNS, () =>
    generateRingPedersen(p2, q2, cryptoRng),
  );
  await time('validateRingPedersen', RUNS, () => validateRingPedersen(rp.params, level));
}
