/**
 * FROST benchmark: DKG and signing at 2-of-3, 3-of-5 and 67-of-100, ours against peers in the
 * same run, all parties in one process. Peers live in bench/peers/frost (own package.json,
 * `npm install --prefix bench/peers/frost @toruslabs/tss-frost-lib @cmdcode/frost @frostr/bifrost`);
 * a peer that is missing or fails is reported and skipped.
 *
 * Our figures, per configuration:
 *  - dkg:        the runtime DKG (echo broadcast, proofs, share checks) over the harness;
 *  - sign:       the runtime signing protocol (commitments echoed, shares verified by everyone);
 *  - sign-core:  commit + signShare (nonce store) + aggregate (verifies each share and the
 *                signature) without the transport — what the peers' in-process APIs measure.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { deterministicRng, simulate } from '@quorate/runtime/harness';
import { frostDkg } from '../src/dkg.ts';
import { dealerSplit } from '../src/dealer.ts';
import { frostSign, aggregate, signShare } from '../src/sign.ts';
import { InMemoryNonceStore, preprocess } from '../src/nonces.ts';
import { signingKey } from '../src/taproot.ts';
import { getSuite } from '../src/suite.ts';
import type { KeyShare } from '../src/keyshare.ts';
import type { SuiteId } from '../src/suite.ts';
import type { CommitmentPair } from '../src/core.ts';

const PEERS = fileURLToPath(new URL('../../../bench/peers/frost/package.json', import.meta.url));
const peerRequire = createRequire(PEERS);
const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');

interface Stat {
  min: number;
  median: number;
  max: number;
  n: number;
}
async function measure(
  iters: number,
  f: () => unknown | Promise<unknown>,
  warmup = 1,
): Promise<Stat> {
  for (let i = 0; i < warmup; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return {
    min: xs[0] as number,
    median: xs[Math.floor(xs.length / 2)] as number,
    max: xs[xs.length - 1] as number,
    n: iters,
  };
}
const f2 = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const rows: string[] = [];
function report(name: string, s: Stat | undefined, note = '') {
  const line = s
    ? `| ${name.padEnd(44)} | ${f2(s.min).padStart(8)} | ${f2(s.median).padStart(8)} | ${f2(s.max).padStart(8)} | ${String(s.n).padStart(3)} | ${note}`
    : `| ${name.padEnd(44)} | ${'—'.padStart(8)} | ${'—'.padStart(8)} | ${'—'.padStart(8)} |   — | ${note}`;
  rows.push(line);
  console.log(line);
}

const parties = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
function dkg(suite: SuiteId, t: number, n: number, seed: string): Map<number, KeyShare> {
  const r = simulate(frostDkg(suite), {
    parties: parties(n),
    threshold: t,
    seed,
    config: () => undefined,
  });
  if (r.errors.size > 0) throw [...r.errors.values()][0];
  return r.outputs as Map<number, KeyShare>;
}
function signRuntime(shares: Map<number, KeyShare>, signers: number[], msg: Uint8Array) {
  const suite = (shares.get(1) as KeyShare).suite;
  const r = simulate(frostSign(suite), {
    parties: signers,
    config: (p) => ({ share: shares.get(p) as KeyShare, message: msg }),
  });
  if (r.errors.size > 0) throw [...r.errors.values()][0];
}
function signCore(shares: Map<number, KeyShare>, signers: number[], msg: Uint8Array) {
  const keys = signers.map((p) => signingKey(shares.get(p) as KeyShare));
  const suite = (keys[0] as ReturnType<typeof signingKey>).suite;
  const rng = deterministicRng(String(performance.now()));
  const stores = new Map<number, { store: InMemoryNonceStore; id: string }>();
  const commitments = new Map<number, CommitmentPair>();
  for (const k of keys) {
    const store = new InMemoryNonceStore();
    const [n] = preprocess(suite, k.secretShare, store, rng);
    stores.set(k.self, { store, id: (n as { id: string }).id });
    commitments.set(k.self, (n as { commitment: CommitmentPair }).commitment);
  }
  const pkg = { message: msg, commitments };
  const zs = new Map<number, bigint>();
  for (const k of keys) {
    const s = stores.get(k.self) as { store: InMemoryNonceStore; id: string };
    zs.set(k.self, signShare(k, s.store, s.id, pkg));
  }
  return aggregate(keys[0] as ReturnType<typeof signingKey>, pkg, zs);
}

// ---- peers ---------------------------------------------------------------------------------

type TorusLib = {
  RngSeed: new (b: Uint8Array) => unknown;
  generate_key: (seed: unknown, mb: unknown, cp: Uint32Array, t: number) => Promise<unknown>;
  sign: (
    seed: unknown,
    mb: unknown,
    cp: Uint32Array,
    key: unknown,
    msg: Uint8Array,
  ) => Promise<{ to_bytes(): Uint8Array }>;
};
function loadTorus(): TorusLib | string {
  try {
    const m = peerRequire('@toruslabs/tss-frost-lib');
    return (m.default ?? m).loadSync();
  } catch (e) {
    return `not available: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}
function torusBroker(session: string) {
  const queues = new Map<string, Uint8Array[]>();
  const waiters = new Map<string, ((d: Uint8Array) => void)[]>();
  return (self: number) => ({
    session_id: session,
    sender_id: self,
    async send(to: number, mtype: string, data: Uint8Array) {
      // The WASM side passes a view into its memory: copy before it is reused.
      const k = `${self}>${to}:${mtype}`;
      const w = waiters.get(k);
      if (w && w.length > 0) (w.shift() as (d: Uint8Array) => void)(data.slice());
      else queues.set(k, [...(queues.get(k) ?? []), data.slice()]);
    },
    receive(from: number, mtype: string): Promise<Uint8Array> {
      const k = `${from}>${self}:${mtype}`;
      const q = queues.get(k);
      if (q && q.length > 0) return Promise.resolve(q.shift() as Uint8Array);
      return new Promise((r) => waiters.set(k, [...(waiters.get(k) ?? []), r]));
    },
  });
}
let torusSession = 0;
const seed = (lib: TorusLib) => new lib.RngSeed(crypto.getRandomValues(new Uint8Array(32)));
async function torusDkg(lib: TorusLib, t: number, n: number): Promise<unknown[]> {
  const mb = torusBroker(`dkg-${torusSession++}`);
  const ps = Array.from({ length: n }, (_, i) => i);
  return Promise.all(
    ps.map((p) =>
      lib.generate_key(seed(lib), mb(p), Uint32Array.from(ps.filter((q) => q !== p)), t),
    ),
  );
}
async function torusSign(lib: TorusLib, keys: unknown[], signers: number[], msg: Uint8Array) {
  const mb = torusBroker(`sign-${torusSession++}`);
  await Promise.all(
    signers.map((p) =>
      lib.sign(seed(lib), mb(p), Uint32Array.from(signers.filter((q) => q !== p)), keys[p], msg),
    ),
  );
}

type Cmdcode = Record<string, (...a: unknown[]) => unknown>;
async function loadCmdcode(): Promise<{ lib: Cmdcode; util: Cmdcode } | string> {
  try {
    const base = peerRequire.resolve('@cmdcode/frost').replace(/dist\/.*$/, 'dist/');
    const lib = (await import(base + 'lib/index.js')) as Cmdcode;
    const util = (await import(base + 'util/index.js')) as Cmdcode;
    return { lib, util };
  } catch (e) {
    return `not available: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}
function cmdcodeSign(
  c: { lib: Cmdcode; util: Cmdcode },
  group: { group_pk: unknown; shares: unknown[] },
  t: number,
  msgHex: string,
) {
  const { lib } = c;
  const shares = group.shares.slice(0, t);
  const commits = shares.map((s) => lib.create_commit_pkg!(s)) as unknown[];
  const ctx = lib.get_group_signing_ctx!(group.group_pk, commits, msgHex) as { indexes: unknown[] };
  const psigs = shares.map((s) => {
    const commit = lib.get_commit_pkg!(commits, s);
    const sig = lib.sign_msg!(ctx, s, commit) as { pubkey: string; psig: string };
    if (!lib.verify_partial_sig!(ctx, commit, sig.pubkey, sig.psig))
      throw new Error('cmdcode: bad psig');
    return sig;
  });
  const sig = lib.combine_partial_sigs!(ctx, psigs);
  if (!lib.verify_final_sig!(ctx, msgHex, sig)) throw new Error('cmdcode: bad signature');
}

// ---- run -----------------------------------------------------------------------------------

async function main() {
  console.log(`FROST benchmark (ms; all parties in one process; node ${process.version})`);
  console.log(
    `| ${'what'.padEnd(44)} | ${'min'.padStart(8)} | ${'median'.padStart(8)} | ${'max'.padStart(8)} |   n | note`,
  );
  const msg32 = new Uint8Array(32).fill(5);
  const medians = new Map<string, number>();
  const rec = (k: string, s: Stat | undefined) => {
    if (s) medians.set(k, s.median);
    return s;
  };
  const configs: [number, number, number, number][] = quick
    ? [[2, 3, 10, 3]]
    : [
        [2, 3, 40, 10],
        [3, 5, 20, 5],
        [67, 100, 3, 1],
      ];
  for (const suite of ['ed25519', 'secp256k1-tr'] as const) {
    for (const [t, n, signIters, dkgIters] of configs) {
      const label = `${suite} ${t}-of-${n}`;
      let shares: Map<number, KeyShare>;
      if (n > 10 && !full) {
        // O(n²·t) point work over all parties in one process: minutes here. Run with --full.
        shares = dealerSplit({ suite, threshold: t, parties: parties(n) });
        report(`${label} dkg`, undefined, 'skipped (run with --full); keys from the dealer split');
      } else {
        shares = dkg(suite, t, n, `bench-${label}`);
        report(
          `${label} dkg`,
          rec(
            `${label} dkg`,
            await measure(
              dkgIters,
              () => (shares = dkg(suite, t, n, `b${performance.now()}`)),
              n > 10 ? 0 : 1,
            ),
          ),
        );
      }
      const signers = parties(t);
      report(
        `${label} sign (runtime)`,
        rec(`${label} sign`, await measure(signIters, () => signRuntime(shares, signers, msg32))),
      );
      report(
        `${label} sign-core`,
        rec(`${label} core`, await measure(signIters, () => signCore(shares, signers, msg32))),
      );
    }
  }

  const torus = loadTorus();
  if (typeof torus === 'string') report('torus ed25519 (WASM)', undefined, torus);
  else
    for (const [t, n, signIters, dkgIters] of configs.filter(([, n]) => n <= 5)) {
      let keys = await torusDkg(torus, t, n);
      report(
        `torus ed25519 ${t}-of-${n} dkg`,
        rec(
          `torus ${t}-of-${n} dkg`,
          await measure(dkgIters, async () => (keys = await torusDkg(torus, t, n))),
        ),
      );
      report(
        `torus ed25519 ${t}-of-${n} sign`,
        rec(
          `torus ${t}-of-${n} sign`,
          await measure(signIters, () =>
            torusSign(
              torus,
              keys,
              parties(t).map((p) => p - 1),
              msg32,
            ),
          ),
        ),
      );
    }

  const cmd = await loadCmdcode();
  if (typeof cmd === 'string') report('@cmdcode/frost bip340', undefined, cmd);
  else
    for (const [t, n, signIters] of configs.filter(([, n]) => n <= 5)) {
      const group = cmd.lib.create_dealer_set!(t, n) as { group_pk: unknown; shares: unknown[] };
      const msgHex = Buffer.from(msg32).toString('hex');
      report(
        `@cmdcode/frost bip340 ${t}-of-${n} sign`,
        rec(
          `cmdcode ${t}-of-${n} sign`,
          await measure(Math.min(signIters, 10), () => cmdcodeSign(cmd, group, t, msgHex)),
        ),
      );
    }
  report(
    '@frostr/bifrost bip340',
    undefined,
    'installed, not run: its signing API is session/RPC-oriented (nonce codes, session packages); not wired up here',
  );

  console.log('\nRatios (peer median / our median; > 1 means we are faster):');
  for (const [t, n] of configs.filter(([, n]) => n <= 5).map(([t, n]) => [t, n])) {
    const r = (peer: string, ours: string) => {
      const a = medians.get(peer);
      const b = medians.get(ours);
      if (a !== undefined && b !== undefined)
        console.log(`  ${peer} / ${ours}: ${(a / b).toFixed(2)}`);
    };
    r(`torus ${t}-of-${n} sign`, `ed25519 ${t}-of-${n} sign`);
    r(`torus ${t}-of-${n} sign`, `ed25519 ${t}-of-${n} core`);
    r(`torus ${t}-of-${n} dkg`, `ed25519 ${t}-of-${n} dkg`);
    r(`cmdcode ${t}-of-${n} sign`, `secp256k1-tr ${t}-of-${n} sign`);
    r(`cmdcode ${t}-of-${n} sign`, `secp256k1-tr ${t}-of-${n} core`);
  }
  void getSuite;
}

await main();
