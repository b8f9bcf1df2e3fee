// Digest check: the co-signer rebuilds what is signed from the raw transaction (EVM legacy and
// EIP-1559, PSBT P2WPKH and P2TR key path, Solana legacy and v0) and refuses any other digest.
// Expected digests come from an independent path: keccak256 of the unsigned bytes (EVM), the hash
// bitcoinjs hands to a signer in its own signing code (PSBT), web3.js's serializeMessage (Solana).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Transaction as EthTx } from 'ethers';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Psbt, crypto as btcCrypto, networks } from 'bitcoinjs-lib';
import {
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction as SolTx,
  TransactionMessage,
  VersionedTransaction,
  ComputeBudgetProgram,
} from '@solana/web3.js';
import { checkDigest, DigestError } from '../src/digest/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const isDigestError = (kind: string, field: string) => (e: unknown) =>
  e instanceof DigestError && e.kind === kind && e.field === field;

describe('EVM', () => {
  const to = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
  const eip1559 = EthTx.from({
    type: 2,
    chainId: 1n,
    nonce: 7,
    maxFeePerGas: 30_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
    gasLimit: 21000n,
    to,
    value: 1_500_000_000_000_000_000n,
  });
  const legacy = EthTx.from({
    type: 0,
    chainId: 5n,
    nonce: 1,
    gasPrice: 10n,
    gasLimit: 21000n,
    to,
    value: 42n,
  });
  const erc20 = EthTx.from({
    type: 2,
    chainId: 1n,
    nonce: 8,
    maxFeePerGas: 1n,
    maxPriorityFeePerGas: 1n,
    gasLimit: 60000n,
    to: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    data:
      '0xa9059cbb' +
      '000000000000000000000000' +
      to.slice(2).toLowerCase() +
      1234567n.toString(16).padStart(64, '0'),
  });
  const raw = (t: EthTx) => Buffer.from(t.unsignedSerialized.slice(2), 'hex');

  for (const [name, tx, asset, amount] of [
    ['EIP-1559', eip1559, 'evm:1', '1500000000000000000'],
    ['legacy EIP-155', legacy, 'evm:5', '42'],
  ] as const) {
    test(`${name}: matching digest passes and decodes destination and amount`, () => {
      const digest = hex(keccak_256(raw(tx)));
      const d = checkDigest({ kind: 'evm', raw: raw(tx), digests: ['0x' + digest.toUpperCase()] });
      assert.deepEqual(d.digests, [digest]);
      assert.deepEqual(d.transfers, [{ destination: to.toLowerCase(), amount, asset }]);
    });
    test(`${name}: another digest is refused`, () => {
      const other = hex(keccak_256(raw(tx === legacy ? eip1559 : legacy)));
      assert.throws(
        () => checkDigest({ kind: 'evm', raw: raw(tx), digests: [other] }),
        isDigestError('mismatch', 'digests.0'),
      );
    });
  }

  test('ERC-20 transfer: token recipient and amount are decoded', () => {
    const d = checkDigest({ kind: 'evm', raw: raw(erc20), digests: [hex(keccak_256(raw(erc20)))] });
    assert.deepEqual(d.transfers, [
      {
        destination: to.toLowerCase(),
        amount: '1234567',
        asset: 'evm:1:0xdac17f958d2ee523a2206206994597c13d831ec7',
      },
    ]);
  });

  test('garbage is malformed; two digests for one transaction is a mismatch', () => {
    assert.throws(
      () => checkDigest({ kind: 'evm', raw: Uint8Array.of(1, 2, 3), digests: [] }),
      isDigestError('malformed', 'raw'),
    );
    const dg = hex(keccak_256(raw(legacy)));
    assert.throws(
      () => checkDigest({ kind: 'evm', raw: raw(legacy), digests: [dg, dg] }),
      isDigestError('mismatch', 'digests'),
    );
  });
});

