/**
 * Π^mod — Paillier-Blum modulus (CGGMP21, eprint 2021/060, Figure 16), non-interactive.
 *
 * The prover shows N = p·q with p ≡ q ≡ 3 (mod 4) and gcd(N, φ(N)) = 1: it sends w with Jacobi
 * symbol −1, and for each of the m challenges y_i ∈ Z*_N a fourth root x_i of (−1)^a_i·w^b_i·y_i
 * and the N-th root z_i of y_i. A modulus with more than two prime factors (BitForge,
 * CVE-2023-33241) cannot answer half of the y_i. Besides the figure's checks the verifier refuses
 * N that is 0, 1, even, of the wrong length, prime or a perfect power, w outside Z*_N or with
 * Jacobi ≠ −1, and any number of iterations other than the level's m.
 */
import { CrtContext, gcd, jacobi, mod, modInverse, modPow } from '@quorate/bigint';
import type { SecurityLevel } from '@quorate/paillier';
import { codec, randomBelow } from '@quorate/runtime';
import type { Rng, Schema, Transcript } from '@quorate/runtime';
import { OK, proofTranscript, reject } from '../common/context.ts';
import type { ProofContext, VerifyResult } from '../common/context.ts';
import { MIN_ITERATIONS, WIDEST_LEVEL } from '../common/levels.ts';
import { checkModulus } from '../common/modulus.ts';
import { natural } from '../common/schema.ts';

const DOMAIN = 'quorate/zk/mod/v1';

export interface Public {
  readonly N: bigint;
}
export interface Private {
  /** Primes p, q ≡ 3 (mod 4) with N = p·q. */
  readonly p: bigint;
  readonly q: bigint;
}
export interface Iteration {
  readonly x: bigint;
  readonly a: 0 | 1;
  readonly b: 0 | 1;
  readonly z: bigint;
}
export interface Proof {
  readonly w: bigint;
  readonly iterations: readonly Iteration[];
}

const bit = codec.uint({ max: 1 }) as Schema<number> as Schema<0 | 1>;

function schemaWith(bits: number, min: number, max: number): Schema<Proof> {
  return codec.object({
    w: natural(bits),
    iterations: codec.array(codec.object({ x: natural(bits), a: bit, b: bit, z: natural(bits) }), {
      min,
      max,
    }),
  });
}

/** The exact codec of a level: m iterations, elements of paillierBits bits. */
export function proofSchemaFor(level: SecurityLevel): Schema<Proof> {
  return schemaWith(level.paillierBits, level.m, level.m);
}
/** Accepts a proof of any supported level; verify then checks it against the context's level. */
export const proofSchema: Schema<Proof> = schemaWith(
  WIDEST_LEVEL.paillierBits,
  MIN_ITERATIONS,
  WIDEST_LEVEL.m,
);

/** The challenges y_1..y_m ∈ Z*_N, squeezed after absorbing N and w. */
function challenges(t: Transcript, N: bigint, w: bigint, m: number): bigint[] {
  t.appendBigInt('N', N).appendBigInt('w', w).appendUint('m', m);
  const ys: bigint[] = [];
  for (let i = 0; i < m; i++) {
    let y = t.challengeBelow(`y[${i}]`, N);
    // Not a unit: squeeze again (both sides do the same; never happens for an honest N).
    while (y === 0n || gcd(y, N) !== 1n) y = t.challengeBelow(`y[${i}]`, N);
    ys.push(y);
  }
  return ys;
}

/** The principal fourth root mod a prime p ≡ 3 (mod 4) of a quadratic residue u: u^(((p+1)/4)^2). */
function fourthRootModPrime(u: bigint, p: bigint): bigint {
  const e = mod(((p + 1n) / 4n) ** 2n, p - 1n);
  return modPow(mod(u, p), e, p);
}

function isQr(u: bigint, p: bigint): boolean {
  return jacobi(mod(u, p), p) === 1;
}

/** The y_i a verifier derives for (ctx, N, w): exposed so tests can play a cheating prover. */
export function challengesFor(ctx: ProofContext, N: bigint, w: bigint): bigint[] {
  return challenges(proofTranscript(DOMAIN, ctx), N, w, ctx.level.m);
}

export function prove(ctx: ProofContext, pub: Public, priv: Private, rng: Rng): Proof {
  const { N } = pub;
  const { p, q } = priv;
  if (p * q !== N || p % 4n !== 3n || q % 4n !== 3n)
    throw new RangeError('mod.prove: witness is not a Blum factorization of N');
  const crt = new CrtContext(p, q);
  const phi = (p - 1n) * (q - 1n);
  let w: bigint;
  do w = randomBelow(rng, N);
  while (w === 0n || jacobi(w, N) !== -1);
  const Ninv = modInverse(N, phi);
  const ys = challenges(proofTranscript(DOMAIN, ctx), N, w, ctx.level.m);
  const iterations = ys.map((y): Iteration => {
    // Pick (a, b) so that (−1)^a·w^b·y is a square mod p and mod q; −1 is a non-residue mod
    // both, and w is a residue mod exactly one of them.
    for (const [a, b] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      const yp = mod((a ? -1n : 1n) * (b ? w : 1n) * y, N);
      if (isQr(yp, p) && isQr(yp, q)) {
        const x = crt.combine(fourthRootModPrime(yp, p), fourthRootModPrime(yp, q));
        return { x, a, b, z: crt.pow(y, Ninv) };
      }
    }
    throw new RangeError('mod.prove: no residue found (N is not a Blum integer)');
  });
  return { w, iterations };
}

export function verify(ctx: ProofContext, pub: Public, proof: Proof): VerifyResult {
  const { N } = pub;
  const { level } = ctx;
  const bad = checkModulus(N, level.paillierBits, 'N');
  if (bad !== null) return reject(bad);
  const { w } = proof;
  if (w <= 0n || w >= N) return reject('w-range');
  if (gcd(w, N) !== 1n) return reject('w-gcd');
  if (jacobi(w, N) !== -1) return reject('w-jacobi');
  if (proof.iterations.length !== level.m) return reject('iterations');
  const ys = challenges(proofTranscript(DOMAIN, ctx), N, w, level.m);
  for (let i = 0; i < level.m; i++) {
    const it = proof.iterations[i] as Iteration;
    const y = ys[i] as bigint;
    if (it.x < 0n || it.x >= N) return reject('x-range');
    if (it.z <= 0n || it.z >= N) return reject('z-range');
    if ((it.a !== 0 && it.a !== 1) || (it.b !== 0 && it.b !== 1)) return reject('ab-range');
    // Figure 16: z_i^N = y_i mod N.
    if (modPow(it.z, N, N) !== y) return reject('equation-1');
    // Figure 16: x_i^4 = (−1)^a_i · w^b_i · y_i mod N.
    const rhs = mod((it.a ? -1n : 1n) * (it.b ? w : 1n) * y, N);
    const x2 = (it.x * it.x) % N;
    if ((x2 * x2) % N !== rhs) return reject('equation-2');
  }
  return OK;
}
