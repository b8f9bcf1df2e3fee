// The deployment files under deploy/ (issue 8, docs/operator-guide.md) must stay true to the code:
// the example configurations go through the real validators (`quorate cosigner config check`, the
// hub's `init`/`start`) with their placeholder secrets filled in from the example environment
// files, the systemd units' ExecStart lines name commands that exist with those flags, and the
// (untested) docker-compose file parses and wires each co-signer to a network of its own.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { cosignerCommand, loadConfig } from '@quorate/cosigner';
import { hubCommand } from '@quorate/hub/cli';
import { main } from '../src/main.ts';
import { freePort } from '../src/dev/processes.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEPLOY = join(ROOT, 'deploy');
const read = (p: string) => readFileSync(join(DEPLOY, p), 'utf8');

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t: string) => stdout.push(t), err: (t: string) => stderr.push(t) };
}

/** systemd EnvironmentFile syntax as the examples use it: KEY=VALUE or KEY="VALUE", # comments. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(t);
    assert.ok(m, `not KEY=VALUE: ${t}`);
    const v = m[2] as string;
    env[m[1] as string] = v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  }
  return env;
}

/** Fills every REPLACE_WITH_… placeholder, as an operator would. */
function filled(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    out[k] = v.replace(/REPLACE_WITH_[A-Z_]+/g, 'test-secret-value');
  return out;
}

