/**
 * Modular exponentiation backends and the automatic choice between them (issue 3, item 1).
 *
 *  - 'openssl': OpenSSL's BIGNUM reached through node:crypto's Diffie-Hellman object:
 *    setPrivateKey(exp) then computeSecret(base) computes base^exp mod m. OpenSSL marks the
 *    private key BN_FLG_CONSTTIME, so the exponentiation runs BN_mod_exp_mont_consttime
 *    (see README.md). OpenSSL refuses, or gets wrong, some inputs, which are answered here in
 *    TypeScript instead: base ∈ {0, 1, m−1} ("key too small/large"), exponent 0, even moduli
 *    (Montgomery needs an odd modulus), moduli under 512 bits (silently returns 0) and over
 *    10000 bits (OPENSSL_DH_MAX_MODULUS_BITS).
 *  - 'bigint': the portable sliding-window exponentiation on native BigInt (modpow-bigint.ts).
 *
 * The default is 'openssl' when it is present and passes a self-test, 'bigint' otherwise.
 */
import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import { bitLength, modInverse } from './arith.ts';
import { modPowBigint } from './modpow-bigint.ts';

export type BackendName = 'openssl' | 'bigint';

/** Moduli the OpenSSL path takes (below 1024 bits BigInt is fast enough, and safe). */
const OPENSSL_MIN_BITS = 1024;
const OPENSSL_MAX_BITS = 10000;
/** Creating a DH object runs DH_check (a primality test on m): keep the recent ones. */
const DH_CACHE_SIZE = 64;

const dhCache = new Map<bigint, { dh: DiffieHellman; bytes: number }>();

function toBuf(x: bigint, len?: number): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const b = Buffer.from(hex, 'hex');
  if (len === undefined || b.length >= len) return b;
  const out = Buffer.alloc(len);
  b.copy(out, len - b.length);
  return out;
}

function dhFor(m: bigint, bits: number): { dh: DiffieHellman; bytes: number } {
  const hit = dhCache.get(m);
  if (hit) {
    // Refresh its place in the LRU order.
    dhCache.delete(m);
    dhCache.set(m, hit);
    return hit;
  }
  const entry = { dh: createDiffieHellman(toBuf(m)), bytes: Math.ceil(bits / 8) };
  dhCache.set(m, entry);
  if (dhCache.size > DH_CACHE_SIZE) {
    const oldest = dhCache.keys().next().value;
    if (oldest !== undefined) dhCache.delete(oldest);
  }
  return entry;
}

/** base^exp mod m through OpenSSL, for exp ≥ 0 and m ≥ 1; falls back to BigInt where OpenSSL cannot. */
function modPowOpenssl(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let b = base % m;
  if (b < 0n) b += m;
  if (exp === 0n) return 1n;
  if (b === 0n || b === 1n) return b;
  if (b === m - 1n) return (exp & 1n) === 0n ? 1n : b;
  if ((m & 1n) === 0n) return modPowBigint(b, exp, m);
  const bits = bitLength(m);
  if (bits < OPENSSL_MIN_BITS || bits > OPENSSL_MAX_BITS) return modPowBigint(b, exp, m);
  const { dh, bytes } = dhFor(m, bits);
  let out: Buffer;
  try {
    dh.setPrivateKey(toBuf(exp));
    out = dh.computeSecret(toBuf(b, bytes));
  } catch {
    // Any other refusal of OpenSSL's: the answer is still defined, compute it portably.
    return modPowBigint(b, exp, m);
  }
  return BigInt('0x' + out.toString('hex'));
}

const impls: Record<BackendName, (b: bigint, e: bigint, m: bigint) => bigint> = {
  openssl: modPowOpenssl,
  bigint: modPowBigint,
};

/** True when the OpenSSL path exists here and gives the reference answers. */
function opensslWorks(): boolean {
  try {
    // A 1031-bit odd modulus (2^1030 + 7) and a few exponents, checked against BigInt.
    const m = (1n << 1030n) + 7n;
    for (const [b, e] of [
      [3n, 65537n],
      [m - 2n, (1n << 700n) + 12345n],
      [(1n << 1000n) + 1n, m],
    ] as const) {
      if (modPowOpenssl(b, e, m) !== modPowBigint(b, e, m)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

let autoBackend: BackendName | undefined;
let forced: BackendName | undefined;

function selected(): BackendName {
  if (forced) return forced;
  autoBackend ??= opensslWorks() ? 'openssl' : 'bigint';
  return autoBackend;
}

/** The modexp backend in use ('openssl' or 'bigint'). */
export function activeBackend(): BackendName {
  return selected();
}

/** Forces a backend (tests, benchmarks); `'auto'` restores the automatic choice. */
export function setBackend(name: BackendName | 'auto'): void {
  forced = name === 'auto' ? undefined : name;
}

/** The backends that work on this machine. */
export function availableBackends(): BackendName[] {
  return opensslWorks() ? ['openssl', 'bigint'] : ['bigint'];
}

/** base^exp mod m on a named backend (exp may be negative: the inverse of base is used). */
export function modPowWith(backend: BackendName, base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (exp < 0n) {
    base = modInverse(base, m);
    exp = -exp;
  }
  return impls[backend](base, exp, m);
}

/** base^exp mod m, m > 0; a negative exp uses the inverse of base (RangeError if none). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  return modPowWith(selected(), base, exp, m);
}
