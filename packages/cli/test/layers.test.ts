// scripts/check-layers.mjs enforces the dependency direction of docs/ARCHITECTURE.md.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../scripts/check-layers.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function fixture(pkgs: Record<string, { layer: string; deps?: string[]; source: string }>) {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [name, p] of Object.entries(pkgs)) {
    const dir = join(root, 'packages', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    const deps = Object.fromEntries((p.deps ?? []).map((d) => [d, '*']));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `@quorate/${name}`, quorate: { layer: p.layer }, dependencies: deps }),
    );
    writeFileSync(join(dir, 'src', 'index.ts'), p.source);
  }
  return root;
}

function check(root: string) {
  const r = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('layer check', () => {
  test('this repository passes', () => {
    assert.deepEqual(check(repoRoot), { status: 0, stderr: '' });
  });

  test('a lower layer importing a higher one fails', () => {
    const root = fixture({
      runtime: {
        layer: 'primitives',
        deps: ['@quorate/proto'],
        source: "import { x } from '@quorate/proto';\n",
      },
      proto: { layer: 'protocols', source: 'export const x = 1;\n' },
    });
    const r = check(root);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /primitives package @quorate\/runtime may not import protocols package @quorate\/proto/,
    );
    rmSync(root, { recursive: true });
  });

  test('the hub may import only @quorate/runtime/envelope, /recent, /callback-url and @quorate/clique', () => {
    const root = fixture({
      runtime: { layer: 'primitives', source: '' },
      hub: {
        layer: 'hub',
        deps: ['@quorate/runtime'],
        source:
          "import { Session } from '@quorate/runtime';\nimport type { Envelope } from '@quorate/runtime/envelope';\nimport { RecentMap } from '@quorate/runtime/recent';\nimport { isAllowedCallbackUrl } from '@quorate/runtime/callback-url';\n",
      },
    });
    const r = check(root);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /the hub may import only @quorate\/runtime\/envelope, \/recent, \/callback-url and @quorate\/clique, not @quorate\/runtime\n/,
    );
    assert.doesNotMatch(r.stderr, /not @quorate\/runtime\/(envelope|recent|callback-url)/);
    rmSync(root, { recursive: true });
  });

  test('an undeclared dependency and a missing layer fail', () => {
    const root = fixture({
      runtime: { layer: 'primitives', source: '' },
      a: {
        layer: 'protocols',
        source: "import '@quorate/runtime';\nimport x from '@quorate/runtime';\n",
      },
      b: { layer: 'nowhere', source: '' },
    });
    const r = check(root);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /@quorate\/a: imports @quorate\/runtime but does not declare it/);
    assert.match(r.stderr, /@quorate\/b: package.json "quorate.layer" must be one of/);
    rmSync(root, { recursive: true });
  });
});

describe('ESLint: the hub rule (eslint.config.js)', () => {
  test('lets runtime/envelope, /recent, /callback-url and clique through, and refuses the rest', async () => {
    const { ESLint } = await import('eslint');
    const eslint = new ESLint({ cwd: repoRoot });
    const imports = [
      '@quorate/runtime/envelope',
      '@quorate/runtime/recent',
      '@quorate/runtime/callback-url',
      '@quorate/clique',
      '@quorate/runtime',
      '@quorate/runtime/harness',
      '@quorate/frost',
    ];
    const source =
      imports.map((m, i) => `import * as m${i} from '${m}';`).join('\n') +
      `\nexport const all = [${imports.map((_, i) => `m${i}`).join(', ')}];\n`;
    const [result] = await eslint.lintText(source, {
      filePath: join(repoRoot, 'packages/hub/src/layer-probe.ts'),
    });
    const refused = (result?.messages ?? [])
      .filter((m) => m.ruleId === 'no-restricted-imports')
      .map((m) => imports[m.line - 1]);
    assert.deepEqual(refused, ['@quorate/runtime', '@quorate/runtime/harness', '@quorate/frost']);
  });
});
