/**
 * `quorate dev up` end to end (issue 8): the real hub and three real co-signer processes on
 * loopback with mTLS, provisioned through the public API, run CGGMP21 and FROST DKG, sign an
 * EIP-1559 transfer and an Ed25519 message, and refuse a transfer the primary's callback handler
 * does not allow. The signatures are checked here again with independent verifiers (ethers
 * recovers the sender; @noble/curves verifies Ed25519), not on the command's word. A second run
 * reuses the saved stack (same keys) and stops every process on SIGINT.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Transaction, getAddress } from 'ethers';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

const BIN = fileURLToPath(new URL('../bin/quorate.js', import.meta.url));

interface Summary {
  hubUrl: string;
  processes: { name: string; pid: number }[];
  cosigners: { id: string; name: string; role: string; set: string | null }[];
  keys: { ecdsa: { publicKey: string; address: string }; eddsa: { publicKey: string } };
  transactions: {
    id: string;
    status: string;
    kind: string;
    digest: string;
    signature: string | null;
    signedTx?: string;
    reason?: string;
  }[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `quorate dev up …`; resolves with the summary; `interrupt` sends SIGINT once it has it. */
function devUp(
  args: readonly string[],
  interrupt: boolean,
): Promise<{ code: number | null; summary: Summary; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'dev', 'up', '--json', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let summary: Summary | undefined;
    // The summary (stdout) and the "press Ctrl-C" line (stderr) arrive on two pipes, in either order.
    let sent = false;
    const maybeInterrupt = () => {
      if (sent || !interrupt || summary === undefined || !err.includes('press Ctrl-C')) return;
      sent = true;
      child.kill('SIGINT');
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const complete = out.split('\n').slice(0, -1); // the last piece may be half a line
      const line = complete.find((l) => l.startsWith('{'));
      if (summary === undefined && line !== undefined) summary = JSON.parse(line) as Summary;
      maybeInterrupt();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      maybeInterrupt();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (summary === undefined)
        reject(new Error(`dev up exited ${String(code)} without a summary:\n${err.slice(-3000)}`));
      else resolve({ code, summary, stderr: err });
    });
  });
}

describe('quorate dev up', () => {
  let dir: string;
  let first: Summary;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'quorate-dev-up-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--demo --once --json: hub + 3 co-signers sign through the API; the signatures verify', async () => {
    const r = await devUp(['--demo', '--once', '--data-dir', dir], false);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    first = r.summary;
    assert.match(first.hubUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(
      first.cosigners.map((c) => [c.name, c.role, c.set]),
      [
        ['primary', 'primary', null],
        ['guard-a', 'guard', 'A'],
        ['guard-b', 'guard', 'B'],
      ],
    );
    // Every process of the stack is gone after --once.
    assert.deepEqual(
      first.processes.map((p) => p.name),
      ['hub', 'callback-handler', 'primary', 'guard-a', 'guard-b'],
    );
    for (const p of first.processes) assert.equal(alive(p.pid), false, `${p.name} still runs`);

    const [evm, message, refused] = first.transactions;
    assert.ok(evm && message && refused);
    // EVM: ethers recovers the vault's address from the signed EIP-1559 transaction, and the
    // digest the hub had signed is the transaction's signing hash.
    assert.equal(evm.status, 'COMPLETED');
    const tx = Transaction.from(evm.signedTx!);
    assert.equal(tx.type, 2);
    assert.equal(tx.from, getAddress(first.keys.ecdsa.address));
    assert.equal(tx.unsignedHash.slice(2), evm.digest);
    // … and noble verifies r‖s under the account's public key, which hashes to that address.
    const pub = secp256k1.Point.fromHex(first.keys.ecdsa.publicKey).toBytes(false);
    assert.equal(
      getAddress(`0x${Buffer.from(keccak_256(pub.slice(1)).slice(12)).toString('hex')}`),
      tx.from,
    );
    assert.ok(
      secp256k1.verify(Buffer.from(evm.signature!, 'hex'), Buffer.from(evm.digest, 'hex'), pub, {
        prehash: false,
      }),
    );
    // Ed25519: the message (the transaction's digest is the message itself) verifies with noble.
    assert.equal(message.status, 'COMPLETED');
    assert.equal(message.kind, 'message');
    assert.ok(
      ed25519.verify(
        Buffer.from(message.signature!, 'hex'),
        Buffer.from(message.digest, 'hex'),
        Buffer.from(first.keys.eddsa.publicKey, 'hex'),
      ),
    );
    // The primary's callback handler refused a destination off its allow-list.
    assert.equal(refused.status, 'REJECTED');
    assert.equal(refused.signature, null);
    assert.match(refused.reason ?? '', /not on the allow-list/);
  });

  test('a second run reuses the stack (same keys) and Ctrl-C stops every process', async () => {
    assert.ok(first, 'the first run must have succeeded');
    const r = await devUp(['--data-dir', dir], true);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.deepEqual(r.summary.keys, first.keys);
    assert.deepEqual(
      r.summary.cosigners.map((c) => c.id),
      first.cosigners.map((c) => c.id),
    );
    assert.deepEqual(r.summary.transactions, []);
    assert.match(r.stderr, /stopping \(SIGINT\)/);
    for (const p of r.summary.processes) assert.equal(alive(p.pid), false, `${p.name} still runs`);
  });
});
