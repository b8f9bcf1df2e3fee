/**
 * CGGMP21 benchmark (issue 4, "Benchmark"): keygen, aux-info, presign and one-round sign at
 * 2-of-3 and 3-of-3, for the 2048 and 3072 levels, all parties in one process through the
 * runtime harness (`simulate`, so message encoding, transcripts and checks are included).
 * Aux-info uses the committed safe-prime fixtures of @quorate/paillier, so prime generation is
 * not in the protocol timings; it depends only on n (3 in both configurations), so it is run
 * once per level and its shares serve both thresholds.
 *
 * Peers in the same run, from bench/peers/cggmp21 (own package.json, never a workspace
 * dependency; `npm install --prefix bench/peers/cggmp21 @bitgo/sdk-core@37.7.0
 * @silencelaboratories/dkls-wasm-ll-node`):
 *  - BitGo's @bitgo/sdk-core ECDSA (GG18-style, Paillier-3072): keygen and sign 2-of-3;
 *  - Silence Labs' DKLs23 WASM (benchmarking only; not open source): keygen, presign, online.
 * A peer that is missing or fails is reported with its error and skipped.
 *
 *   node --import tsx packages/cggmp21/bench/cggmp21.bench.ts [--quick] [--no-peers] [--no-bitgo]
 *   env: CGGMP21_BENCH_RUNS (default 3), CGGMP21_BENCH_AUX_RUNS (default 2),
 *        CGGMP21_BENCH_LEVELS (default "2048,3072")
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { activeBackend } from '@quorate/bigint';
import { fixtures, levelByName } from '@quorate/paillier';
import type { SecurityLevel } from '@quorate/paillier';
import { simulate } from '@quorate/runtime/harness';
import { auxInfo } from '../src/aux-info.ts';
import { keygen } from '../src/keygen.ts';
import { validateKeyShare } from '../src/key-share.ts';
import type { AuxInfo, CoreKeyShare, KeyShare } from '../src/key-share.ts';
import { presign } from '../src/presign.ts';
import type { PresignOutput } from '../src/presign.ts';
import { Presignature } from '../src/presignature.ts';
import { sign } from '../src/sign.ts';
import { verifyEcdsa } from '../src/ecdsa.ts';

const PEERS = fileURLToPath(new URL('../../../bench/peers/cggmp21/package.json', import.meta.url));
const peerRequire = createRequire(PEERS);
const quick = process.argv.includes('--quick');
const noPeers = process.argv.includes('--no-peers');
const RUNS = Number(process.env.CGGMP21_BENCH_RUNS ?? (quick ? 1 : 3));
const AUX_RUNS = Number(process.env.CGGMP21_BENCH_AUX_RUNS ?? (quick ? 1 : 2));
const LEVELS = (process.env.CGGMP21_BENCH_LEVELS ?? '2048,3072').split(',').filter(Boolean);

interface Stat {
  min: number;
  median: number;
  max: number;
  n: number;
}

function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: s[0] ?? NaN,
    median: s[Math.floor(s.length / 2)] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    n: s.length,
  };
}

/** Times `f` `runs` times; `f` returns a value that the next stage may use (the last one). */
async function measure<T>(runs: number, f: () => T | Promise<T>): Promise<[Stat, T]> {
  const xs: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await f();
    xs.push(performance.now() - t0);
  }
  return [stat(xs), last as T];
}

const results = new Map<string, Stat>();
const fmt = (x: number) =>
  Number.isNaN(x) ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const cell = (s: Stat | undefined) =>
  s ? `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}` : '—';

function row(key: string, s: Stat | undefined, note = ''): void {
  if (s) results.set(key, s);
  console.log(
    `| ${key.padEnd(40)} | ${cell(s).padStart(26)} | ${String(s?.n ?? '—').padStart(4)} | ${note}`,
  );
}

