/**
 * Exact decimal amounts for the policy engine. Amounts are decimal strings in the asset's own
 * units ("1.5" ETH), never floats: a limit of 0.1 + 0.2 must not become 0.30000000000000004.
 * We compare and add them as bigints scaled by 10^18 (enough for wei, the finest common unit).
 */

export const AMOUNT_DECIMALS = 18;
/** Up to 36 integer digits and 18 fraction digits, no sign, no exponent, no leading zeros. */
export const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,35})(\.[0-9]{1,18})?$/;

const SCALE = 10n ** BigInt(AMOUNT_DECIMALS);

/** The amount as an integer number of 10^-18 units. Callers validate the pattern first. */
export function toUnits(amount: string): bigint {
  if (!AMOUNT_PATTERN.test(amount)) throw new RangeError('amount: expected a decimal string');
  const [int = '0', frac = ''] = amount.split('.');
  return BigInt(int) * SCALE + BigInt(frac.padEnd(AMOUNT_DECIMALS, '0'));
}

/** Back to a canonical decimal string (no trailing zeros in the fraction). */
export function fromUnits(units: bigint): string {
  if (units < 0n) throw new RangeError('amount: negative');
  const int = units / SCALE;
  const frac = (units % SCALE).toString().padStart(AMOUNT_DECIMALS, '0').replace(/0+$/, '');
  return frac.length > 0 ? `${int}.${frac}` : `${int}`;
}
