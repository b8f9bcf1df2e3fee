/**
 * Profiling aid for the benchmark (not a benchmark itself): one 2-of-3 (or `t-of-n` from argv)
 * presign + sign at the 2048 level from the committed key-share fixtures, for `node --cpu-prof`.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/cggmp21/bench/profile-presign.ts 2 3
 */
import { readFileSync } from 'node:fs';
import { simulate } from '@quorate/runtime/harness';
import { deserializeKeyShare } from '../src/key-share.ts';
import type { KeyShare } from '../src/key-share.ts';
import { presign } from '../src/presign.ts';

const t = Number(process.argv[2] ?? 2);
const n = Number(process.argv[3] ?? 3);
const file = new URL(`../test/fixtures/shares-${t}-of-${n}-2048.json`, import.meta.url);
const shares = (JSON.parse(readFileSync(file, 'utf8')) as { shares: string[] }).shares.map((s) =>
  deserializeKeyShare(new TextEncoder().encode(s)),
);
const signers = Array.from({ length: t }, (_, i) => i + 1);
const t0 = performance.now();
const r = simulate(presign, {
  parties: signers,
  config: (p) => ({ share: shares[p - 1] as KeyShare }),
});
if (r.errors.size) throw [...r.errors.values()][0];
console.log(`presign ${t}-of-${n} @2048: ${(performance.now() - t0).toFixed(0)} ms`);