describe('Bitcoin PSBT', () => {
  const pubkey = Uint8Array.from([0x02, ...new Array(32).fill(0x11)]);
  const p2wpkh = Uint8Array.from([0x00, 0x14, ...btcCrypto.hash160(pubkey)]);
  const p2tr = Uint8Array.from([0x51, 0x20, ...new Array(32).fill(0x22)]);
  const prevTxid = (n: number) => new Uint8Array(32).fill(n);

  function build(inputs: { script: Uint8Array; value: bigint }[]): Psbt {
    const psbt = new Psbt({ network: networks.bitcoin });
    inputs.forEach((inp, i) =>
      psbt.addInput({ hash: prevTxid(i + 1), index: i, witnessUtxo: inp }),
    );
    psbt.addOutput({ script: p2tr, value: 70_000n });
    psbt.addOutput({ script: p2wpkh, value: 20_000n });
    return psbt;
  }

  /**
   * BIP 341 key-path sighash (SIGHASH_DEFAULT, no annex), written out here from the BIP's
   * "Common signature message" so the test does not rely on the code under test.
   */
  function bip341KeyPathSighash(
    psbt: Psbt,
    prevouts: { script: Uint8Array; value: bigint }[],
    i: number,
  ): string {
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const u64 = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(n);
      return b;
    };
    const withLen = (s: Uint8Array) => Buffer.concat([Uint8Array.of(s.length), s]);
    const sha = (parts: Uint8Array[]) => sha256(Buffer.concat(parts));
    const ins = psbt.txInputs;
    const tag = sha256(Buffer.from('TapSighash'));
    const msg = Buffer.concat([
      Uint8Array.of(0x00, 0x00),
      u32(psbt.version),
      u32(psbt.locktime),
      sha(ins.map((x) => Buffer.concat([x.hash, u32(x.index)]))),
      sha(prevouts.map((p) => u64(p.value))),
      sha(prevouts.map((p) => withLen(p.script))),
      sha(ins.map((x) => u32(x.sequence ?? 0xffffffff))),
      sha(psbt.txOutputs.map((o) => Buffer.concat([u64(o.value), withLen(o.script)]))),
      Uint8Array.of(0x00),
      u32(i),
    ]);
    return hex(sha256(Buffer.concat([tag, tag, msg])));
  }

  /** The BIP 143 sighash bitcoinjs computes in its own signing code, captured from the signer. */
  function bitcoinjsSighash(psbt: Psbt, i: number): string {
    let captured: Uint8Array | undefined;
    const signer = {
      publicKey: pubkey,
      sign: (h: Uint8Array) => ((captured = h), new Uint8Array(64).fill(1)),
    };
    try {
      psbt.clone().signInput(i, signer);
    } catch {
      // bitcoinjs validates the dummy signature afterwards; the hash was captured before that.
    }
    assert.ok(captured, 'bitcoinjs computed a sighash');
    return hex(captured);
  }

  test('P2WPKH (segwit v0): digests match bitcoinjs; outputs and fee decoded', () => {
    const psbt = build([{ script: p2wpkh, value: 100_000n }]);
    const expected = bitcoinjsSighash(psbt, 0);
    const d = checkDigest({ kind: 'psbt', raw: psbt.toBuffer(), digests: [expected] });
    assert.deepEqual(d.digests, [expected]);
    assert.equal(d.fee, '10000');
    assert.equal(d.transfers.length, 2);
    assert.match(d.transfers[0]!.destination, /^bc1p/);
    assert.match(d.transfers[1]!.destination, /^bc1q/);
    assert.deepEqual(
      d.transfers.map((t) => [t.amount, t.asset]),
      [
        ['70000', 'BTC'],
        ['20000', 'BTC'],
      ],
    );
  });

  test('P2TR key path and mixed inputs: every input digest matches bitcoinjs', () => {
    const prevouts = [
      { script: p2tr, value: 60_000n },
      { script: p2wpkh, value: 40_000n },
    ];
    const psbt = build(prevouts);
    const expected = [bip341KeyPathSighash(psbt, prevouts, 0), bitcoinjsSighash(psbt, 1)];
    const d = checkDigest({ kind: 'psbt', raw: psbt.toBuffer(), digests: expected });
    assert.deepEqual(d.digests, expected);
    assert.equal(d.fee, '10000');
  });

  test('a digest of another input order or amount is refused', () => {
    const prevouts = [
      { script: p2tr, value: 60_000n },
      { script: p2wpkh, value: 40_000n },
    ];
    const psbt = build(prevouts);
    const d = checkDigest({
      kind: 'psbt',
      raw: psbt.toBuffer(),
      digests: [bip341KeyPathSighash(psbt, prevouts, 0), bitcoinjsSighash(psbt, 1)],
    });
    assert.throws(
      () =>
        checkDigest({
          kind: 'psbt',
          raw: psbt.toBuffer(),
          digests: [d.digests[1]!, d.digests[0]!],
        }),
      isDigestError('mismatch', 'digests.0'),
    );
    const richer = build([
      { script: p2tr, value: 60_001n },
      { script: p2wpkh, value: 40_000n },
    ]);
    // Taproot commits to every input amount: changing one changes every Taproot digest.
    assert.throws(
      () => checkDigest({ kind: 'psbt', raw: richer.toBuffer(), digests: d.digests }),
      isDigestError('mismatch', 'digests.0'),
    );
  });

  test('missing witness UTXO is malformed; a P2SH input is unsupported', () => {
    const psbt = new Psbt();
    psbt.addInput({ hash: prevTxid(1), index: 0 });
    psbt.addOutput({ script: p2wpkh, value: 1n });
    assert.throws(
      () => checkDigest({ kind: 'psbt', raw: psbt.toBuffer(), digests: [] }),
      isDigestError('malformed', 'inputs.0.witnessUtxo'),
    );
    const p2sh = Uint8Array.from([0xa9, 0x14, ...new Array(20).fill(3), 0x87]);
    const psbt2 = build([{ script: p2sh, value: 100_000n }]);
    assert.throws(
      () => checkDigest({ kind: 'psbt', raw: psbt2.toBuffer(), digests: [] }),
      isDigestError('unsupported', 'inputs.0.witnessUtxo.script'),
    );
  });
});

