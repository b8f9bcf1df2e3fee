// `quorate sim eddsa|schnorr`: the JSON shape, independent verification, and usage errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { main } from '../src/main.ts';
import type { Io } from '../src/args.ts';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
const hb = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

async function run(args: string[]) {
  const io = capture();
  const code = await main(['sim', ...args, '--json'], io);
  return { code, io, out: code === 0 ? JSON.parse(io.stdout[0] as string) : undefined };
}

describe('quorate sim eddsa / schnorr', () => {
  test('eddsa 2-of-3 with a path and signers: one JSON object, signature verifies', async () => {
    const { code, io, out } = await run([
      'eddsa',
      '--threshold',
      '2',
      '--parties',
      '3',
      '--message',
      'hello',
      '--path',
      'm/0/5',
      '--signers',
      '1,3',
    ]);
    assert.equal(code, 0);
    assert.equal(io.stdout.length, 1);
    assert.deepEqual(Object.keys(out), [
      'algorithm',
      'threshold',
      'parties',
      'signers',
      'publicKey',
      'chainCode',
      'path',
      'derivedPublicKey',
      'message',
      'signature',
      'timingsMs',
    ]);
    assert.equal(out.algorithm, 'eddsa-ed25519');
    assert.deepEqual([out.threshold, out.parties, out.signers, out.path], [2, 3, [1, 3], 'm/0/5']);
    assert.match(out.publicKey, /^[0-9a-f]{64}$/);
    assert.match(out.signature, /^[0-9a-f]{128}$/);
    assert.equal(out.message, Buffer.from('hello').toString('hex'));
    assert.ok(ed25519.verify(hb(out.signature), hb(out.message), hb(out.derivedPublicKey)));
    assert.match(io.stderr.join('\n'), /dkg: ed25519 2-of-3/);
  });

  test('schnorr: sha256 digest by default, BIP340 under the x-only key; --taproot under the output key', async () => {
    const plain = await run(['schnorr', '--message', 'hi']);
    assert.equal(plain.code, 0);
    assert.equal(plain.out.algorithm, 'schnorr-bip340');
    assert.equal(
      plain.out.digest,
      Buffer.from(sha256(new TextEncoder().encode('hi'))).toString('hex'),
    );
    assert.equal(plain.out.derivedPublicKey, null);
    assert.equal(plain.out.taprootOutputKey, null);
    assert.ok(
      schnorr.verify(hb(plain.out.signature), hb(plain.out.digest), hb(plain.out.publicKey)),
    );
    const tr = await run([
      'schnorr',
      '--message',
      'hi',
      '--path',
      'm/1',
      '--taproot',
      '--signers',
      '2,3',
    ]);
    assert.equal(tr.code, 0);
    assert.match(tr.out.taprootOutputKey, /^[0-9a-f]{64}$/);
    assert.ok(schnorr.verify(hb(tr.out.signature), hb(tr.out.digest), hb(tr.out.taprootOutputKey)));
  });

  for (const [args, pattern] of [
    [['eddsa'], /--message is required/],
    [['eddsa', '--message', 'x', '--signers', '1'], /the threshold is 2/],
    [['eddsa', '--message', 'x', '--signers', '1,4'], /party 4 is not in 1\.\.3/],
    [['eddsa', '--message', 'x', '--hash', 'keccak256'], /--hash must be sha256 or none/],
    [['schnorr', '--message', 'x', '--path', "m/0'"], /hardened/],
    [['eddsa', '--message', 'x', '--taproot'], /schnorr only/],
    [['schnorr', '--message', 'x', '--threshold', '4'], /--threshold must be between 1 and 3/],
  ] as const) {
    test(`usage error: ${args.slice(1).join(' ') || args[0]}`, async () => {
      const { code, io } = await run([...args]);
      assert.equal(code, 2);
      assert.match(io.stderr.join('\n'), pattern);
    });
  }
});
