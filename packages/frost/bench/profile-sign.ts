/**
 * Profiling aid for the benchmark (not a benchmark itself): FROST signing over dealer-split keys,
 * `runs` times, for `node --cpu-prof`. Modes: `core` (commit + signShare + aggregate, no
 * transport; signer 1 coordinates) or `runtime` (the two-round frostSign protocol over the harness).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/frost/bench/profile-sign.ts ed25519 core 200
 *   node packages/frost/bench/cpuprofile-summary.mjs /tmp/prof/*.cpuprofile
 */
import { simulate, deterministicRng } from '@quorate/runtime/harness';
import { dealerSplit } from '../src/dealer.ts';
import { aggregateWithContext, frostSign, signShareWithContext } from '../src/sign.ts';
import { InMemoryNonceStore, preprocess } from '../src/nonces.ts';
import { signingKey } from '../src/taproot.ts';
import type { CommitmentPair, SigningContext } from '../src/core.ts';
import type { KeyShare } from '../src/keyshare.ts';
import type { SuiteId } from '../src/suite.ts';

const suite = (process.argv[2] ?? 'ed25519') as SuiteId;
const mode = process.argv[3] ?? 'core';
const runs = Number(process.argv[4] ?? 100);
const t = Number(process.argv[5] ?? 2);
const n = Number(process.argv[6] ?? 3);
const parties = Array.from({ length: n }, (_, i) => i + 1);
const signers = parties.slice(0, t);
const shares = dealerSplit({ suite, threshold: t, parties, rng: deterministicRng('profile') });
const msg = new Uint8Array(32).fill(5);
const rng = deterministicRng('profile-sign');

function core(): Uint8Array {
  const keys = signers.map((p) => signingKey(shares.get(p) as KeyShare));
  const stores = new Map<number, { store: InMemoryNonceStore; id: string }>();
  const commitments = new Map<number, CommitmentPair>();
  for (const k of keys) {
    const store = new InMemoryNonceStore();
    const [pre] = preprocess(k.suite, k.secretShare, store, rng);
    if (!pre) throw new Error('no nonce');
    stores.set(k.self, { store, id: pre.id });
    commitments.set(k.self, pre.commitment);
  }
  const pkg = { message: msg, commitments };
  const zs = new Map<number, bigint>();
  let context: SigningContext | undefined;
  for (const k of keys) {
    const s = stores.get(k.self) as { store: InMemoryNonceStore; id: string };
    const r = signShareWithContext(k, s.store, s.id, pkg);
    zs.set(k.self, r.share);
    context ??= r.context;
  }
  // Signer 1 is the coordinator and reuses its context (as the benchmark's sign-core does).
  const key = keys[0] as ReturnType<typeof signingKey>;
  const r = aggregateWithContext(key, context as SigningContext, commitments, zs);
  if (!('signature' in r)) throw new Error('aggregate failed');
  return r.signature;
}

function runtime(): void {
  const r = simulate(frostSign(suite), {
    parties: signers,
    config: (p) => ({ share: shares.get(p) as KeyShare, message: msg }),
  });
  if (r.errors.size > 0) throw [...r.errors.values()][0];
}

const f = mode === 'runtime' ? runtime : core;
f(); // warm-up
const t0 = performance.now();
for (let i = 0; i < runs; i++) f();
const ms = (performance.now() - t0) / runs;
console.log(`${suite} ${t}-of-${n} ${mode}: ${ms.toFixed(2)} ms per signing (mean of ${runs})`);