describe('Solana', () => {
  const from = Keypair.fromSeed(new Uint8Array(32).fill(1));
  const to = Keypair.fromSeed(new Uint8Array(32).fill(2)).publicKey;
  const blockhash = new PublicKey(new Uint8Array(32).fill(9)).toBase58();

  test('legacy transfer: message bytes match, destination and lamports decoded', () => {
    const tx = new SolTx({ feePayer: from.publicKey, recentBlockhash: blockhash })
      .add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 5 }))
      .add(
        SystemProgram.transfer({
          fromPubkey: from.publicKey,
          toPubkey: to,
          lamports: 2_500_000_000,
        }),
      );
    const raw = tx.serialize({ requireAllSignatures: false, verifySignatures: false });
    const message = hex(tx.serializeMessage());
    const d = checkDigest({ kind: 'solana', raw, digests: [message] });
    assert.deepEqual(d.transfers, [
      { destination: to.toBase58(), amount: '2500000000', asset: 'SOL' },
    ]);
    assert.deepEqual(d.warnings, []);
    const other = new SolTx({ feePayer: from.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 1 }),
    );
    assert.throws(
      () => checkDigest({ kind: 'solana', raw, digests: [hex(other.serializeMessage())] }),
      isDigestError('mismatch', 'digests.0'),
    );
  });

  test('v0 transfer: message bytes match; other programs are reported as warnings', () => {
    const memo = new PublicKey(new Uint8Array(32).fill(5));
    const msg = new TransactionMessage({
      payerKey: from.publicKey,
      recentBlockhash: blockhash,
      instructions: [
        SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 7 }),
        { programId: memo, keys: [], data: Buffer.from('hi') },
      ],
    }).compileToV0Message();
    const raw = new VersionedTransaction(msg).serialize();
    const d = checkDigest({ kind: 'solana', raw, digests: [hex(msg.serialize())] });
    assert.deepEqual(d.transfers, [{ destination: to.toBase58(), amount: '7', asset: 'SOL' }]);
    assert.deepEqual(d.warnings, [`instruction 1: program ${memo.toBase58()} not decoded`]);
  });

  test('garbage is malformed', () => {
    assert.throws(
      () => checkDigest({ kind: 'solana', raw: Uint8Array.of(1), digests: [] }),
      isDigestError('malformed', 'raw'),
    );
  });
});
