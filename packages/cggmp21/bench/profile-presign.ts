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

// Then the online phase, SIGN_RUNS times on fresh presignatures (the first presign's outputs are
// reused only once: each run presigns again outside the measured window).
import { sign } from '../src/sign.ts';
import { Presignature } from '../src/presignature.ts';
import type { PresignOutput } from '../src/presign.ts';
const digest = new Uint8Array(32).fill(7);
let outputs = r.outputs as Map<number, PresignOutput>;
for (let i = 0; i < Number(process.env.SIGN_RUNS ?? 1); i++) {
  if (i > 0) {
    const again = simulate(presign, {
      parties: signers,
      config: (p) => ({ share: shares[p - 1] as KeyShare }),
    });
    outputs = again.outputs as Map<number, PresignOutput>;
  }
  const s0 = performance.now();
  const presigs = new Map([...outputs].map(([p, o]) => [p, new Presignature(o)]));
  const sg = simulate(sign, {
    parties: signers,
    config: (p) => ({ presignature: presigs.get(p) as Presignature, digest }),
  });
  if (sg.errors.size) throw [...sg.errors.values()][0];
  console.log(`sign ${t}-of-${n}: ${(performance.now() - s0).toFixed(1)} ms`);
}
