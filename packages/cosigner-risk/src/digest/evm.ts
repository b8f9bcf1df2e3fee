/**
 * EVM digest check (docs/cosigner-risk.md, "Digest check"): parse an unsigned serialized
 * transaction with ethers v6 and rebuild the hash that is signed: keccak256 of the RLP payload
 * (legacy, EIP-155 when a chain id is present) or of `type || RLP(...)` (EIP-2930, EIP-1559).
 *
 * Decoded effect: the native value sent to `to`, and an ERC-20 `transfer(address,uint256)`
 * (selector 0xa9059cbb) when the calldata is exactly that call. Assets are named
 * `evm:<chainId>` (native) and `evm:<chainId>:<token address, lower case>`.
 */
import { AbiCoder, Transaction, getBytes, hexlify } from 'ethers';
import type { Transfer } from '@quorate/callback';
import { DigestError } from './errors.ts';
import type { DecodedTx } from './types.ts';

const ERC20_TRANSFER = '0xa9059cbb';
const SUPPORTED_TYPES = [0, 1, 2];

export function decodeEvm(raw: Uint8Array): DecodedTx {
  let tx: Transaction;
  try {
    tx = Transaction.from(hexlify(raw));
  } catch (e) {
    throw new DigestError('malformed', 'raw', 'not an RLP-encoded EVM transaction', { cause: e });
  }
  if (tx.signature !== null)
    throw new DigestError('malformed', 'raw', 'the transaction is already signed');
  if (tx.type === null || !SUPPORTED_TYPES.includes(tx.type))
    throw new DigestError('unsupported', 'type', `transaction type ${tx.type} is not checked`);
  const chain = `evm:${tx.chainId}`;
  const transfers: Transfer[] = [];
  const warnings: string[] = [];
  const to = tx.to?.toLowerCase();
  if (to === undefined) warnings.push('contract creation');
  if (tx.value > 0n || (to !== undefined && tx.data === '0x'))
    transfers.push({
      destination: to ?? '(contract creation)',
      amount: tx.value.toString(),
      asset: chain,
    });
  if (to !== undefined && tx.data !== '0x') {
    const data = getBytes(tx.data);
    if (tx.data.startsWith(ERC20_TRANSFER) && data.length === 4 + 64) {
      const [recipient, amount] = AbiCoder.defaultAbiCoder().decode(
        ['address', 'uint256'],
        data.slice(4),
      ) as unknown as [string, bigint];
      transfers.push({
        destination: recipient.toLowerCase(),
        amount: amount.toString(),
        asset: `${chain}:${to}`,
      });
    } else warnings.push(`contract call to ${to} with undecoded calldata`);
  }
  return { kind: 'evm', digests: [tx.unsignedHash.slice(2)], transfers, warnings };
}
