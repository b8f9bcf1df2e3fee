/**
 * Benchmark of FROST Ed25519 2-of-3 signing through the co-signer's durable nonce store
 * (nonce-store.ts; issue 6 item 8, issue 8 EdDSA throughput), against the same signing with
 * frost's in-memory store, and of the nonce store's own operations for one signer.
 *
 * Each signer has what a co-signer has: a SQLite secrets database (synchronous=FULL, so every
 * consume is committed and fsynced), a key-file seal and an external consumption counter file.
 * As in protocols.ts, each signing makes a fresh DurableNonceStore per signer, preprocesses one
 * nonce into it, and runs the runtime signing protocol over the harness.
 *
 * Rows run interleaved (one of each per round), so a change of load on this shared machine hits
 * all alike; wall time and the process's CPU time (user + system) are both reported: the fsyncs
 * are in the wall time only. Run: node --import tsx packages/cosigner/bench/nonce-store.bench.ts
 * [--quick]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dealerSplit,
  frostSign,
  getSuite,
  InMemoryNonceStore,
  preprocess,
  signingKey,
} from '@quorate/frost';
import type { KeyShare, NonceStore } from '@quorate/frost';
import { deterministicRng, simulate } from '@quorate/runtime/harness';
import {
  fileCounter,
  KeyFileSeal,
  OneTimeStore,
  SecretStore,
  SqliteBackend,
} from '@quorate/secrets';
import { DurableNonceStore } from '../src/nonce-store.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 10 : 40;
const SUITE = 'ed25519' as const;
const OWNER = 'key-ed';
const suite = getSuite(SUITE);
const rng = deterministicRng('cosigner/nonce-store.bench');

interface Stat {
  min: number;
  median: number;
  max: number;
}
function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: s[0] as number,
    median: s[Math.floor(s.length / 2)] as number,
    max: s[s.length - 1] as number,
  };
}
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

interface Party {
  readonly store: SecretStore;
  readonly oneTime: OneTimeStore;
}
async function openParty(dir: string): Promise<Party> {
  KeyFileSeal.generate(join(dir, 'seal.key'));
  const store = await SecretStore.create(
    new SqliteBackend(join(dir, 'secrets.db')),
    new KeyFileSeal(join(dir, 'seal.key')),
  );
  return { store, oneTime: OneTimeStore.open(store, fileCounter(join(dir, 'counter'))) };
}

const root = mkdtempSync(join(tmpdir(), 'quorate-nonce-bench-'));
const shares = dealerSplit({ suite: SUITE, threshold: 2, parties: [1, 2, 3], rng });
const share = (p: number) => shares.get(p) as KeyShare;
const signers = [1, 2];
const parties = new Map<number, Party>();
for (const p of signers) {
  const dir = join(root, `p${p}`);
  mkdirSync(dir);
  parties.set(p, await openParty(dir));
}
const message = new TextEncoder().encode('quorate nonce-store bench');
const verifyKey = signingKey(share(1)).publicKey;

function sign(nonceStore: (p: number) => NonceStore): void {
  const nonces = new Map<number, { store: NonceStore; id: string }>();
  for (const p of signers) {
    const store = nonceStore(p);
    const [n] = preprocess(suite, share(p).secretShare, store, rng);
    nonces.set(p, { store, id: (n as { id: string }).id });
  }
  const r = simulate(frostSign(SUITE), {
    parties: signers,
    config: (p) => ({
      share: share(p),
      message,
      nonce: nonces.get(p) as { store: NonceStore; id: string },
    }),
  });
  if (r.errors.size > 0) throw [...r.errors.values()][0];
  const out = r.outputs.get(1);
  if (!out || !suite.verify(out.signature, message, verifyKey)) throw new Error('bad signature');
}

const durable = (p: number) => {
  const { store, oneTime } = parties.get(p) as Party;
  return new DurableNonceStore(oneTime, store, suite, OWNER);
};

/** What one signer's store does in one signing: put, commitmentOf twice (sign.ts), consume. */
function storeOps(): void {
  const store = durable(1);
  const [n] = preprocess(suite, share(1).secretShare, store, rng);
  const id = (n as { id: string }).id;
  store.commitmentOf(id);
  store.commitmentOf(id);
  store.consume(id);
}

const rows: [string, () => void][] = [
  ['sign 2-of-3, durable nonce store (SQLite, fsync)', () => sign(durable)],
  ['sign 2-of-3, in-memory nonce store', () => sign(() => new InMemoryNonceStore())],
  ['nonce store ops of one signer (put, 2× commitmentOf, consume)', storeOps],
];

try {
  for (const [, f] of rows) f(); // warm-up
  const wall = rows.map(() => [] as number[]);
  const cpu = rows.map(() => [] as number[]);
  for (let i = 0; i < ROUNDS; i++)
    for (const [j, [, f]] of rows.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      f();
      (wall[j] as number[]).push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      (cpu[j] as number[]).push((c.user + c.system) / 1000);
    }
  console.log(`\nFROST Ed25519 2-of-3 through the co-signer nonce store, ${ROUNDS} rounds\n`);
  console.log(
    '| operation | wall min | wall median | wall max | CPU min | CPU median | CPU max |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [j, [name]] of rows.entries()) {
    const w = stat(wall[j] as number[]);
    const c = stat(cpu[j] as number[]);
    console.log(
      `| ${name} | ${ms(w.min)} | ${ms(w.median)} | ${ms(w.max)} | ${ms(c.min)} | ${ms(c.median)} | ${ms(c.max)} |`,
    );
  }
  console.log('\n(milliseconds)');
} finally {
  for (const { oneTime, store } of parties.values()) {
    oneTime.close();
    store.close();
  }
  rmSync(root, { recursive: true, force: true });
}
