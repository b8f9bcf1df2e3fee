/**
 * The amount a co-signer sees (relay contract `request.amount`) is an integer of the asset's base
 * units (wei, satoshi, lamport), as the co-signers' embedded rules and callback handlers count
 * them; the hub's API and policies speak decimal asset units ("1.5" ETH). This converts one to
 * the other for the native assets whose decimals are fixed by their chains. For any other asset
 * the hub does not guess: the job carries no amount (null), and a co-signer relies on what it
 * decodes from the raw transaction itself (cosigner-risk digest check).
 */
import { AMOUNT_DECIMALS, toUnits } from '../policy/decimal.ts';

export const ASSET_DECIMALS: Readonly<Record<string, number>> = Object.freeze({
  ETH: 18,
  BTC: 8,
  SOL: 9,
});

/** "1.5" ETH → "1500000000000000000"; null when the asset is unknown or the amount too precise. */
export function toBaseUnits(asset: string | null, amount: string | null): string | null {
  if (asset === null || amount === null) return null;
  const decimals = ASSET_DECIMALS[asset.toUpperCase()];
  if (decimals === undefined) return null;
  let units: bigint; // in 10^-18 of the asset: the policy engine's exact decimal
  try {
    units = toUnits(amount);
  } catch {
    return null;
  }
  const step = 10n ** BigInt(AMOUNT_DECIMALS - decimals);
  return units % step === 0n ? (units / step).toString() : null;
}
