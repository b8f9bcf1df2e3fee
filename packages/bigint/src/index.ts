/**
 * @quorate/bigint — big-integer arithmetic for CGGMP21 (issue 3, item 1): modular
 * exponentiation on the fastest sound backend, CRT, number theory, safe primes.
 * See README.md for backends and which operations are constant time.
 */
export { mod, gcd, modInverse, jacobi, bitLength, bigintToBytes, bytesToBigint } from './arith.ts';
export { modPow, modPowWith, activeBackend, setBackend, availableBackends } from './backend.ts';
export type { BackendName } from './backend.ts';
export { modPowBigint } from './modpow-bigint.ts';
export { CrtContext, modPowCrt } from './crt.ts';
export { isProbablePrime, generateSafePrime, SafePrimePool } from './prime.ts';
