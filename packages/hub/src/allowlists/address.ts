/**
 * How destinations are compared with allow-list entries. Addresses whose encoding ignores case
 * are compared lower-cased: EVM hex addresses (EIP-55 only adds a checksum in the case) and
 * bech32/bech32m addresses (BIP 173: one case only). Every other encoding (base58 for Solana and
 * legacy Bitcoin) is case-sensitive and compared exactly.
 */
const EVM = /^0x[0-9a-fA-F]{40}$/;
const BECH32 = /^(bc|tb|bcrt)1[02-9ac-hj-np-z]+$/i;

export function addressKey(address: string): string {
  const a = address.trim();
  return EVM.test(a) || BECH32.test(a) ? a.toLowerCase() : a;
}
