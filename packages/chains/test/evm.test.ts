// EVM adapters against a real verifier: ganache's in-process EVM mines transactions signed by
// the CGGMP21 threshold key through the ethers v6 Signer and the viem account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BrowserProvider, parseEther, Transaction, verifyMessage } from 'ethers';
import type { Eip1193Provider, JsonRpcSigner } from 'ethers';
import ganache from 'ganache';
import { parseGwei, recoverTransactionAddress } from 'viem';
import { evmAddress, MpcEthersSigner, mpcViemAccount } from '../src/evm.ts';
import { ChainSignerError } from '../src/signer.ts';
import type { EcdsaSigner } from '../src/signer.ts';
import { inProcessEcdsaSigner } from './helpers/mpc.ts';

// Init code that deploys the runtime `PUSH1 4 CALLDATALOAD PUSH1 0 SSTORE STOP`: a call stores
// its first argument word in slot 0 (hand-assembled so no compiler is needed).
const STORE_RUNTIME = '60043560005500';
const STORE_INIT = '0x600780600b6000396000f3' + STORE_RUNTIME;

describe('EVM adapters on an in-process EVM (ganache)', () => {
  const mpc = inProcessEcdsaSigner();
  let provider: BrowserProvider;
  let eip1193: ReturnType<typeof ganache.provider>;
  let funder: JsonRpcSigner;
  let signer: MpcEthersSigner;

  before(async () => {
    eip1193 = ganache.provider({
      logging: { quiet: true },
      chain: { chainId: 1337, hardfork: 'shanghai' },
      wallet: { totalAccounts: 1, defaultBalance: 1000 },
    });
    provider = new BrowserProvider(eip1193 as unknown as Eip1193Provider, 1337);
    funder = await provider.getSigner(0);
    signer = await MpcEthersSigner.create(mpc, provider);
    const fund = await funder.sendTransaction({ to: signer.address, value: parseEther('10') });
    await fund.wait();
  });

  after(async () => {
    await eip1193.disconnect();
  });

  test('the address is the keccak of the threshold public key', async () => {
    assert.equal(await signer.getAddress(), evmAddress(await mpc.publicKey()));
  });

  test('an EIP-1559 transfer signed through the ethers Signer is mined and moves the balance', async () => {
    const to = '0x00000000000000000000000000000000000000aa';
    const before = await provider.getBalance(signer.address);
    const resp = await signer.sendTransaction({
      to,
      value: parseEther('1.5'),
      type: 2,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    const receipt = await resp.wait();
    assert.ok(receipt);
    assert.equal(receipt.status, 1);
    assert.equal(receipt.from, signer.address);
    const mined = await provider.getTransaction(resp.hash);
    assert.equal(mined?.type, 2);
    assert.equal(await provider.getBalance(to), parseEther('1.5'));
    const fee = receipt.gasUsed * receipt.gasPrice;
    assert.equal(await provider.getBalance(signer.address), before - parseEther('1.5') - fee);
  });

  test('a contract deployment and a contract call signed through the ethers Signer change state', async () => {
    const deploy = await signer.sendTransaction({ data: STORE_INIT, type: 2 });
    const deployed = await deploy.wait();
    assert.equal(deployed?.status, 1);
    const contract = deployed?.contractAddress;
    assert.ok(contract);
    assert.equal(await provider.getCode(contract), '0x' + STORE_RUNTIME);
    // ganache answers "0x" for a never-written slot
    const slot0 = async () =>
      BigInt((await provider.getStorage(contract, 0)).replace(/^0x$/, '0x0'));
    assert.equal(await slot0(), 0n);
    const call = await signer.sendTransaction({
      to: contract,
      type: 2,
      data: '0xdeadbeef' + 42n.toString(16).padStart(64, '0'),
    });
    assert.equal((await call.wait())?.status, 1);
    assert.equal(await slot0(), 42n);
  });

  test('a transaction from the viem account is accepted and mined', async () => {
    const account = await mpcViemAccount(mpc);
    assert.equal(account.address, signer.address);
    const nonce = await provider.getTransactionCount(signer.address);
    const to = '0x00000000000000000000000000000000000000bb';
    const raw = await account.signTransaction({
      chainId: 1337,
      type: 'eip1559',
      nonce,
      to,
      value: 7n,
      gas: 21000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    assert.equal(
      await recoverTransactionAddress({ serializedTransaction: raw as `0x02${string}` }),
      account.address,
    );
    const hash = (await eip1193.request({
      method: 'eth_sendRawTransaction',
      params: [raw],
    })) as string;
    assert.equal((await provider.waitForTransaction(hash))?.status, 1);
    assert.equal(await provider.getBalance(to), 7n);
  });

  test('a personal message signed through the ethers Signer recovers to the address', async () => {
    const sig = await signer.signMessage('hello quorate');
    assert.equal(verifyMessage('hello quorate', sig), signer.address);
  });

  test('a transaction whose from is another address is refused before signing', async () => {
    const before = mpc.count();
    await assert.rejects(
      signer.signTransaction({
        from: '0x00000000000000000000000000000000000000cc',
        to: '0x00000000000000000000000000000000000000aa',
        chainId: 1337,
        nonce: 0,
        gasLimit: 21000,
        gasPrice: 1,
      }),
      (e) => e instanceof ChainSignerError && e.field === 'tx.from',
    );
    assert.equal(mpc.count(), before);
  });

  test('a signature that does not verify under the key is refused, not emitted', async () => {
    const liar: EcdsaSigner = {
      algorithm: 'ecdsa-secp256k1',
      publicKey: () => mpc.publicKey(),
      async signDigest(digest) {
        const sig = await mpc.signDigest(digest);
        return { r: sig.r, s: sig.s === 1n ? 2n : 1n };
      },
    };
    const bad = await MpcEthersSigner.create(liar);
    const tx = { to: signer.address, chainId: 1337, nonce: 0, gasLimit: 21000, gasPrice: 1 };
    await assert.rejects(
      bad.signTransaction(tx),
      (e) => e instanceof ChainSignerError && e.field === 'signature',
    );
    assert.equal(Transaction.from({ ...tx, to: signer.address }).isSigned(), false);
  });
});
