/**
 * Prove and verify time of Π^aff-g, Π^aff-p, Π^dec, Π^mul and Π^mul* (CGGMP21) at each security
 * level, min / median / max over repeated runs. Keys come from the committed fixtures; the
 * proving randomness from the CSPRNG. Run: npm run bench -- packages/zk/bench/proofs-b
 * (ZK_BENCH_RUNS overrides the number of runs.)
 */
import { mod } from '@quorate/bigint';
import { cryptoRng, randomSigned } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';
import * as affG from '../src/aff-g/index.ts';
import * as affP from '../src/aff-p/index.ts';
import * as dec from '../src/dec/index.ts';
import * as mul from '../src/mul/index.ts';
import * as mulStar from '../src/mul-star/index.ts';
import { G, mulSecret, pow2 } from '../src/common/index.ts';
import type { ProofContext, VerifyResult } from '../src/common/index.ts';
import { L2048, L3072, ctxFor, keys } from '../test/helpers-b.ts';

const rng = cryptoRng;
const RUNS = Number(process.env['ZK_BENCH_RUNS'] ?? 10);

interface Case {
  readonly name: string;
  prove(): unknown;
  verify(proof: unknown): VerifyResult;
}

function cases(level: SecurityLevel, ctx: ProofContext): Case[] {
  const k = keys(level);
  const x = randomSigned(rng, pow2(level.ell));
  const y = randomSigned(rng, pow2(level.ellPrime));
  const C = k.N0.encrypt(randomSigned(rng, pow2(level.ell)), rng).C;
  const rho = k.N0.randomRho(rng);
  const D = k.N0.add(k.N0.mul(C, x), k.N0.encryptWith(y, rho));
  const Dm = k.N0.add(k.N0.mul(C, x), k.N0.encryptWith(0n, rho));
  const { C: Xc, rho: rhoX } = k.N1.encrypt(x, rng);
  const { C: Y, rho: rhoY } = k.N1.encrypt(y, rng);
  const X = mulSecret(G, x);

  const gPub: affG.Public = { N0: k.N0, N1: k.N1, C, D, Y, X, aux: k.aux };
  const pPub: affP.Public = { N0: k.N0, N1: k.N1, C, D, X: Xc, Y, aux: k.aux };
  const sPub: mulStar.Public = { N0: k.N0, C, D: Dm, X, aux: k.aux };
  const Ym = k.N1.encrypt(y, rng).C;
  const rhoM = k.N1.randomRho(rng);
  const mPub: mul.Public = {
    N: k.N1,
    X: Xc,
    Y: Ym,
    C: k.N1.add(k.N1.mul(Ym, x), k.N1.encryptWith(0n, rhoM)),
  };
  const yd = randomSigned(rng, pow2(dec.yBits(level)));
  const { C: Cd, rho: rhoD } = k.N1.encrypt(yd, rng);
  const dPub: dec.Public = { N0: k.N1, C: Cd, x: mod(yd, level.q), aux: k.aux };

  return [
    {
      name: 'aff-g',
      prove: () => affG.prove(ctx, gPub, { x, y, rho, rhoY }, rng),
      verify: (p) => affG.verify(ctx, gPub, p as affG.Proof),
    },
    {
      name: 'aff-p',
      prove: () => affP.prove(ctx, pPub, { x, y, rho, rhoX, rhoY }, rng),
      verify: (p) => affP.verify(ctx, pPub, p as affP.Proof),
    },
    {
      name: 'dec',
      prove: () => dec.prove(ctx, dPub, { y: yd, rho: rhoD }, rng),
      verify: (p) => dec.verify(ctx, dPub, p as dec.Proof),
    },
    {
      name: 'mul',
      prove: () => mul.prove(ctx, mPub, { x, rho: rhoM, rhoX }, rng),
      verify: (p) => mul.verify(ctx, mPub, p as mul.Proof),
    },
    {
      name: 'mul*',
      prove: () => mulStar.prove(ctx, sPub, { x, rho }, rng),
      verify: (p) => mulStar.verify(ctx, sPub, p as mulStar.Proof),
    },
  ];
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (i: number) => (s[i] ?? NaN).toFixed(1);
  return `${at(0).padStart(8)} ${at(Math.floor(s.length / 2)).padStart(8)} ${at(s.length - 1).padStart(8)}`;
}

console.log(`zk proofs (B): ${RUNS} runs each, times in ms (min / median / max)`);
console.log('level  proof     prove: min   median      max   verify: min   median      max');
for (const level of [L2048, L3072]) {
  const ctx = ctxFor(level);
  for (const c of cases(level, ctx)) {
    const tp: number[] = [];
    const tv: number[] = [];
    c.verify(c.prove()); // warm-up (OpenSSL contexts, JIT)
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      const proof = c.prove();
      tp.push(performance.now() - t0);
      t0 = performance.now();
      const r = c.verify(proof);
      tv.push(performance.now() - t0);
      if (!r.ok) throw new Error(`${c.name} at ${level.name}: honest proof rejected (${r.check})`);
    }
    console.log(`${level.name.padEnd(6)} ${c.name.padEnd(9)} ${stats(tp)}        ${stats(tv)}`);
  }
}
