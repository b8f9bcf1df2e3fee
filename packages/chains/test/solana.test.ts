// Solana adapter against @solana/web3.js: a transfer signed by the FROST Ed25519 key (with and
// without a second, ordinary fee-payer key) passes Transaction.verifySignatures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { MpcSolanaSigner } from '../src/solana.ts';
import { ChainSignerError } from '../src/signer.ts';
import { inProcessEd25519Signer } from './helpers/mpc.ts';

const blockhash = new PublicKey(new Uint8Array(32).fill(3)).toBase58();
const recipient = new PublicKey(new Uint8Array(32).fill(4));

describe('Solana signer', () => {
  const mpc = inProcessEd25519Signer();

  test('a transfer signed with the threshold key verifies', async () => {
    const signer = await MpcSolanaSigner.create(mpc);
    const tx = new Transaction({ feePayer: signer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: signer.publicKey, toPubkey: recipient, lamports: 1234 }),
    );
    await signer.signTransaction(tx);
    assert.equal(tx.verifySignatures(), true);
    const wire = tx.serialize(); // throws unless every required signature is present and valid
    assert.equal(Transaction.from(wire).verifySignatures(), true);
  });

  test('a transfer with another fee payer is complete only after both sign', async () => {
    const signer = await MpcSolanaSigner.create(mpc);
    const payer = Keypair.generate();
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: signer.publicKey, toPubkey: recipient, lamports: 1 }),
    );
    await signer.signTransaction(tx);
    assert.equal(tx.verifySignatures(true), false);
    assert.equal(tx.verifySignatures(false), true);
    tx.partialSign(payer);
    assert.equal(tx.verifySignatures(), true);
  });

  test('a versioned (v0) transfer is signed in place', async () => {
    const signer = await MpcSolanaSigner.create(mpc);
    const message = new TransactionMessage({
      payerKey: signer.publicKey,
      recentBlockhash: blockhash,
      instructions: [
        SystemProgram.transfer({ fromPubkey: signer.publicKey, toPubkey: recipient, lamports: 5 }),
      ],
    }).compileToV0Message();
    const vtx = new VersionedTransaction(message);
    await signer.signTransaction(vtx);
    assert.equal(vtx.signatures.length, 1);
    // web3.js has no verifier for v0 transactions: check the wire form's signature directly
    const wire = VersionedTransaction.deserialize(vtx.serialize());
    assert.equal(
      ed25519.verify(wire.signatures[0]!, wire.message.serialize(), await mpc.publicKey()),
      true,
    );
  });

  test('a transaction that does not need this key is refused', async () => {
    const signer = await MpcSolanaSigner.create(mpc);
    const other = Keypair.generate();
    const tx = new Transaction({ feePayer: other.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: other.publicKey, toPubkey: recipient, lamports: 1 }),
    );
    await assert.rejects(
      signer.signTransaction(tx),
      (e) => e instanceof ChainSignerError && e.field === 'transaction',
    );
  });

  test('a signature over another message is refused', async () => {
    const signer = await MpcSolanaSigner.create({
      algorithm: 'eddsa-ed25519',
      publicKey: () => mpc.publicKey(),
      signDigest: (m) => mpc.signDigest(Uint8Array.from([...m, 0])),
    });
    await assert.rejects(
      signer.signMessage(new Uint8Array([1, 2, 3])),
      (e) => e instanceof ChainSignerError && e.field === 'signature',
    );
  });
});
