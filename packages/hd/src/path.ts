/**
 * Derivation paths for threshold keys: `m/i/j/...` with non-hardened steps only (BIP32 §"Child
 * key derivation", index < 2^31). Hardened steps need the private key, which no party holds, so
 * they are refused with an error naming the offending step.
 */

export class DerivationPathError extends Error {
  override readonly name = 'DerivationPathError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`invalid ${field}: ${message}`);
  }
}

export const HARDENED = 0x8000_0000;
/** Deep enough for every wallet layout in use; bounds the work an untrusted path can cause. */
export const MAX_DEPTH = 255;

/** Parses `m`, `m/0/5`, …; every step a decimal index in 0..2^31-1 without leading zeros. */
export function parsePath(path: string, field = 'path'): number[] {
  if (typeof path !== 'string') throw new DerivationPathError(field, 'expected a string');
  const parts = path.split('/');
  if (parts[0] !== 'm') throw new DerivationPathError(field, 'must start with "m"');
  const steps = parts.slice(1);
  if (steps.length > MAX_DEPTH) throw new DerivationPathError(field, `at most ${MAX_DEPTH} steps`);
  return steps.map((s, i) => {
    if (/^\d+['hH]$/.test(s))
      throw new DerivationPathError(
        `${field}[${i}]`,
        `hardened step "${s}" cannot be derived from a public key (use non-hardened steps below the MPC root)`,
      );
    if (!/^(0|[1-9]\d{0,9})$/.test(s))
      throw new DerivationPathError(`${field}[${i}]`, `expected a decimal index, got "${s}"`);
    const n = Number(s);
    if (n >= HARDENED)
      throw new DerivationPathError(`${field}[${i}]`, `index must be below 2^31 (got ${s})`);
    return n;
  });
}

export function formatPath(steps: readonly number[]): string {
  return ['m', ...steps.map(String)].join('/');
}
