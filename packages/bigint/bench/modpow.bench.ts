/**
 * Modular exponentiation per backend and per size (issue 3, "Benchmark"): OpenSSL via
 * node:crypto, pure BigInt, gmp-wasm's mpz_powm / mpz_powm_sec when the peer folder is installed
 * (`npm install --prefix packages/bigint/bench/peers`), and CRT for a known factorization;
 * then safe-prime generation. Env BENCH_RUNS (default 10), BENCH_PRIME_RUNS (default 3).
 */
import { generatePrimeSync } from 'node:crypto';
import { randomBelow, cryptoRng } from '@quorate/runtime';
import { CrtContext, availableBackends, generateSafePrime, modPowWith } from '../src/index.ts';
import { header, time } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PRIME_RUNS = Number(process.env.BENCH_PRIME_RUNS ?? 3);
const rand = (bits: number): bigint =>
  randomBelow(cryptoRng, 1n << BigInt(bits)) | (1n << BigInt(bits - 1));

type Powm = (b: bigint, e: bigint, m: bigint) => bigint;

/** gmp-wasm's mpz_powm and mpz_powm_sec, if the peer library is installed. */
async function loadGmp(): Promise<{ powm: Powm; powmSec: Powm } | undefined> {
  try {
    const spec = './peers/node_modules/gmp-wasm/dist/index.umd.js';
    const mod = (await import(spec)) as {
      init?: () => Promise<unknown>;
      default?: { init: () => Promise<unknown> };
    };
    const init = mod.init ?? mod.default?.init;
    if (!init) return undefined;
    const lib = (await init()) as {
      binding: {
        mpz_t(): number;
        mpz_init(x: number): void;
        mpz_set_string(x: number, s: string, base: number): number;
        mpz_to_string(x: number, base: number): string;
        mpz_powm(r: number, b: number, e: number, m: number): void;
        mpz_powm_sec(r: number, b: number, e: number, m: number): void;
      };
    };
    const g = lib.binding;
    const regs = [g.mpz_t(), g.mpz_t(), g.mpz_t(), g.mpz_t()] as const;
    for (const r of regs) g.mpz_init(r);
    const [R, B, E, M] = regs;
    const run =
      (sec: boolean): Powm =>
      (b, e, m) => {
        g.mpz_set_string(B, b.toString(16), 16);
        g.mpz_set_string(E, e.toString(16), 16);
        g.mpz_set_string(M, m.toString(16), 16);
        if (sec) g.mpz_powm_sec(R, B, E, M);
        else g.mpz_powm(R, B, E, M);
        return BigInt('0x' + g.mpz_to_string(R, 16));
      };
    return { powm: run(false), powmSec: run(true) };
  } catch {
    return undefined;
  }
}

const gmp = await loadGmp();
console.log(
  `machine: ${(await import('node:os')).cpus().length} cores, node ${process.version}, OpenSSL ${process.versions.openssl}`,
);
console.log(`gmp-wasm: ${gmp ? 'installed' : 'not installed (skipped)'}`);

header('modexp: base^exp mod m (odd m, random base)');
for (const [mBits, eBits] of [
  [2048, 2048],
  [3072, 3072],
  [4096, 2048],
  [4096, 4096],
  [6144, 3072],
] as const) {
  const m = rand(mBits) | 1n;
  const b = rand(mBits - 1);
  const e = rand(eBits);
  const label = `${mBits}-bit m, ${eBits}-bit exp`;
  let expected: bigint | undefined;
  for (const name of availableBackends()) {
    const runs = name === 'bigint' ? Math.max(3, Math.ceil(RUNS / 3)) : RUNS;
    await time(`${name}: ${label}`, runs, () => {
      const r = modPowWith(name, b, e, m);
      if (expected !== undefined && r !== expected) throw new Error('backends disagree');
      expected = r;
    });
  }
  if (gmp) {
    await time(`gmp-wasm mpz_powm: ${label}`, RUNS, () => gmp.powm(b, e, m));
    await time(`gmp-wasm mpz_powm_sec: ${label}`, RUNS, () => gmp.powmSec(b, e, m));
  }
}

header('CRT: base^exp mod p·q with known p, q (vs. plain modPow)');
for (const bits of [2048, 3072]) {
  const p = generatePrimeSync(bits / 2, { bigint: true });
  const q = generatePrimeSync(bits / 2, { bigint: true });
  const crt = new CrtContext(p, q);
  const crt2 = new CrtContext(p, q, 2);
  const b = rand(bits - 1);
  const e = rand(bits);
  await time(`CRT mod N (${bits}-bit N), ${bits}-bit exp`, RUNS, () => crt.pow(b, e));
  await time(`plain mod N (${bits}-bit N), ${bits}-bit exp`, RUNS, () =>
    modPowWith('openssl', b, e, p * q),
  );
  await time(`CRT mod N² (${2 * bits}-bit), ${bits}-bit exp`, RUNS, () => crt2.pow(b, p * q));
  await time(`plain mod N² (${2 * bits}-bit), ${bits}-bit exp`, RUNS, () =>
    modPowWith('openssl', b, p * q, (p * q) ** 2n),
  );
}

header('safe-prime generation (node:crypto generatePrime, safe: true)');
for (const bits of [1024, 1536]) {
  await time(`safe prime, ${bits} bits`, PRIME_RUNS, () => generateSafePrime(bits));
}
