/**
 * Bitcoin adapters: bitcoinjs-lib `SignerAsync` objects backed by an MPC key, for
 *  - P2WPKH inputs (BIP141/BIP143): ECDSA over the BIP143 sighash, DER-encoded by bitcoinjs;
 *  - P2TR key-path inputs (BIP341): BIP340 Schnorr under the tweaked output key
 *    Q = P + H_TapTweak(x(P) ‖ merkle_root)·G, where the tweak is applied inside the threshold
 *    signing (FROST), never by a holder of the whole key.
 * Use them with `psbt.signAllInputsAsync(signer)` or `psbt.signInputAsync(i, signer)`.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import type { SignerAsync } from 'bitcoinjs-lib';
import { assertBytes, ChainSignerError, ecdsaPublicKey, signEcdsaChecked } from './signer.ts';
import type { Bip340Signer, EcdsaSigner } from './signer.ts';

/** ECDSA signer for P2WPKH (and other ECDSA script types bitcoinjs signs). */
export async function psbtEcdsaSigner(signer: EcdsaSigner): Promise<SignerAsync> {
  const publicKey = await ecdsaPublicKey(signer);
  return {
    publicKey,
    async sign(hash: Uint8Array): Promise<Uint8Array> {
      // bitcoinjs wants 64 bytes r ‖ s (it DER-encodes and appends the sighash type); low S is
      // required by standardness (BIP62/BIP146) and enforced by signEcdsaChecked.
      return (await signEcdsaChecked(signer, publicKey, hash, { note: 'bitcoin p2wpkh' })).compact;
    },
  };
}

/** BIP341 output key x(Q) of an x-only internal key and a merkle root (empty: BIP86). */
export function taprootOutputKey(internalKey: Uint8Array, merkleRoot: Uint8Array): Uint8Array {
  assertBytes(internalKey, 32, 'internalKey');
  if (merkleRoot.length !== 0 && merkleRoot.length !== 32)
    throw new ChainSignerError('merkleRoot', 'expected 0 or 32 bytes');
  const { Point } = secp256k1;
  const n = Point.CURVE().n;
  let P;
  try {
    P = schnorr.utils.lift_x(BigInt('0x' + Buffer.from(internalKey).toString('hex')));
  } catch {
    throw new ChainSignerError('internalKey', 'not an x coordinate on secp256k1');
  }
  const t = BigInt(
    '0x' +
      Buffer.from(schnorr.utils.taggedHash('TapTweak', internalKey, merkleRoot)).toString('hex'),
  );
  if (t >= n) throw new ChainSignerError('merkleRoot', 'TapTweak hash is not below n');
  const Q = P.add(Point.BASE.multiply(t));
  return Q.toBytes(true).subarray(1);
}

export interface TaprootSignerOptions {
  /** Script-tree merkle root; omitted or empty = key-path only (BIP86). */
  readonly merkleRoot?: Uint8Array;
}

/**
 * BIP340 signer for P2TR key-path inputs. `publicKey` is 0x02 ‖ x(Q) so bitcoinjs matches it
 * against the input's tweaked output key; `tapInternalKey` is what the PSBT input must carry.
 */
export async function psbtTaprootSigner(
  signer: Bip340Signer,
  opts: TaprootSignerOptions = {},
): Promise<SignerAsync & { tapInternalKey: Uint8Array; outputKey: Uint8Array }> {
  const internalKey = await signer.publicKey();
  assertBytes(internalKey, 32, 'publicKey');
  const merkleRoot = opts.merkleRoot ?? new Uint8Array(0);
  const outputKey = taprootOutputKey(internalKey, merkleRoot);
  const publicKey = new Uint8Array(33);
  publicKey[0] = 2;
  publicKey.set(outputKey, 1);
  return {
    publicKey,
    tapInternalKey: internalKey,
    outputKey,
    async sign(): Promise<Uint8Array> {
      throw new ChainSignerError('sign', 'a taproot key-path signer signs with Schnorr only');
    },
    async signSchnorr(hash: Uint8Array): Promise<Uint8Array> {
      assertBytes(hash, 32, 'sighash');
      const { signature } = await signer.signDigest(hash, {
        taprootMerkleRoot: merkleRoot,
        note: 'bitcoin p2tr key path',
      });
      assertBytes(signature, 64, 'signature');
      if (!schnorr.verify(signature, hash, outputKey))
        throw new ChainSignerError('signature', 'does not verify under the taproot output key');
      return signature;
    },
  };
}
