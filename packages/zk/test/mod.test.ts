import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL_2048, LEVEL_3072 } from '@quorate/paillier';
import { gcd, jacobi, mod, modInverse, modPow } from '@quorate/bigint';
import { randomBelow } from '@quorate/runtime';
import type { Rng } from '@quorate/runtime';
import * as pimod from '../src/mod/index.ts';
import type { ProofContext } from '../src/common/index.ts';
import {
  assertCheck,
  assertOk,
  bitForgeModulus,
  ctxOf,
  keysA,
  prime,
  productOfBits,
  rngOf,
  roundTrip,
} from './helpers-a.ts';

const level = LEVEL_2048;
const { sk } = keysA(level);
const N = sk.publicKey.N;
const ctx = ctxOf(level);
const pub = { N };
const proof = pimod.prove(ctx, pub, { p: sk.p, q: sk.q }, rngOf('mod'));

/**
 * A cheating prover that knows the full factorization of a bad N and answers whatever it can:
 * N-th roots where N is invertible mod φ(N), fourth roots by brute force over (a, b) where they
 * exist, and garbage otherwise.
 */
function forge(
  c: ProofContext,
  badN: bigint,
  factors: bigint[],
  rng: Rng,
  w?: bigint,
): pimod.Proof {
  const phi = factors.reduce((a, f) => a * (f - 1n), 1n);
  let ww = w ?? 0n;
  while (w === undefined && (ww === 0n || gcd(ww, badN) !== 1n || jacobi(ww, badN) !== -1))
    ww = randomBelow(rng, badN);
  const Ninv = gcd(badN, phi) === 1n ? modInverse(badN, phi) : 1n;
  const fourthRoot = (u: bigint): bigint | undefined => {
    // Works whenever every prime factor is 3 mod 4 and u is a square mod each of them.
    const e = mod(((phi + 4n) / 8n) ** 2n, phi);
    const x = modPow(u, e, badN);
    return modPow(x, 4n, badN) === u ? x : undefined;
  };
  // The verifier stops at the first bad iteration, so the attacker stops answering there too.
  let stuck = false;
  const iterations = pimod.challengesFor(c, badN, ww).map((y): pimod.Iteration => {
    if (stuck) return { x: 1n, a: 0, b: 0, z: 1n };
    for (const [a, b] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      const x = fourthRoot(mod((a ? -1n : 1n) * (b ? ww : 1n) * y, badN));
      if (x !== undefined) return { x, a, b, z: modPow(y, Ninv, badN) };
    }
    stuck = true;
    return { x: 1n, a: 0, b: 0, z: modPow(y, Ninv, badN) };
  });
  return { w: ww, iterations };
}

