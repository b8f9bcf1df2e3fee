/**
 * Digest check (docs/cosigner-risk.md, "Digest check"): for a raw transaction of a known kind,
 * rebuild what must be signed ourselves and refuse when the request asks for anything else.
 * This is what makes the destination and amount shown to callback handlers trustworthy: they are
 * decoded from the very bytes whose digest we sign, not copied from the initiator's description.
 */
import type { RawTxKind } from '@quorate/callback';
import { DigestError } from './errors.ts';
import type { DecodedTx } from './types.ts';
import { decodeEvm } from './evm.ts';
import { decodePsbt } from './psbt.ts';
import type { PsbtOptions } from './psbt.ts';
import { decodeSolana } from './solana.ts';
import type { SolanaOptions } from './solana.ts';

export { DigestError } from './errors.ts';
export type { DigestErrorKind } from './errors.ts';
export type { DecodedTx } from './types.ts';
export { decodeEvm, decodePsbt, decodeSolana };
export type { PsbtOptions, SolanaOptions };
export type { BitcoinNetwork } from './psbt.ts';

export interface DigestCheckInput {
  readonly kind: RawTxKind;
  readonly raw: Uint8Array;
  /** The digests we are asked to sign, hex (a 0x prefix and upper case are accepted). */
  readonly digests: readonly string[];
  readonly psbt?: PsbtOptions;
  readonly solana?: SolanaOptions;
}

export function decodeRawTx(
  kind: RawTxKind,
  raw: Uint8Array,
  opts: Omit<DigestCheckInput, 'kind' | 'raw' | 'digests'> = {},
): DecodedTx {
  switch (kind) {
    case 'evm':
      return decodeEvm(raw);
    case 'psbt':
      return decodePsbt(raw, opts.psbt);
    case 'solana':
      return decodeSolana(raw, opts.solana);
  }
}

const norm = (h: string) => h.replace(/^0x/i, '').toLowerCase();

/** Decodes the raw transaction and checks the requested digests are exactly its digests, in order. */
export function checkDigest(input: DigestCheckInput): DecodedTx {
  const decoded = decodeRawTx(input.kind, input.raw, input);
  const asked = input.digests.map(norm);
  if (asked.length !== decoded.digests.length)
    throw new DigestError(
      'mismatch',
      'digests',
      `asked for ${asked.length} digest(s), the transaction has ${decoded.digests.length}`,
    );
  decoded.digests.forEach((d, i) => {
    // Digests are public values (they are sent to the hub and handlers): no constant time needed.
    if (asked[i] !== d)
      throw new DigestError(
        'mismatch',
        `digests.${i}`,
        `digest ${i} differs from the transaction's`,
      );
  });
  return decoded;
}
