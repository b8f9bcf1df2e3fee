/**
 * What a transaction asks to sign, per kind (issue 7 "Transactions: create: raw digest signing;
 * typed EVM transactions; Bitcoin PSBT; Solana; message signing"), and the digest the co-signers
 * sign. The co-signers re-derive the digest from `raw` where the chain is known (cosigner-risk),
 * so the hub's digest is checked, not trusted:
 *  - raw:     a 32-byte digest (any length up to 1 KiB for Ed25519, which signs messages);
 *  - evm:     an unsigned EIP-2718 typed transaction (type 0x01, 0x02 or 0x04 ‖ RLP payload);
 *             the digest is keccak-256 of those bytes, as EIP-1559/2930/7702 define it;
 *  - psbt:    a BIP174 PSBT (magic "psbt\xff") and the input sighash to sign, which the co-signers
 *             recompute from the PSBT (the hub does not parse PSBTs);
 *  - solana:  the serialized message; Ed25519 signs the message itself, so digest = message;
 *  - message: UTF-8 text; EIP-191 personal_sign for ECDSA, sha256 for BIP340, as is for Ed25519.
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { HubError } from '../http/errors.ts';
import type { KeyAlgorithmName } from '../orchestration/tables.ts';
import type { OperationType } from '../policy/index.ts';

export type Payload =
  | { readonly type: 'raw'; readonly digest: string }
  | { readonly type: 'evm'; readonly transaction: string }
  | { readonly type: 'psbt'; readonly psbt: string; readonly digest: string }
  | { readonly type: 'solana'; readonly message: string }
  | { readonly type: 'message'; readonly message: string };

export interface Prepared {
  readonly digest: string;
  readonly raw: { readonly kind: 'evm' | 'psbt' | 'solana'; readonly data: string } | null;
  readonly defaultOperation: OperationType;
}

const HEX = /^(?:[0-9a-f]{2})+$/;
const MAX_BYTES = 128 * 1024;

function hexField(v: string, field: string, maxBytes = MAX_BYTES): string {
  const h = v.startsWith('0x') ? v.slice(2).toLowerCase() : v.toLowerCase();
  if (!HEX.test(h) || h.length / 2 > maxBytes)
    throw new HubError('validation_failed', `expected hex bytes (at most ${maxBytes})`, field);
  return h;
}

function need(ok: boolean, algorithm: KeyAlgorithmName, what: string, field = 'payload.type') {
  if (!ok)
    throw new HubError(
      'validation_failed',
      `${what} cannot be signed by a ${algorithm} key`,
      field,
    );
}

export function preparePayload(algorithm: KeyAlgorithmName, p: Payload): Prepared {
  switch (p.type) {
    case 'raw': {
      const max = algorithm === 'eddsa-ed25519' ? 1024 : 32;
      const d = hexField(p.digest, 'payload.digest', max);
      if (algorithm !== 'eddsa-ed25519' && d.length !== 64)
        throw new HubError('validation_failed', 'expected a 32-byte digest', 'payload.digest');
      return { digest: d, raw: null, defaultOperation: 'RAW' };
    }
    case 'evm': {
      need(algorithm === 'ecdsa-secp256k1', algorithm, 'an EVM transaction');
      const tx = hexField(p.transaction, 'payload.transaction');
      const type = tx.slice(0, 2);
      if (
        !['01', '02', '04'].includes(type) ||
        tx.length < 6 ||
        parseInt(tx.slice(2, 4), 16) < 0xc0
      )
        throw new HubError(
          'validation_failed',
          'expected an unsigned EIP-2718 typed transaction (0x01, 0x02 or 0x04 ‖ RLP list)',
          'payload.transaction',
        );
      const digest = Buffer.from(keccak_256(Buffer.from(tx, 'hex'))).toString('hex');
      return { digest, raw: { kind: 'evm', data: tx }, defaultOperation: 'TRANSFER' };
    }
    case 'psbt': {
      need(algorithm !== 'eddsa-ed25519', algorithm, 'a PSBT');
      const data = hexField(p.psbt, 'payload.psbt');
      if (!data.startsWith('70736274ff'))
        throw new HubError(
          'validation_failed',
          'expected a BIP174 PSBT (magic psbt 0xff)',
          'payload.psbt',
        );
      const d = hexField(p.digest, 'payload.digest', 32);
      if (d.length !== 64)
        throw new HubError('validation_failed', 'expected a 32-byte sighash', 'payload.digest');
      return { digest: d, raw: { kind: 'psbt', data }, defaultOperation: 'PSBT' };
    }
    case 'solana': {
      need(algorithm === 'eddsa-ed25519', algorithm, 'a Solana message');
      const m = hexField(p.message, 'payload.message', 1232);
      return { digest: m, raw: { kind: 'solana', data: m }, defaultOperation: 'TRANSFER' };
    }
    case 'message': {
      const bytes = Buffer.from(p.message, 'utf8');
      if (bytes.length === 0 || bytes.length > 16 * 1024)
        throw new HubError(
          'validation_failed',
          'expected 1 byte to 16 KiB of text',
          'payload.message',
        );
      let digest: string;
      if (algorithm === 'ecdsa-secp256k1') {
        const prefix = Buffer.from(`\x19Ethereum Signed Message:\n${bytes.length}`, 'utf8');
        digest = Buffer.from(keccak_256(Buffer.concat([prefix, bytes]))).toString('hex');
      } else if (algorithm === 'schnorr-bip340') {
        digest = createHash('sha256').update(bytes).digest('hex');
      } else {
        if (bytes.length > 1024)
          throw new HubError('validation_failed', 'at most 1 KiB for Ed25519', 'payload.message');
        digest = bytes.toString('hex');
      }
      return { digest, raw: null, defaultOperation: 'MESSAGE' };
    }
  }
}
