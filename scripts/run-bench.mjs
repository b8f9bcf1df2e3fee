#!/usr/bin/env node
// Runs every package's benchmark script (packages/*/bench/*.bench.ts), one after another.
// Benchmarks print min / median / max tables; they are scripts, never tests.
// Usage: npm run bench [-- <path-prefix> ...]
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = [];
for (const pkg of readdirSync('packages').sort()) {
  const dir = join('packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
}
// Benchmarks that start a whole stack of processes and run for minutes have their own script;
// they run here only when a filter names them.
const SEPARATE = new Map([[join('packages', 'cli', 'bench', 'e2e.bench.ts'), 'npm run bench:e2e']]);
const selected = filters.length
  ? files.filter((f) => filters.some((p) => f.startsWith(p)))
  : files.filter((f) => !SEPARATE.has(f));
for (const [f, how] of SEPARATE)
  if (!selected.includes(f)) console.log(`(${f} not run: it takes minutes; run it with ${how})`);
let failed = 0;
for (const f of selected) {
  console.log(`\n### ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
