/**
 * `quorate dev up` end to end (issue 8): the real hub and three real co-signer processes on
 * loopback with mTLS, provisioned through the public API, run CGGMP21 and FROST DKG, sign an
 * EIP-1559 transfer and an Ed25519 message, and refuse a transfer the primary's callback handler
 * does not allow. The signatures are checked here again with independent verifiers (ethers
 * recovers the sender; @noble/curves verifies Ed25519), not on the command's word. A second run
 * reuses the saved stack (same keys); while it runs, the owner refreshes the EdDSA key's shares
 * through the hub (a refresh job across the real co-signers), then reshares it (an approved
 * configuration change), and after each the demo API user signs again under the same public key;
 * then SIGINT stops every process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Transaction, getAddress } from 'ethers';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { QuorateClient } from '@quorate/sdk';
import type { DevState } from '../src/dev/state.ts';

const BIN = fileURLToPath(new URL('../bin/quorate.js', import.meta.url));

interface Summary {
  hubUrl: string;
  console: { url: string; userId: string; keyFile: string };
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
  whileRunning: (s: Summary) => Promise<void> = async () => {},
): Promise<{ code: number | null; summary: Summary; stderr: string; during?: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'dev', 'up', '--json', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let summary: Summary | undefined;
    // The summary (stdout) and the "press Ctrl-C" line (stderr) arrive on two pipes, in either order.
    let sent = false;
    let during: unknown;
    const maybeInterrupt = () => {
      if (sent || !interrupt || summary === undefined || !err.includes('press Ctrl-C')) return;
      sent = true;
      // The stack is up: let the test use it, then stop it as Ctrl-C does.
      whileRunning(summary).then(
        () => child.kill('SIGINT'),
        (e: unknown) => {
          during = e;
          child.kill('SIGINT');
        },
      );
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
      else resolve({ code, summary, stderr: err, during });
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
    assert.equal(first.console.url, `${first.hubUrl}/console/`);
    assert.equal(first.console.keyFile, join(dir, 'hub', 'owner-key.pem'));
    assert.match(readFileSync(first.console.keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(first.console.userId, /^[\w-]{8,}$/);
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

  test('a second run reuses the stack (same keys); the EdDSA shares refresh and reshare through the hub and still sign; Ctrl-C stops every process', async () => {
    assert.ok(first, 'the first run must have succeeded');
    let signedAfterRefresh = false;
    const r = await devUp(['--data-dir', dir], true, async (s) => {
      const state = JSON.parse(readFileSync(join(dir, 'dev.json'), 'utf8')) as DevState;
      const owner = new QuorateClient({
        baseUrl: s.hubUrl,
        apiUserId: state.ownerId,
        privateKey: readFileSync(join(dir, 'hub', 'owner-key.pem'), 'utf8'),
      });
      const app = new QuorateClient({
        baseUrl: s.hubUrl,
        apiUserId: state.apiUser.id,
        privateKey: readFileSync(state.apiUser.keyFile, 'utf8'),
      });
      const vaultId = state.vaults!.eddsa.vaultId;
      // A refresh job across the real co-signers: new shares, same key. (lastRefreshAt is set
      // when the key is created, so wait for it to move.)
      const before = await owner.request('GET /v1/vaults/{id}', { params: { id: vaultId } });
      await owner.request('POST /v1/vaults/{id}/refresh', { params: { id: vaultId } });
      for (let i = 0; ; i++) {
        const v = await owner.request('GET /v1/vaults/{id}', { params: { id: vaultId } });
        if ((v.lastRefreshAt ?? 0) > (before.lastRefreshAt ?? 0)) break;
        assert.ok(i < 600, 'the refresh did not complete in 5 minutes');
        await new Promise((res) => setTimeout(res, 500));
      }
      // Every co-signer ran the refresh job to the end (their audit logs say so).
      for (const name of ['primary', 'guard-a', 'guard-b']) {
        const entries = readFileSync(join(dir, 'cosigners', name, 'audit.log'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
        const decision = entries.find(
          (e) => e.type === 'job.decision' && e.data['kind'] === 'refresh',
        );
        assert.equal(decision?.data['decision'], 'approve', `${name} approved the refresh`);
        const result = entries.find(
          (e) => e.type === 'job.result' && e.data['jobId'] === decision?.data['jobId'],
        );
        assert.equal(result?.data['status'], 'done', `${name} finished the refresh`);
      }
      const signAndVerify = async (message: string) => {
        const created = await app.createTransaction({
          vaultId,
          accountId: state.vaults!.eddsa.accountId,
          payload: { type: 'message', message },
        });
        const tx = await app.waitForTransaction(created.id, {
          timeoutMs: 300_000,
          intervalMs: 250,
        });
        assert.equal(tx.status, 'COMPLETED', JSON.stringify(tx.transitions.at(-1)));
        const sig = (tx.signature as { signature: string }).signature;
        assert.ok(
          ed25519.verify(
            Buffer.from(sig, 'hex'),
            Buffer.from(message),
            Buffer.from(s.keys.eddsa.publicKey, 'hex'),
          ),
        );
      };
      await signAndVerify('signed with refreshed shares');
      // A reshare through the hub (a configuration change the owner approves) across the real
      // co-signers: same committee, new sharing, same public key; then the key signs again.
      const byName = (n: string) => s.cosigners.find((c) => c.name === n)!.id;
      const change = await owner.request('POST /v1/vaults/{id}/reshare', {
        params: { id: vaultId },
        body: {
          threshold: 3,
          primaries: [{ cosignerId: byName('primary'), party: 1 }],
          sets: [
            { name: 'A', guards: [{ cosignerId: byName('guard-a'), party: 2 }] },
            { name: 'B', guards: [{ cosignerId: byName('guard-b'), party: 3 }] },
          ],
        },
      });
      assert.equal(change.status, 'WAITING_FOR_APPROVAL');
      const approved = await owner.request('POST /v1/config-changes/{id}/approve', {
        params: { id: change.id },
      });
      assert.equal(approved.status, 'COMPLETED', JSON.stringify(approved));
      await signAndVerify('signed after a reshare');
      signedAfterRefresh = true;
    });
    assert.equal(r.during, undefined, String(r.during));
    assert.ok(signedAfterRefresh);
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