function firstError(errors: ReadonlyMap<number, unknown>): void {
  const e = errors.values().next();
  if (!e.done) throw e.value;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

// ---- ours ----------------------------------------------------------------------------------

function runKeygen(t: number, n: number): Map<number, CoreKeyShare> {
  const r = simulate(keygen, { parties: range(n), threshold: t, config: () => ({ t }) });
  firstError(r.errors);
  return r.outputs as Map<number, CoreKeyShare>;
}

function runAux(level: SecurityLevel, n: number): Map<number, AuxInfo> {
  const pairs = level.paillierBits === 2048 ? fixtures.primes2048 : fixtures.primes3072;
  const r = simulate(auxInfo, {
    parties: range(n),
    config: (p) => ({ level, primes: pairs[p - 1] as [bigint, bigint] }),
  });
  firstError(r.errors);
  return r.outputs as Map<number, AuxInfo>;
}

function runPresign(shares: Map<number, KeyShare>, signers: number[]): Map<number, PresignOutput> {
  const r = simulate(presign, {
    parties: signers,
    config: (p) => ({ share: shares.get(p) as KeyShare }),
  });
  firstError(r.errors);
  return r.outputs as Map<number, PresignOutput>;
}

function runSign(pre: Map<number, PresignOutput>, signers: number[], digest: Uint8Array) {
  const presigs = new Map([...pre].map(([p, o]) => [p, new Presignature(o)]));
  const r = simulate(sign, {
    parties: signers,
    config: (p) => ({ presignature: presigs.get(p) as Presignature, digest }),
  });
  firstError(r.errors);
  const sig = r.outputs.get(signers[0] as number);
  if (!sig) throw new Error('no signature');
  return sig;
}

async function ours(levelName: string): Promise<void> {
  const level = levelByName(levelName);
  console.log(
    `\n#### ours, level ${levelName} (Paillier-${level.paillierBits}), backend ${activeBackend()}\n`,
  );
  console.log(`| ${'operation'.padEnd(40)} | ${'min / median / max (ms)'.padStart(26)} | runs |`);
  console.log(`| ${'-'.repeat(40)} | ${'-'.repeat(25)}: | ---: |`);
  const [auxStat, aux] = await measure(AUX_RUNS, () => runAux(level, 3));
  row(`${levelName} aux-info n=3 (Π^mod, Π^prm, Π^fac)`, auxStat);
  for (const [t, n] of [
    [2, 3],
    [3, 3],
  ] as const) {
    const cfg = `${levelName} ${t}-of-${n}`;
    const [kgStat, core] = await measure(RUNS, () => runKeygen(t, n));
    row(`${cfg} keygen`, kgStat);
    const shares = new Map(
      range(n).map((p) => [p, validateKeyShare({ core: core.get(p)!, aux: aux.get(p)! })]),
    );
    const signers = range(t);
    const digest = sha256(new TextEncoder().encode('quorate bench'));
    const pres: number[] = [];
    const onl: number[] = [];
    const tot: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const pre = runPresign(shares, signers);
      const t1 = performance.now();
      const sig = runSign(pre, signers, digest);
      const t2 = performance.now();
      if (!verifyEcdsa(sig, digest, (shares.get(1) as KeyShare).core.publicKey))
        throw new Error('signature does not verify');
      pres.push(t1 - t0);
      onl.push(t2 - t1);
      tot.push(t2 - t0);
    }
    row(`${cfg} presign`, stat(pres));
    row(`${cfg} sign (online, 1 round)`, stat(onl));
    row(`${cfg} sign total (presign + online)`, stat(tot));
  }
}

// ---- peers ---------------------------------------------------------------------------------

const errText = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] : String(e));

interface DklsMessage {
  readonly from_id: number;
  readonly to_id: number | undefined;
  clone(): DklsMessage;
}
interface DklsKeyshare {
  toBytes(): Uint8Array;
}
interface DklsLib {
  KeygenSession: new (
    n: number,
    t: number,
    id: number,
  ) => {
    createFirstMessage(): DklsMessage;
    calculateChainCodeCommitment(): Uint8Array;
    handleMessages(m: DklsMessage[], c?: Uint8Array[]): DklsMessage[];
    keyshare(): DklsKeyshare;
  };
  Keyshare: { fromBytes(b: Uint8Array): DklsKeyshare };
  SignSession: new (
    k: DklsKeyshare,
    path: string,
  ) => {
    createFirstMessage(): DklsMessage;
    handleMessages(m: DklsMessage[]): DklsMessage[];
    lastMessage(hash: Uint8Array): DklsMessage;
    combine(m: DklsMessage[]): unknown[];
  };
}

const others = (ms: DklsMessage[], id: number) =>
  ms.filter((m) => m.from_id !== id).map((m) => m.clone());
const toMe = (ms: DklsMessage[], id: number) =>
  ms.filter((m) => m.to_id === id).map((m) => m.clone());

