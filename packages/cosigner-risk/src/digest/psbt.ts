/**
 * Bitcoin PSBT digest check (docs/cosigner-risk.md, "Digest check"): rebuild the sighash of every
 * input of a BIP 174 PSBT with bitcoinjs-lib.
 *  - P2WPKH: BIP 143 (`hashForWitnessV0`), script code = the P2PKH script of the key hash,
 *    default SIGHASH_ALL;
 *  - P2TR key path: BIP 341 (`hashForWitnessV1`), over every input's prevout script and amount,
 *    default SIGHASH_DEFAULT.
 * Every input needs its `witnessUtxo`; other script types and Taproot script paths are refused.
 *
 * Decoded effect: every output as a transfer (address; change cannot be told apart without the
 * wallet's keys, so allow-lists must list change addresses too) and the fee (inputs − outputs).
 */
import { Psbt, Transaction, address as btcAddress, networks } from 'bitcoinjs-lib';
import type { Network } from 'bitcoinjs-lib';
import { bech32, bech32m } from 'bech32';
import type { Transfer } from '@quorate/callback';
import { DigestError } from './errors.ts';
import type { DecodedTx } from './types.ts';

export type BitcoinNetwork = 'bitcoin' | 'testnet' | 'regtest';

export interface PsbtOptions {
  readonly network?: BitcoinNetwork;
  /** Asset name given to the transfers; default "BTC". */
  readonly asset?: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const isP2wpkh = (s: Uint8Array) => s.length === 22 && s[0] === 0x00 && s[1] === 0x14;
const isP2tr = (s: Uint8Array) => s.length === 34 && s[0] === 0x51 && s[1] === 0x20;

/** BIP 173/350 address of a witness program, or the P2PKH/P2SH address, or the script in hex. */
function outputAddress(script: Uint8Array, network: Network): string {
  const version =
    script[0] === 0
      ? 0
      : script[0] !== undefined && script[0] >= 0x51 && script[0] <= 0x60
        ? script[0] - 0x50
        : -1;
  if (
    version >= 0 &&
    script.length >= 4 &&
    script.length <= 42 &&
    script[1] === script.length - 2
  ) {
    const words = [version, ...bech32.toWords(script.subarray(2))];
    return version === 0
      ? bech32.encode(network.bech32, words)
      : bech32m.encode(network.bech32, words);
  }
  try {
    return btcAddress.fromOutputScript(script, network);
  } catch {
    return `script:${hex(script)}`;
  }
}

export function decodePsbt(raw: Uint8Array, opts: PsbtOptions = {}): DecodedTx {
  const network = networks[opts.network ?? 'bitcoin'];
  let psbt: Psbt;
  try {
    psbt = Psbt.fromBuffer(raw, { network });
  } catch (e) {
    throw new DigestError('malformed', 'raw', 'not a BIP 174 PSBT', { cause: e });
  }
  const tx = Transaction.fromBuffer(psbt.data.globalMap.unsignedTx.toBuffer());
  const prevScripts: Uint8Array[] = [];
  const values: bigint[] = [];
  psbt.data.inputs.forEach((input, i) => {
    if (input.witnessUtxo === undefined)
      throw new DigestError(
        'malformed',
        `inputs.${i}.witnessUtxo`,
        `input ${i} has no witness UTXO`,
      );
    prevScripts.push(input.witnessUtxo.script);
    values.push(input.witnessUtxo.value);
  });
  const digests = psbt.data.inputs.map((input, i) => {
    const script = prevScripts[i] as Uint8Array;
    if (isP2wpkh(script)) {
      const scriptCode = Uint8Array.from([0x76, 0xa9, 0x14, ...script.subarray(2), 0x88, 0xac]);
      const type = input.sighashType ?? Transaction.SIGHASH_ALL;
      return hex(tx.hashForWitnessV0(i, scriptCode, values[i] as bigint, type));
    }
    if (isP2tr(script)) {
      if (input.tapLeafScript !== undefined && input.tapLeafScript.length > 0)
        throw new DigestError(
          'unsupported',
          `inputs.${i}.tapLeafScript`,
          `input ${i}: Taproot script path is not checked`,
        );
      const type = input.sighashType ?? Transaction.SIGHASH_DEFAULT;
      return hex(tx.hashForWitnessV1(i, prevScripts, values, type));
    }
    throw new DigestError(
      'unsupported',
      `inputs.${i}.witnessUtxo.script`,
      `input ${i}: only P2WPKH and P2TR key path are checked`,
    );
  });
  const asset = opts.asset ?? 'BTC';
  const transfers: Transfer[] = tx.outs.map((o) => ({
    destination: outputAddress(o.script, network),
    amount: o.value.toString(),
    asset,
  }));
  const fee = values.reduce((a, b) => a + b, 0n) - tx.outs.reduce((a, o) => a + o.value, 0n);
  if (fee < 0n)
    throw new DigestError('malformed', 'outputs', 'outputs spend more than the inputs hold');
  return { kind: 'psbt', digests, transfers, fee: fee.toString(), warnings: [] };
}
