// Bitcoin adapters against bitcoinjs-lib: a P2WPKH PSBT signed by the CGGMP21 key and a P2TR
// key-path PSBT signed by the FROST BIP340 key (with the BIP86 tweak) are validated, finalized
// and extracted by bitcoinjs; signature checks use an independent secp256k1 library.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ecc from '@bitcoinerlab/secp256k1';
import { initEccLib, networks, payments, Psbt, Transaction } from 'bitcoinjs-lib';
import { psbtEcdsaSigner, psbtTaprootSigner, taprootOutputKey } from '../src/bitcoin.ts';
import { ChainSignerError } from '../src/signer.ts';
import type { Bip340Signer } from '../src/signer.ts';
import { inProcessBip340Signer, inProcessEcdsaSigner } from './helpers/mpc.ts';

initEccLib(ecc);
const network = networks.regtest;

/** A previous transaction paying `value` to `script`, so the PSBT input has a real outpoint. */
function fundingTx(script: Uint8Array, value: bigint): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(new Uint8Array(32).fill(7), 0);
  tx.addOutput(script, value);
  return tx;
}

const validator = (pubkey: Uint8Array, msghash: Uint8Array, signature: Uint8Array): boolean =>
  pubkey.length === 32
    ? ecc.verifySchnorr(msghash, pubkey, signature)
    : ecc.verify(msghash, pubkey, signature);

const destination = payments.p2wpkh({ hash: new Uint8Array(20).fill(9), network }).output!;

describe('Bitcoin PSBT signers', () => {
  test('a P2WPKH PSBT signed with the threshold ECDSA key finalizes and its signature verifies', async () => {
    const mpc = inProcessEcdsaSigner();
    const signer = await psbtEcdsaSigner(mpc);
    const pay = payments.p2wpkh({ pubkey: signer.publicKey, network });
    const prev = fundingTx(pay.output!, 100_000n);
    const psbt = new Psbt({ network });
    psbt.addInput({
      hash: prev.getId(),
      index: 0,
      witnessUtxo: { script: pay.output!, value: 100_000n },
    });
    psbt.addOutput({ script: destination, value: 90_000n });
    await psbt.signAllInputsAsync(signer);
    assert.equal(psbt.validateSignaturesOfAllInputs(validator), true);
    psbt.finalizeAllInputs();
    const tx = psbt.extractTransaction();
    assert.equal(tx.ins.length, 1);
    const [sig, pub] = tx.ins[0]!.witness;
    assert.deepEqual(pub, signer.publicKey);
    assert.equal(sig![sig!.length - 1], Transaction.SIGHASH_ALL);
    // the witness signature verifies over the BIP143 sighash bitcoinjs recomputes
    const sighash = tx.hashForWitnessV0(0, payments.p2pkh({ pubkey: pub! }).output!, 100_000n, 1);
    const compact = decodeDer(sig!.subarray(0, -1));
    assert.equal(ecc.verify(sighash, pub!, compact, true), true);
  });

  test('a P2TR key-path PSBT signed with the FROST key and the BIP86 tweak finalizes and verifies', async () => {
    const mpc = inProcessBip340Signer();
    const signer = await psbtTaprootSigner(mpc);
    const pay = payments.p2tr({ internalPubkey: signer.tapInternalKey, network });
    assert.deepEqual(pay.pubkey, signer.outputKey);
    const prev = fundingTx(pay.output!, 50_000n);
    const psbt = new Psbt({ network });
    psbt.addInput({
      hash: prev.getId(),
      index: 0,
      witnessUtxo: { script: pay.output!, value: 50_000n },
      tapInternalKey: signer.tapInternalKey,
    });
    psbt.addOutput({ script: destination, value: 40_000n });
    await psbt.signAllInputsAsync(signer);
    assert.equal(psbt.validateSignaturesOfAllInputs(validator), true);
    psbt.finalizeAllInputs();
    const tx = psbt.extractTransaction();
    const witness = tx.ins[0]!.witness;
    assert.equal(witness.length, 1);
    assert.equal(witness[0]!.length, 64); // SIGHASH_DEFAULT: no sighash byte
    const sighash = tx.hashForWitnessV1(0, [pay.output!], [50_000n], Transaction.SIGHASH_DEFAULT);
    assert.equal(ecc.verifySchnorr(sighash, signer.outputKey, witness[0]!), true);
    assert.equal(ecc.verifySchnorr(sighash, signer.tapInternalKey, witness[0]!), false);
  });

  test('the output key matches bitcoinjs for a script-tree merkle root too', async () => {
    const mpc = inProcessBip340Signer();
    const root = new Uint8Array(32).fill(0x5a);
    const internal = await mpc.publicKey();
    const expected = ecc.xOnlyPointAddTweak(
      internal,
      (await import('bitcoinjs-lib')).crypto.taggedHash(
        'TapTweak',
        Buffer.concat([internal, root]),
      ),
    );
    assert.ok(expected);
    assert.deepEqual(taprootOutputKey(internal, root), expected.xOnlyPubkey);
  });

  test('a Schnorr signature made without the tweak is refused by the taproot signer', async () => {
    const mpc = inProcessBip340Signer();
    const untweaked: Bip340Signer = {
      algorithm: 'schnorr-bip340',
      publicKey: () => mpc.publicKey(),
      signDigest: (m) => mpc.signDigest(m), // drops the taproot merkle root
    };
    const signer = await psbtTaprootSigner(untweaked);
    await assert.rejects(
      signer.signSchnorr!(new Uint8Array(32).fill(1)),
      (e) => e instanceof ChainSignerError && e.field === 'signature',
    );
  });
});

/** DER → 64-byte r ‖ s (test-side, to check the witness independently). */
function decodeDer(der: Uint8Array): Uint8Array {
  assert.equal(der[0], 0x30);
  let i = 2;
  const out = new Uint8Array(64);
  for (const k of [0, 1]) {
    assert.equal(der[i], 0x02);
    const len = der[i + 1]!;
    let v = der.subarray(i + 2, i + 2 + len);
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    out.set(v, 32 * k + 32 - v.length);
    i += 2 + len;
  }
  return out;
}
