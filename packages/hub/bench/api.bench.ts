/**
 * Cost of the hub's request pipeline (issue 7 "HTTP API", "Authentication"): one signed
 * `GET /v1/me` through Fastify inject on SQLite in memory (JWT verify, nonce insert, RBAC,
 * handler, response schema), per key type; and `POST /v1/users` with an Idempotency-Key, first
 * call and replay. Prints min / median / max in ms. Env BENCH_RUNS (default 200).
 */
import { openDatabase } from '../src/storage/database.ts';
import { call, startTestHub, testKey } from '../test/support/hub.ts';
import type { KeyKind } from '../test/support/hub.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(3).padStart(9);
  return `${f(s[0]!)} ${f(s[Math.floor(s.length / 2)]!)} ${f(s[s.length - 1]!)}`;
}

const hub = await startTestHub(openDatabase({ kind: 'sqlite', path: ':memory:' }), {
  rateLimit: { max: 1_000_000, windowMs: 60_000 },
});
console.log(`runs: ${RUNS}   (ms)                         min    median       max`);
for (const kind of ['Ed25519', 'P-256', 'RSA-2048'] as KeyKind[]) {
  const a = await hub.addUser('viewer', { key: testKey(kind) });
  for (let i = 0; i < 20; i++) await call(hub, a, 'GET', '/v1/me');
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await call(hub, a, 'GET', '/v1/me');
    t.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`status ${r.status}`);
  }
  console.log(`GET /v1/me signed, ${kind.padEnd(8)} (sign+verify) ${stats(t)}`);
}
const admin = await hub.addUser('admin');
const first: number[] = [];
const replay: number[] = [];
for (let i = 0; i < Math.min(RUNS, 100); i++) {
  const body = { name: `bench-${i}`, kind: 'api', role: 'viewer', publicKey: testKey().publicPem };
  const headers = { 'idempotency-key': `bench-${i}` };
  let t0 = performance.now();
  await call(hub, admin, 'POST', '/v1/users', { body, headers });
  first.push(performance.now() - t0);
  t0 = performance.now();
  await call(hub, admin, 'POST', '/v1/users', { body, headers });
  replay.push(performance.now() - t0);
}
console.log(`POST /v1/users + Idempotency-Key, first call   ${stats(first)}`);
console.log(`POST /v1/users + Idempotency-Key, replay       ${stats(replay)}`);
await hub.close();