async function dkls(): Promise<void> {
  console.log(`\n#### peer: Silence Labs DKLs23 WASM (@silencelaboratories/dkls-wasm-ll-node)\n`);
  let lib: DklsLib;
  try {
    lib = peerRequire('@silencelaboratories/dkls-wasm-ll-node') as DklsLib;
  } catch (e) {
    console.log(`not available: ${errText(e)}`);
    return;
  }
  const digest = sha256(new TextEncoder().encode('quorate bench'));
  try {
    for (const [t, n] of [
      [2, 3],
      [3, 3],
    ] as const) {
      const cfg = `dkls23 ${t}-of-${n}`;
      const [kgStat, shares] = await measure(RUNS, () => {
        const ps = Array.from({ length: n }, (_, i) => new lib.KeygenSession(n, t, i));
        const m1 = ps.map((p) => p.createFirstMessage());
        const m2 = ps.flatMap((p, i) => p.handleMessages(others(m1, i)));
        const commitments = ps.map((p) => p.calculateChainCodeCommitment());
        const m3 = ps.flatMap((p, i) => p.handleMessages(toMe(m2, i)));
        const m4 = ps.flatMap((p, i) => p.handleMessages(toMe(m3, i), commitments));
        ps.forEach((p, i) => p.handleMessages(others(m4, i)));
        return ps.map((p) => p.keyshare().toBytes());
      });
      row(`${cfg} keygen`, kgStat);
      const pres: number[] = [];
      const onl: number[] = [];
      const tot: number[] = [];
      for (let r = 0; r < Math.max(RUNS, 5); r++) {
        // SignSession consumes its key share: load a fresh copy (outside the timing).
        const ks = shares.slice(0, t).map((b) => lib.Keyshare.fromBytes(b));
        const t0 = performance.now();
        const ps = ks.map((k) => new lib.SignSession(k, 'm'));
        const m1 = ps.map((p) => p.createFirstMessage());
        const m2 = ps.flatMap((p, i) => p.handleMessages(others(m1, i)));
        const m3 = ps.flatMap((p, i) => p.handleMessages(toMe(m2, i)));
        ps.forEach((p, i) => p.handleMessages(toMe(m3, i)));
        const t1 = performance.now();
        const m4 = ps.map((p) => p.lastMessage(digest));
        ps.map((p, i) => p.combine(others(m4, i)));
        const t2 = performance.now();
        pres.push(t1 - t0);
        onl.push(t2 - t1);
        tot.push(t2 - t0);
      }
      row(`${cfg} presign`, stat(pres));
      row(`${cfg} sign (online)`, stat(onl));
      row(`${cfg} sign total`, stat(tot));
    }
  } catch (e) {
    console.log(`failed: ${errText(e)}`);
  }
}

async function bitgo(): Promise<void> {
  console.log(`\n#### peer: BitGo @bitgo/sdk-core ECDSA (GG18-style, Paillier-3072)\n`);
  const { bitgoBench } = await import('./peer-bitgo.ts');
  try {
    await bitgoBench(peerRequire, RUNS, row);
  } catch (e) {
    console.log(`failed: ${errText(e)}`);
  }
}

// ---- ratios --------------------------------------------------------------------------------

function ratio(label: string, ourKey: string, peerKey: string, target?: string): void {
  const a = results.get(ourKey);
  const b = results.get(peerKey);
  if (!a || !b) {
    console.log(`| ${label.padEnd(52)} | — | ${target ?? ''} (missing: ${!a ? ourKey : peerKey})`);
    return;
  }
  const r = b.median / a.median;
  const txt = r >= 1 ? `ours ${r.toFixed(2)}× faster` : `ours ${(1 / r).toFixed(2)}× slower`;
  console.log(
    `| ${label.padEnd(52)} | ${fmt(a.median)} vs ${fmt(b.median)} ms: ${txt} | ${target ?? ''}`,
  );
}

console.log(
  `CGGMP21 benchmark — ${new Date().toISOString()}, node ${process.version}, runs ${RUNS} (aux-info ${AUX_RUNS}), medians compared`,
);
for (const l of LEVELS) await ours(l);
if (!noPeers) {
  await dkls();
  if (!process.argv.includes('--no-bitgo')) await bitgo();
}
console.log(`\n#### ratios (medians; ours / peer)\n`);
ratio(
  '2-of-3 sign total @2048 vs BitGo sign',
  '2048 2-of-3 sign total (presign + online)',
  'bitgo 2-of-3 sign total',
  'target ≥10× faster',
);
ratio(
  '2-of-3 sign total @3072 vs BitGo sign',
  '3072 2-of-3 sign total (presign + online)',
  'bitgo 2-of-3 sign total',
);
ratio(
  'aux-info n=3 @3072 vs BitGo range-proof setup (1 party)',
  '3072 aux-info n=3 (Π^mod, Π^prm, Π^fac)',
  'bitgo range-proof setup (Ntilde proofs, per party)',
);
for (const l of LEVELS) {
  for (const c of ['2-of-3', '3-of-3']) {
    ratio(
      `${c} presign @${l} vs DKLs23 presign`,
      `${l} ${c} presign`,
      `dkls23 ${c} presign`,
      c === '3-of-3' && l === '2048' ? 'target within 2×' : '',
    );
    ratio(
      `${c} online @${l} vs DKLs23 online`,
      `${l} ${c} sign (online, 1 round)`,
      `dkls23 ${c} sign (online)`,
      'target no slower',
    );
    ratio(`${c} keygen @${l} vs DKLs23 keygen`, `${l} ${c} keygen`, `dkls23 ${c} keygen`);
  }
}
