/**
 * Prove and verify time of the CGGMP21 proofs Π^mod, Π^prm, Π^fac, Π^sch, Π^enc and Π^log* at
 * each security level: min / median / max over repeated runs. Keys come from the committed
 * safe-prime fixtures. Run: npm run bench -- packages/zk   (or ZK_BENCH_RUNS=n to change runs).
 */
import {
  LEVEL_2048,
  LEVEL_3072,
  PaillierSecretKey,
  fixtures,
  generateRingPedersen,
} from '@quorate/paillier';
import type { SecurityLevel } from '@quorate/paillier';
import { activeBackend } from '@quorate/bigint';
import { cryptoRng } from '@quorate/runtime';
import * as enc from '../src/enc/index.ts';
import * as fac from '../src/fac/index.ts';
import * as logStar from '../src/log-star/index.ts';
import * as mod from '../src/mod/index.ts';
import * as prm from '../src/prm/index.ts';
import * as sch from '../src/sch/index.ts';
import { G } from '../src/common/index.ts';
import type { ProofContext, VerifyResult } from '../src/common/index.ts';

const RUNS = Number(process.env.ZK_BENCH_RUNS ?? 5);

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1).padStart(9);
  return `${f(s[0] as number)} ${f(s[Math.floor(s.length / 2)] as number)} ${f(s[s.length - 1] as number)}`;
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

function bench<P>(
  name: string,
  level: SecurityLevel,
  runs: number,
  prove: () => P,
  verify: (p: P) => VerifyResult,
) {
  const tp: number[] = [];
  const tv: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [proof, a] = time(prove);
    const [ok, b] = time(() => verify(proof));
    if (!ok.ok) throw new Error(`${name}: honest proof rejected (${ok.check})`);
    tp.push(a);
    tv.push(b);
  }
  console.log(
    `${name.padEnd(8)} ${level.name.padEnd(5)} ${String(runs).padStart(4)}  prove ${stats(tp)}   verify ${stats(tv)}`,
  );
}

console.log(`modexp backend: ${activeBackend()}; times in ms (min / median / max)`);
console.log(
  `proof    level runs  prove       min    median       max   verify       min    median       max`,
);
for (const level of [LEVEL_2048, LEVEL_3072]) {
  const pairs = level.name === '3072' ? fixtures.primes3072 : fixtures.primes2048;
  const [p, q] = pairs[3 % pairs.length] as readonly [bigint, bigint];
  const [p2, q2] = pairs[4 % pairs.length] as readonly [bigint, bigint];
  const sk = PaillierSecretKey.fromPrimes(p, q, level);
  const { params: aux, secret } = generateRingPedersen(p2, q2, cryptoRng);
  const ctx: ProofContext = { sessionId: new Uint8Array(32), prover: 1, level };
  const N0 = sk.publicKey.N;
  const heavy = Math.max(3, Math.ceil(RUNS / 2));

  bench(
    'mod',
    level,
    heavy,
    () => mod.prove(ctx, { N: N0 }, { p, q }, cryptoRng),
    (pr) => mod.verify(ctx, { N: N0 }, pr),
  );
  bench(
    'prm',
    level,
    heavy,
    () => prm.prove(ctx, aux, secret, cryptoRng),
    (pr) => prm.verify(ctx, aux, pr),
  );
  bench(
    'fac',
    level,
    RUNS,
    () => fac.prove(ctx, { N0, aux }, { p, q }, cryptoRng),
    (pr) => fac.verify(ctx, { N0, aux }, pr),
  );
  const x = 0xabcdefn;
  const X = G.multiply(x);
  bench(
    'sch',
    level,
    RUNS,
    () => sch.prove(ctx, { X }, { x }, cryptoRng),
    (pr) => sch.verify(ctx, { X }, pr),
  );
  const k = level.q - 5n; // below 2^ℓ and a valid scalar
  const { C: K, rho } = sk.publicKey.encrypt(k, cryptoRng);
  const ePub = { N0, K, aux };
  bench(
    'enc',
    level,
    RUNS,
    () => enc.prove(ctx, ePub, { k, rho }, cryptoRng),
    (pr) => enc.verify(ctx, ePub, pr),
  );
  const lPub = { N0, C: K, X: G.multiply(k), g: G, aux };
  bench(
    'log*',
    level,
    RUNS,
    () => logStar.prove(ctx, lPub, { x: k, rho }, cryptoRng),
    (pr) => logStar.verify(ctx, lPub, pr),
  );
}
