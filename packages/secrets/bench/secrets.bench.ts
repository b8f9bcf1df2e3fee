/**
 * Secrets store benchmark: what a co-signer pays per operation on its own disk.
 *  - put / get of a 4 KiB key share on SQLite (each put is one transaction fsynced to the WAL);
 *  - consume of a presignature (transaction + external counter append, both fsynced);
 *  - unseal cost per seal: passphrase (scrypt at the production default N = 2^17, r = 8, p = 1),
 *    key file, PKCS#11 on SoftHSM2 (if installed).
 * Usage: npx tsx packages/secrets/bench/secrets.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SqliteBackend } from '../src/sqlite.ts';
import { SecretStore } from '../src/store.ts';
import { KeyFileSeal } from '../src/seals/keyfile.ts';
import { PassphraseSeal } from '../src/seals/passphrase.ts';
import { Pkcs11Seal } from '../src/seals/pkcs11.ts';
import { OneTimeStore } from '../src/onetime.ts';
import { fileCounter } from '../src/counter.ts';
import { softHsm } from '../test/softhsm.ts';
import type { Seal } from '../src/seal.ts';

interface Stat {
  min: number;
  median: number;
  max: number;
  n: number;
}

async function measure(n: number, f: (i: number) => unknown): Promise<Stat> {
  await f(-1);
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return { min: xs[0] ?? 0, median: xs[Math.floor(n / 2)] ?? 0, max: xs[n - 1] ?? 0, n };
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const rows: string[] = [];
function report(name: string, s: Stat): void {
  rows.push(
    `| ${name.padEnd(42)} | ${fmt(s.min).padStart(8)} | ${fmt(s.median).padStart(8)} | ${fmt(s.max).padStart(8)} | ${String(s.n).padStart(4)} |`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'quorate-secrets-bench-'));
try {
  KeyFileSeal.generate(join(dir, 'seal.key'));
  const keyfile = new KeyFileSeal(join(dir, 'seal.key'));
  const store = await SecretStore.create(new SqliteBackend(join(dir, 'secrets.db')), keyfile);
  const share = randomBytes(4096);
  report(
    'put 4 KiB key share (SQLite, FULL sync)',
    await measure(200, (i) => store.putKeyShare('w', `s${i}`, share)),
  );
  report(
    'get 4 KiB key share',
    await measure(1000, (i) => store.getKeyShare('w', `s${Math.max(i, 0) % 200}`)),
  );
  const ots = OneTimeStore.open(store, fileCounter(join(dir, 'counter')));
  ots.addMany(
    'presignature',
    'k',
    Array.from({ length: 201 }, (_, i) => [`p${i}`, randomBytes(512)] as const),
  );
  report(
    'consume presignature (DB + counter fsync)',
    await measure(200, (i) => ots.consume('presignature', 'k', `p${i + 1}`)),
  );
  ots.close();
  store.close();

  const rootKey = randomBytes(32);
  const unseal = async (name: string, seal: Seal, n: number) => {
    const blob = await seal.wrap(rootKey);
    report(name, await measure(n, () => seal.unwrap(blob)));
  };
  await unseal(
    'unwrap: passphrase, scrypt N=2^17 r=8 p=1',
    new PassphraseSeal('bench passphrase'),
    5,
  );
  await unseal('unwrap: key file', keyfile, 200);
  let hsm: ReturnType<typeof softHsm> | undefined;
  try {
    hsm = softHsm([{ label: 'bench', pin: '123456', soPin: '654321' }]);
  } catch (e) {
    console.log(`SoftHSM2 not available, skipped: ${(e as Error).message}`);
  }
  if (hsm) {
    const p11 = new Pkcs11Seal({
      library: hsm.library,
      tokenLabel: 'bench',
      pin: '123456',
      keyLabel: 'root-wrap',
    });
    p11.generateKey();
    report('pkcs11 selfTest (SoftHSM2)', await measure(50, () => p11.selfTest()));
    await unseal('unwrap: pkcs11 CKM_AES_GCM (SoftHSM2)', p11, 200);
    p11.close();
    hsm.cleanup();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `| ${'operation'.padEnd(42)} | ${'min ms'.padStart(8)} | ${'median'.padStart(8)} | ${'max ms'.padStart(8)} | ${'runs'.padStart(4)} |`,
);
console.log(
  `| ${'-'.repeat(42)} | ${'-'.repeat(8)} | ${'-'.repeat(8)} | ${'-'.repeat(8)} | ${'-'.repeat(4)} |`,
);
for (const r of rows) console.log(r);
