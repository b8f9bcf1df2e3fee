/**
 * The amount a co-signer sees (relay contract `request.amount`) is an integer of the asset's base
 * units (wei, satoshi, lamport), as the co-signers' embedded rules and callback handlers count
 * them; the hub's API and policies speak decimal asset units ("1.5" ETH). This converts one to
 * the other for the native assets whose decimals are fixed by their chains. For any other asset
 * the hub does not guess: the job carries no amount (null), and a co-signer relies on what it
 * decodes from the raw transaction itself (cosigner-risk digest check).
 */
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
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(amount);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > decimals) return null;
  return (
    BigInt(m[1]!) * 10n ** BigInt(decimals) +
    BigInt(frac.padEnd(decimals, '0') || '0')
  ).toString();
}
