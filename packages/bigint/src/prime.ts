/**
 * Primality and safe primes, on OpenSSL's native generator and tester (node:crypto), plus a
 * background pool so key generation rarely waits for a safe prime (issue 3, item 2).
 */
import { checkPrimeSync, generatePrime } from 'node:crypto';

/**
 * Miller-Rabin with 64 random bases (after OpenSSL's trial division): an adversarially chosen
 * composite passes with probability at most 2^-128.
 */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  return checkPrimeSync(n, { checks: 64 });
}

/** A random safe prime p = 2p' + 1 (p' prime) of exactly `bits` bits, from OpenSSL. */
export function generateSafePrime(bits: number): Promise<bigint> {
  if (!Number.isInteger(bits) || bits < 3)
    return Promise.reject(new RangeError('generateSafePrime: bits must be an integer ≥ 3'));
  return new Promise((resolve, reject) => {
    generatePrime(bits, { safe: true, bigint: true }, (err, p) => {
      if (err) reject(err);
      else resolve(p);
    });
  });
}

/**
 * Keeps up to `target` safe primes of `bits` bits ready, generating them in the background on
 * libuv's thread pool (one at a time by default, so a 2-core machine stays responsive).
 * `take()` hands out a prime at most once; `close()` stops refilling, forgets the primes it holds
 * and rejects pending takes. A generation already running cannot be cancelled: it finishes and
 * its prime is dropped.
 */
export class SafePrimePool {
  readonly bits: number;
  readonly target: number;
  private readonly concurrency: number;
  private ready: bigint[] = [];
  private waiters: { resolve: (p: bigint) => void; reject: (e: Error) => void }[] = [];
  private inFlight = 0;
  private closed = false;

  constructor(bits: number, target: number, concurrency = 1) {
    if (!Number.isInteger(bits) || bits < 3)
      throw new RangeError('SafePrimePool: bits must be an integer ≥ 3');
    if (!Number.isInteger(target) || target < 0)
      throw new RangeError('SafePrimePool: target must be a non-negative integer');
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError('SafePrimePool: concurrency must be ≥ 1');
    this.bits = bits;
    this.target = target;
    this.concurrency = concurrency;
    this.refill();
  }

  /** Primes ready right now. */
  get size(): number {
    return this.ready.length;
  }

  /** A fresh safe prime: from the pool when one is ready, otherwise the next one generated. */
  take(): Promise<bigint> {
    if (this.closed) return Promise.reject(new Error('SafePrimePool: closed'));
    const p = this.ready.shift();
    const out =
      p !== undefined
        ? Promise.resolve(p)
        : new Promise<bigint>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.refill();
    return out;
  }

  close(): void {
    this.closed = true;
    this.ready = [];
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new Error('SafePrimePool: closed'));
  }

  private refill(): void {
    while (
      !this.closed &&
      this.inFlight < this.concurrency &&
      this.ready.length + this.inFlight < this.target + this.waiters.length
    ) {
      this.inFlight++;
      generateSafePrime(this.bits).then(
        (p) => this.deliver(p),
        (err: unknown) => this.fail(err),
      );
    }
  }

  private deliver(p: bigint): void {
    this.inFlight--;
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) w.resolve(p);
    else this.ready.push(p);
    this.refill();
  }

  private fail(err: unknown): void {
    // OpenSSL failing to generate is not transient: tell every waiter, and do not spin.
    this.inFlight--;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