/** A systemd unit as [section] → key → values (keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let cur: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(t);
    if (s) {
      cur = new Map();
      sections.set(s[1] as string, cur);
      continue;
    }
    const m = /^(\w+)=(.*)$/.exec(t);
    assert.ok(m && cur, `not a unit line: ${t}`);
    cur.set(m[1] as string, [...(cur.get(m[1] as string) ?? []), m[2] as string]);
  }
  return sections;
}

function inside(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
}

const cosignerEnv = filled(parseEnvFile(read('config/cosigner.env')));

describe('deploy/config: co-signer examples pass `quorate cosigner config check`', () => {
  for (const file of ['config/cosigner.yaml', 'config/cosigner-pkcs11.yaml']) {
    test(`${file} is valid with the secrets of cosigner.env and warns of nothing`, async () => {
      const doc = parseYaml(read(file)) as { seal: { kind: string; pinEnv?: string } };
      // The env example carries the PKCS#11 PIN commented out (one seal per instance).
      const env =
        doc.seal.kind === 'pkcs11'
          ? { ...cosignerEnv, [doc.seal.pinEnv as string]: 'test-pin' }
          : cosignerEnv;
      const io = capture();
      const code = await cosignerCommand(
        ['config', 'check', '--config', join(DEPLOY, file), '--json'],
        io,
        { env },
      );
      assert.equal(code, 0, io.stdout.join('') + io.stderr.join(''));
      assert.deepEqual(JSON.parse(io.stdout.join('')), {
        valid: true,
        file: join(DEPLOY, file),
        warnings: [],
      });
    });
  }

  test('cosigner.yaml without its environment: the InfluxDB token is an error, named', async () => {
    const io = capture();
    const code = await cosignerCommand(
      ['config', 'check', '--config', join(DEPLOY, 'config/cosigner.yaml'), '--json'],
      io,
      { env: {} },
    );
    assert.equal(code, 2);
    const out = JSON.parse(io.stdout.join('')) as { valid: boolean; issues: { field: string }[] };
    assert.equal(out.valid, false);
    assert.deepEqual(
      out.issues.map((i) => i.field),
      ['metrics.influx.tokenEnv'],
    );
  });

  test('cosigner.env sets exactly the secrets the example configurations name', () => {
    const named = new Set<string>();
    for (const file of ['config/cosigner.yaml', 'config/cosigner-pkcs11.yaml']) {
      const d = parseYaml(read(file)) as {
        seal: { passphraseEnv?: string; pinEnv?: string };
        metrics?: { influx?: { tokenEnv?: string } };
      };
      for (const n of [d.seal.passphraseEnv, d.seal.pinEnv, d.metrics?.influx?.tokenEnv])
        if (n !== undefined) named.add(n);
    }
    const commented = [...read('config/cosigner.env').matchAll(/^# ([A-Z_][A-Z0-9_]*)=/gm)].map(
      (m) => m[1] as string,
    );
    assert.deepEqual([...Object.keys(cosignerEnv), ...commented].sort(), [...named].sort());
  });

  test('co-signers connect to the name the hub listens on (its certificate name), and pair over HTTPS', () => {
    // The hub's co-signer certificate names its listen host (and localhost): docs, "TLS".
    const listen = parseEnvFile(read('config/hub.env'))['QUORATE_HUB_COSIGNER_LISTEN'];
    const hubJson = JSON.parse(read('config/hub.json')) as { cosigners: { host: string } };
    assert.equal(listen?.split(':')[0], hubJson.cosigners.host);
    for (const file of ['config/cosigner.yaml', 'config/cosigner-pkcs11.yaml']) {
      const cfg = loadConfig(join(DEPLOY, file), { QUORATE_INFLUX_TOKEN: 'x' });
      assert.equal(new URL(cfg.hub?.cosignerUrl ?? '').host, listen, file);
      assert.equal(new URL(cfg.hub?.apiUrl ?? '').protocol, 'https:', file);
      assert.equal(cfg.hub?.tlsServerName, undefined, file);
    }
  });

  test('the one-time counter is on another volume than dataDir in every example', () => {
    for (const file of ['config/cosigner.yaml', 'config/cosigner-pkcs11.yaml']) {
      const cfg = loadConfig(join(DEPLOY, file), { QUORATE_INFLUX_TOKEN: 'x' });
      assert.ok(cfg.dataDir.startsWith('/var/lib/quorate-cosigner/'), file);
      assert.ok(cfg.counterFile.startsWith('/var/lib/quorate-counter/'), file);
    }
  });
});

describe('deploy/config: the hub example', () => {
  const hubEnv = filled(parseEnvFile(read('config/hub.env')));
  const example = JSON.parse(read('config/hub.json')) as Record<string, unknown>;

  /** `hub init` (SQLite: quick), then hub.json edited to the example's settings. */
  async function initWithExample(database: 'sqlite' | 'example'): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-deploy-hub-'));
    const io = capture();
    assert.equal(await hubCommand(['init', '--data-dir', dir, '--json'], io, { env: {} }), 0);
    const generated = JSON.parse(readFileSync(join(dir, 'hub.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const edited = {
      ...example,
      workspaceId: generated['workspaceId'],
      ownerId: generated['ownerId'],
      database: database === 'sqlite' ? generated['database'] : example['database'],
    };
    writeFileSync(join(dir, 'hub.json'), JSON.stringify(edited));
    return dir;
  }

  test('hub.json carries only fields the hub reads, with the placeholders hub init fills', () => {
    assert.deepEqual(Object.keys(example).sort(), [
      'api',
      'approvalTimeoutSeconds',
      'cosigners',
      'database',
      'heartbeatTimeoutMs',
      'issuer',
      'ownerId',
      'presignaturePool',
      'rateLimit',
      'workspaceId',
    ]);
    assert.match(String(example['workspaceId']), /written by hub init/);
    assert.deepEqual(example['database'], { kind: 'postgres' });
  });

  test('hub.env names only the QUORATE_HUB_* variables the hub reads', () => {
    assert.deepEqual(Object.keys(hubEnv).sort(), [
      'QUORATE_HUB_COSIGNER_LISTEN',
      'QUORATE_HUB_DATABASE_URL',
      'QUORATE_HUB_DATA_DIR',
      'QUORATE_HUB_LISTEN',
    ]);
  });

  test('the example settings start a hub (SQLite, listen addresses moved to free ports)', async () => {
    const dir = await initWithExample('sqlite');
    try {
      const ac = new AbortController();
      let health: unknown;
      const io = capture();
      const env = {
        ...hubEnv,
        QUORATE_HUB_DATA_DIR: dir,
        QUORATE_HUB_DATABASE_URL: '',
        QUORATE_HUB_LISTEN: '127.0.0.1:0',
        QUORATE_HUB_COSIGNER_LISTEN: '127.0.0.1:0',
      };
      const code = await hubCommand(['start', '--json'], io, {
        env,
        signal: ac.signal,
        onListening: ({ api }) => {
          void fetch(`http://127.0.0.1:${api}/health`)
            .then((r) => r.json())
            .then((h) => (health = h))
            .finally(() => ac.abort());
        },
      });
      assert.equal(code, 0, io.stderr.join(''));
      assert.deepEqual(health, { status: 'ok' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with PostgreSQL, start refuses without QUORATE_HUB_DATABASE_URL (exit 2, says how)', async () => {
    const dir = await initWithExample('example');
    try {
      const io = capture();
      const code = await hubCommand(['start', '--data-dir', dir], io, { env: {} });
      assert.equal(code, 2);
      assert.match(io.stderr.join(''), /set QUORATE_HUB_DATABASE_URL=postgres:\/\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("hub.env's database URL (TLS verify-full, CA file) is accepted and used to connect", async () => {
    const dir = await initWithExample('example');
    try {
      const port = await freePort();
      // The operator's values: a reachable host (here a closed local port) and a real CA file.
      const url = hubEnv['QUORATE_HUB_DATABASE_URL'] as string;
      assert.match(url, /[?&]sslmode=verify-full(&|$)/);
      const local = url
        .replace(/@[^/]+\//, `@127.0.0.1:${port}/`)
        .replace(/sslrootcert=[^&]+/, `sslrootcert=${join(dir, 'ca-cert.pem')}`);
      await assert.rejects(
        hubCommand(['start', '--data-dir', dir], capture(), {
          env: {
            QUORATE_HUB_DATABASE_URL: local,
            QUORATE_HUB_LISTEN: '127.0.0.1:0',
            QUORATE_HUB_COSIGNER_LISTEN: '127.0.0.1:0',
          },
        }),
        /ECONNREFUSED/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/systemd units', () => {
  const units = {
    hub: parseUnit(read('systemd/quorate-hub.service')),
    cosigner: parseUnit(read('systemd/quorate-cosigner@.service')),
  };
  const svc = (u: keyof typeof units, key: string) => units[u].get('Service')?.get(key) ?? [];
  const one = (u: keyof typeof units, key: string) => {
    const v = svc(u, key);
    assert.equal(v.length, 1, `${u}: ${key}`);
    return v[0] as string;
  };
  /** The argv after the quorate entry point, for instance "edge-1". */
  const execArgs = (u: keyof typeof units) => {
    const words = one(u, 'ExecStart').replaceAll('%i', 'edge-1').split(/\s+/);
    const at = words.findIndex((w) => w.endsWith('/packages/cli/bin/quorate.js'));
    assert.ok(at > 0, 'ExecStart runs node on the quorate entry point');
    return words.slice(at + 1);
  };

  for (const [u, usage] of [
    ['hub', 'Usage: quorate hub start'],
    ['cosigner', 'Usage: quorate cosigner start'],
  ] as const)
    test(`${u}: ExecStart is a quorate command that accepts its flags`, async () => {
      const io = capture();
      assert.equal(await main([...execArgs(u), '--help'], io), 0, io.stderr.join(''));
      assert.match(io.stdout.join(''), new RegExp(`^${usage}`));
    });

  for (const u of ['hub', 'cosigner'] as const)
    test(`${u}: hardened, own user, secrets only from the EnvironmentFile`, () => {
      assert.match(one(u, 'User'), /^quorate-(hub|cosigner)$/);
      for (const [k, v] of [
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['PrivateTmp', 'yes'],
        ['ProtectHome', 'yes'],
        ['Restart', 'on-failure'],
        ['RestartPreventExitStatus', '2'],
        ['UMask', '0077'],
        ['CapabilityBoundingSet', ''],
      ])
        assert.equal(one(u, k as string), v, `${u}: ${k}`);
      assert.match(one(u, 'EnvironmentFile'), /^\/etc\/quorate\/.+\.env$/);
      assert.deepEqual(svc(u, 'Environment'), []);
      const text = read(
        u === 'hub' ? 'systemd/quorate-hub.service' : 'systemd/quorate-cosigner@.service',
      );
      assert.doesNotMatch(text, /^[^#]*(PASSPHRASE|PKCS11_PIN|DATABASE_URL|TOKEN)=/m);
    });

  test('hub: ReadWritePaths is the data directory the unit and hub.env name', () => {
    const dataDir = parseEnvFile(read('config/hub.env'))['QUORATE_HUB_DATA_DIR'];
    assert.deepEqual(svc('hub', 'ReadWritePaths'), [dataDir]);
    assert.deepEqual(execArgs('hub').slice(-2), ['--data-dir', dataDir]);
  });

  test('cosigner@edge-1: ReadWritePaths cover dataDir and the counter of the example config', () => {
    const args = execArgs('cosigner');
    assert.deepEqual(args.slice(-2), ['--config', '/etc/quorate/cosigner-edge-1.yaml']);
    const cfg = loadConfig(join(DEPLOY, 'config/cosigner.yaml'), { QUORATE_INFLUX_TOKEN: 'x' });
    const paths = one('cosigner', 'ReadWritePaths').replaceAll('%i', 'edge-1').split(/\s+/);
    assert.ok(
      paths.some((p) => inside(p, cfg.dataDir)),
      'dataDir writable',
    );
    assert.ok(
      paths.some((p) => inside(p, cfg.counterFile)),
      'counter writable',
    );
    assert.ok(!inside(cfg.dataDir, cfg.counterFile), 'counter outside dataDir');
  });
});

/**
 * Every quorate command line a doc shows (`npx quorate …`, and the guide's `qhub …` / `qcs …`
 * wrappers for `quorate hub …` / `quorate cosigner …`), as argv: continuation lines joined, cut
 * at the first shell operator or comment.
 */
function documentedCommands(markdown: string): { line: string; argv: string[] }[] {
  // Placeholders such as <token> or <treasury-app id> become one word; "< file" stays a redirect.
  const text = markdown.replace(/\\\n\s*/g, ' ').replace(/<[^<>\s][^<>\n]*>/g, 'PLACEHOLDER');
  const out: { line: string; argv: string[] }[] = [];
  for (const m of text.matchAll(/(?:npx quorate|\bqhub|\bqcs)\s[^`\n]*/g)) {
    const line = m[0];
    const words: string[] = [];
    for (const w of line.matchAll(/"[^"]*"|'[^']*'|\S+/g)) {
      const word = w[0];
      if (/^(#|\||>|<|&&|;|\()/.test(word) || word.startsWith('(')) break;
      words.push(word.replace(/^["']|["']$/g, ''));
    }
    const [head, ...rest] = words;
    if (head === 'npx') out.push({ line, argv: rest.slice(1) });
    else out.push({ line, argv: [head === 'qhub' ? 'hub' : 'cosigner', ...rest] });
  }
  return out;
}

describe('the commands the operator guide and the quickstart show exist with those flags', () => {
  for (const doc of ['operator-guide.md', 'quickstart.md']) {
    test(doc, async () => {
      const cmds = documentedCommands(readFileSync(join(ROOT, 'docs', doc), 'utf8'));
      assert.ok(cmds.length >= (doc === 'operator-guide.md' ? 20 : 4), `${doc}: ${cmds.length}`);
      for (const c of cmds) {
        const io = capture();
        // Flags are parsed strictly before --help is honoured: an unknown flag exits 2.
        const code = await main([...c.argv, '--help'], io);
        assert.equal(code, 0, `${doc}: "${c.line}" → ${io.stderr.join('')}`);
        assert.match(io.stdout.join(''), /^Usage: quorate /, c.line);
      }
    });
  }
});

describe('deploy/nginx/quorate-hub.conf', () => {
  const conf = read('nginx/quorate-hub.conf')
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');

  test('forwards to the API address of hub.env with the request URI untouched', () => {
    const listen = parseEnvFile(read('config/hub.env'))['QUORATE_HUB_LISTEN'];
    // No URI after host:port: nginx passes the client's URI unchanged (the JWT signs it).
    assert.deepEqual(
      [...conf.matchAll(/proxy_pass\s+([^;]+);/g)].map((m) => m[1]),
      [`http://${listen}`],
    );
  });

  test("refuses bodies over the hub's 1 MiB limit", () => {
    assert.match(conf, /client_max_body_size 1m;/);
  });
});

describe('deploy/docker-compose.yml (UNTESTED with Docker)', () => {
  const text = read('docker-compose.yml');
  const compose = parseYaml(text, { merge: true }) as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        networks?: string[];
        volumes?: string[];
        secrets?: (string | { source: string; target: string })[];
      }
    >;
    secrets: Record<string, { file: string }>;
    networks: Record<string, { internal?: boolean }>;
  };
  const cosigners = ['cosigner-1', 'cosigner-2', 'cosigner-3'];

  test('says UNTESTED at its top', () => {
    assert.match(text.split('\n')[0] as string, /^# UNTESTED/);
    assert.match(read('docker/Dockerfile').split('\n')[0] as string, /^# UNTESTED/);
  });

  test('hub + PostgreSQL + three co-signers, each co-signer on a network shared only with the hub', () => {
    const s = compose.services;
    assert.deepEqual(Object.keys(s).sort(), [
      'cosigner-1',
      'cosigner-2',
      'cosigner-3',
      'hub',
      'postgres',
    ]);
    assert.deepEqual(s['postgres']?.networks, ['db']);
    assert.equal(compose.networks['db']?.internal, true);
    for (const c of cosigners) {
      assert.deepEqual(s[c]?.networks, [c]);
      assert.ok(s['hub']?.networks?.includes(c));
      const members = Object.entries(s).filter(([, v]) => v.networks?.includes(c));
      assert.deepEqual(members.map(([k]) => k).sort(), [c, 'hub']);
    }
  });

  test('each co-signer config is valid with its service environment; data and counter are separate volumes', async () => {
    for (const c of cosigners) {
      const svcDef = compose.services[c]!;
      assert.deepEqual(svcDef.command, ['cosigner', 'start']);
      const mounts = (svcDef.volumes ?? []).map((v) => v.split(':'));
      const configMount = mounts.find(
        (m) => m[1] === svcDef.environment?.['QUORATE_COSIGNER_CONFIG'],
      );
      assert.ok(configMount, `${c}: its config file is mounted`);
      const hostFile = join(DEPLOY, configMount[0] as string);
      const env = { ...svcDef.environment, QUORATE_COSIGNER_CONFIG: hostFile };
      const io = capture();
      assert.equal(await cosignerCommand(['config', 'check', '--json'], io, { env }), 0);
      const out = JSON.parse(io.stdout.join('')) as {
        warnings: { field: string; problem: string }[];
      };
      // Only the Docker secret is missing here (it exists inside the container).
      assert.deepEqual(out.warnings, [
        {
          field: 'seal',
          problem: '/run/secrets/cosigner_passphrase does not exist',
          fix: 'create it (mode 0600)',
        },
      ]);
      const cfg = loadConfig(undefined, env);
      assert.equal(cfg.name, c);
      const volumeAt = (p: string) => mounts.find((m) => inside(m[1] as string, p))?.[0];
      const data = volumeAt(cfg.dataDir);
      const counter = volumeAt(cfg.counterFile);
      assert.ok(data && counter && data !== counter, `${c}: ${data} / ${counter}`);
      const secret = svcDef.secrets?.[0];
      assert.ok(typeof secret === 'object' && secret.target === 'cosigner_passphrase');
      assert.ok(compose.secrets[secret.source], `${c}: secret ${secret.source} declared`);
    }
  });

  test('the image entry point exists, is executable and is a POSIX shell script', () => {
    const p = join(DEPLOY, 'docker/entrypoint.sh');
    assert.ok(existsSync(p));
    assert.ok((statSync(p).mode & 0o111) !== 0, 'executable');
    assert.match(readFileSync(p, 'utf8'), /^#!\/bin\/sh\n/);
    assert.match(
      read('docker/Dockerfile'),
      /ENTRYPOINT \["\/opt\/quorate\/deploy\/docker\/entrypoint\.sh"\]/,
    );
  });
});
