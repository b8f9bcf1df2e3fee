/**
 * Profiling aid (not a benchmark): the FROST DKG over the harness, `runs` times, for
 * `node --cpu-prof`.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/frost/bench/profile-dkg.ts ed25519 20 2 3
 */
import { simulate } from '@quorate/runtime/harness';
import { frostDkg } from '../src/dkg.ts';
import type { SuiteId } from '../src/suite.ts';

const suite = (process.argv[2] ?? 'ed25519') as SuiteId;
const runs = Number(process.argv[3] ?? 20);
const t = Number(process.argv[4] ?? 2);
const n = Number(process.argv[5] ?? 3);
const parties = Array.from({ length: n }, (_, i) => i + 1);
const once = (i: number) => {
  const r = simulate(frostDkg(suite), {
    parties,
    threshold: t,
    seed: `profile-dkg-${i}`,
    config: () => undefined,
  });
  if (r.errors.size > 0) throw [...r.errors.values()][0];
};
once(-1);
const t0 = performance.now();
for (let i = 0; i < runs; i++) once(i);
console.log(
  `${suite} ${t}-of-${n} dkg: ${((performance.now() - t0) / runs).toFixed(1)} ms (mean of ${runs})`,
);
