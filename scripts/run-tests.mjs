#!/usr/bin/env node
// Runs every packages/*/test/**/*.test.ts with node's own test runner (tsx loads TypeScript).
// Node 20's --test does not expand globs, so the files are listed here.
// Usage: npm test [-- <path-prefix> ...]   e.g. npm test -- packages/runtime
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = [];
for (const pkg of readdirSync('packages').sort())
  files.push(...walk(join('packages', pkg, 'test')));
const selected = filters.length ? files.filter((f) => filters.some((p) => f.startsWith(p))) : files;
if (selected.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    ...passthrough,
    ...selected,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
