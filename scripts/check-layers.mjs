#!/usr/bin/env node
// Enforces the dependency direction of docs/ARCHITECTURE.md:
//   primitives → proofs → protocols → cosigner;   hub imports only @quorate/runtime/envelope,
//   the dependency-free @quorate/runtime/recent (a bounded cache) and /callback-url (where a
//   callback handler may live), and @quorate/clique.
// Each package declares its layer in package.json ("quorate": {"layer": ...}). A package may
// depend on packages of its own layer or a lower one; the hub is special-cased.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const LAYERS = ['primitives', 'proofs', 'protocols', 'cosigner', 'hub', 'clients', 'app'];
// The envelope it relays, a dependency-free bounded cache and callback-URL rule, and the
// dependency-free clique rule it shares with the co-signers.
const HUB_ALLOWED = new Set([
  '@quorate/runtime/envelope',
  '@quorate/runtime/recent',
  '@quorate/runtime/callback-url',
  '@quorate/clique',
]);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

export function checkLayers(root) {
  const pkgsDir = join(root, 'packages');
  const pkgs = new Map();
  for (const dir of readdirSync(pkgsDir)) {
    const manifest = join(pkgsDir, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    pkgs.set(json.name, { dir: join(pkgsDir, dir), json, layer: json.quorate?.layer });
  }
  const problems = [];
  for (const [name, pkg] of pkgs) {
    const rank = LAYERS.indexOf(pkg.layer);
    if (rank < 0) {
      problems.push(`${name}: package.json "quorate.layer" must be one of ${LAYERS.join(', ')}`);
      continue;
    }
    const files = walk(join(pkg.dir, 'src'));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](@quorate\/[^'"]+)['"]/g)) {
        const spec = m[1];
        const depName = spec.split('/').slice(0, 2).join('/');
        if (depName === name) continue;
        const dep = pkgs.get(depName);
        if (!dep) {
          problems.push(`${file}: imports unknown package ${spec}`);
          continue;
        }
        if (pkg.layer === 'hub') {
          if (!HUB_ALLOWED.has(spec))
            problems.push(
              `${file}: the hub may import only @quorate/runtime/envelope, /recent, /callback-url and @quorate/clique, not ${spec}`,
            );
          continue;
        }
        const depRank = LAYERS.indexOf(dep.layer);
        if (dep.layer === 'hub' && pkg.layer !== 'app') {
          problems.push(`${file}: only the app layer may import the hub (${spec})`);
        } else if (depRank > rank) {
          problems.push(
            `${file}: ${pkg.layer} package ${name} may not import ${dep.layer} package ${spec}`,
          );
        }
        const declared = { ...pkg.json.dependencies, ...pkg.json.devDependencies };
        if (!(depName in declared))
          problems.push(`${name}: imports ${depName} but does not declare it in package.json`);
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkLayers(process.cwd());
  if (problems.length > 0) {
    for (const p of problems) console.error(`layers: ${p}`);
    process.exit(1);
  }
}