describe('Π^mod (Fig. 16)', () => {
  test('honest proof verifies, also after encode → decode', () => {
    assertOk(pimod.verify(ctx, pub, proof));
    assertOk(pimod.verify(ctx, pub, roundTrip(pimod.proofSchemaFor(level), proof)));
    assert.deepEqual(roundTrip(pimod.proofSchema, proof), proof);
  });

  test('full 3072-bit level (m = 128) verifies', () => {
    const k3 = keysA(LEVEL_3072);
    const c3 = ctxOf(LEVEL_3072);
    const p3 = pimod.prove(c3, { N: k3.sk.publicKey.N }, { p: k3.sk.p, q: k3.sk.q }, rngOf('m3'));
    assert.equal(p3.iterations.length, 128);
    assertOk(
      pimod.verify(c3, { N: k3.sk.publicKey.N }, roundTrip(pimod.proofSchemaFor(LEVEL_3072), p3)),
    );
    // A 2048-level proof is not a 3072-level proof.
    assertCheck(pimod.verify(c3, pub, proof), 'N-bits');
  });

  test('replay under another session id or prover id is rejected', () => {
    assertCheck(pimod.verify(ctxOf(level, 'session-2'), pub, proof), 'equation-1');
    assertCheck(pimod.verify(ctxOf(level, 'session-1', 2), pub, proof), 'equation-1');
  });

  test('iteration count comes from the level, never from the proof', () => {
    const short = { ...proof, iterations: proof.iterations.slice(1) };
    assertCheck(pimod.verify(ctx, pub, short), 'iterations');
    const long = {
      ...proof,
      iterations: [...proof.iterations, proof.iterations[0] as pimod.Iteration],
    };
    assertCheck(pimod.verify(ctx, pub, long), 'iterations');
    assert.throws(() => roundTrip(pimod.proofSchemaFor(level), short), /iterations/);
  });

  const first = proof.iterations[0] as pimod.Iteration;
  const withFirst = (it: Partial<pimod.Iteration>): pimod.Proof => ({
    ...proof,
    iterations: [{ ...first, ...it }, ...proof.iterations.slice(1)],
  });
  const cases: [string, () => pimod.Proof, string][] = [
    ['w = 0', () => ({ ...proof, w: 0n }), 'w-range'],
    ['w ≥ N', () => ({ ...proof, w: N }), 'w-range'],
    ['w not coprime', () => ({ ...proof, w: sk.p }), 'w-gcd'],
    ['w with Jacobi +1', () => ({ ...proof, w: mod(proof.w * proof.w, N) }), 'w-jacobi'],
    ['w changed (Jacobi −1)', () => ({ ...proof, w: mod(-proof.w, N) }), 'equation-1'],
    ['x out of range', () => withFirst({ x: first.x + N }), 'x-range'],
    ['x changed', () => withFirst({ x: mod(first.x + 1n, N) }), 'equation-2'],
    ['a flipped', () => withFirst({ a: first.a === 1 ? 0 : 1 }), 'equation-2'],
    ['b flipped', () => withFirst({ b: first.b === 1 ? 0 : 1 }), 'equation-2'],
    ['a not a bit', () => withFirst({ a: 2 as 0 }), 'ab-range'],
    ['z zero', () => withFirst({ z: 0n }), 'z-range'],
    ['z changed', () => withFirst({ z: mod(first.z + 1n, N) }), 'equation-1'],
  ];
  for (const [name, make, check] of cases) {
    test(`tampered: ${name} → ${check}`, () => assertCheck(pimod.verify(ctx, pub, make()), check));
  }

  test('moduli refused before any proof: 0, 1, even, short, long, prime, small factor, square', () => {
    assertCheck(pimod.verify(ctx, { N: 0n }, proof), 'N-even');
    assertCheck(pimod.verify(ctx, { N: 1n }, proof), 'N-bits');
    assertCheck(pimod.verify(ctx, { N: N + 1n }, proof), 'N-even');
    assertCheck(pimod.verify(ctx, { N: (N >> 1n) | 1n }, proof), 'N-bits');
    assertCheck(pimod.verify(ctx, { N: sk.p * sk.q * 4n + 1n }, proof), 'N-bits');
    let m3 = N;
    while (m3 % 3n !== 0n) m3 += 2n;
    assertCheck(pimod.verify(ctx, { N: m3 }, proof), 'N-small-factor');
    const P = prime(2048);
    assertCheck(pimod.verify(ctx, { N: P }, proof), 'N-prime');
    assertCheck(pimod.verify(ctx, { N: sk.p * sk.p }, proof), 'N-perfect-power');
  });

  test('BitForge modulus (many ~16-bit primes × big prime) with a forged proof → rejected', () => {
    const { N: badN, factors } = bitForgeModulus(2048, 24, 17);
    const forged = forge(ctx, badN, factors, rngOf('bitforge'));
    const r = pimod.verify(ctx, { N: badN }, forged);
    assert.equal(r.ok, false);
    // gcd(N, φ(N)) ≠ 1 or more than two factors: N-th roots or fourth roots fail.
    assert.ok(!r.ok && (r.check === 'equation-1' || r.check === 'equation-2'), JSON.stringify(r));
  });

  test('BitForge modulus with all factors 3 mod 4 and gcd(N, φ(N)) = 1 → fourth roots fail', () => {
    // Three Blum primes: N-th roots exist, but only a quarter of the y_i are fixable.
    let built: { N: bigint; factors: bigint[] } | undefined;
    while (!built) {
      const a = productOfBits(1400, 700, 3n);
      const c = productOfBits(648, 324, 3n);
      const n = a.N * c.N;
      const fs = [a.p, a.q, c.p, c.q];
      const phi = fs.reduce((x, f) => x * (f - 1n), 1n);
      if (n.toString(2).length === 2048 && gcd(n, phi) === 1n) built = { N: n, factors: fs };
    }
    const forged = forge(ctx, built.N, built.factors, rngOf('blum4'));
    assertCheck(pimod.verify(ctx, { N: built.N }, forged), 'equation-2');
    // The same attacker sending a w of Jacobi +1 is refused up front.
    const w1 = forge(ctx, built.N, built.factors, rngOf('blum4'), 4n);
    assertCheck(pimod.verify(ctx, { N: built.N }, w1), 'w-jacobi');
  });

  test('non-Blum N (p ≡ 1 mod 4): honest prover refuses, forged proof rejected', () => {
    const { N: badN, p, q } = productOfBits(2048, 1024, 1n);
    assert.throws(() => pimod.prove(ctx, { N: badN }, { p, q }, rngOf('nb')), RangeError);
    const forged = forge(ctx, badN, [p, q], rngOf('nonblum'));
    assertCheck(pimod.verify(ctx, { N: badN }, forged), 'equation-2');
  });
});
