// Metrics: the Prometheus endpoint exposes the co-signer's counters and histograms; the line
// protocol encoder escapes per the InfluxDB reference; a push round-trips through a REAL InfluxDB
// (influxd from the Debian package `influxdb`, started here on loopback in a temp dir).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCosignerMetrics,
  encodePoint,
  LineProtocolError,
  pointsFromRegistry,
  pushToInflux,
  startMetricsServer,
} from '../src/metrics/index.ts';

describe('Prometheus /metrics', () => {
  test('exposes protocol runs, callback latency and rejections', async () => {
    const m = createCosignerMetrics();
    m.protocolRuns.inc({ protocol: 'sign', outcome: 'ok' });
    m.protocolDuration.observe({ protocol: 'sign' }, 0.3);
    m.callbackObserver.attempt?.('h1', 'REJECT', 0.02);
    m.callbackObserver.attempt?.('h1', 'APPROVE', 0.04);
    m.riskDecisions.inc({ decision: 'deny', decided_by: 'callback' });
    const server = await startMetricsServer(m.registry, 0);
    try {
      const port = (server.address() as { port: number }).port;
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(r.status, 200);
      const text = await r.text();
      assert.match(text, /^quorate_protocol_runs_total\{protocol="sign",outcome="ok"\} 1$/m);
      assert.match(text, /^quorate_protocol_run_duration_seconds_count\{protocol="sign"\} 1$/m);
      assert.match(
        text,
        /^quorate_callback_latency_seconds_count\{handler="h1",outcome="REJECT"\} 1$/m,
      );
      assert.match(text, /^quorate_callback_rejections_total\{handler="h1"\} 1$/m);
      assert.match(
        text,
        /^quorate_risk_decisions_total\{decision="deny",decided_by="callback"\} 1$/m,
      );
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('line protocol encoder', () => {
  test('escapes measurement, tags, field keys and string values; integers end in i', () => {
    assert.equal(
      encodePoint({
        measurement: 'cpu load,x',
        tags: { 'host name': 'a=b,c', region: 'eu' },
        fields: { 'f,1': 1.5, n: 3n, ok: true, s: 'say "hi" \\ there' },
        timestampNs: 1700000000000000000n,
      }),
      'cpu\\ load\\,x,host\\ name=a\\=b\\,c,region=eu f\\,1=1.5,n=3i,ok=true,s="say \\"hi\\" \\\\ there" 1700000000000000000',
    );
  });

  test('refuses newlines, empty field sets and non-finite numbers, naming the field', () => {
    const isLp = (field: string) => (e: unknown) =>
      e instanceof LineProtocolError && e.field === field;
    assert.throws(
      () => encodePoint({ measurement: 'm\nx', fields: { a: 1 } }),
      isLp('measurement'),
    );
    assert.throws(() => encodePoint({ measurement: 'm', fields: {} }), isLp('fields'));
    assert.throws(() => encodePoint({ measurement: 'm', fields: { a: NaN } }), isLp('a'));
    assert.throws(() => encodePoint({ measurement: 'm', fields: { s: 'a\nb' } }), isLp('s'));
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('InfluxDB round trip (real influxd)', () => {
  let influxd: ChildProcess | undefined;
  let dir = '';
  let url = '';

  before(async () => {
    const found = spawnSync('influxd', ['version'], { encoding: 'utf8' });
    assert.equal(found.status, 0, 'influxd is installed (Debian package influxdb, see .ci/run)');
    dir = mkdtempSync(join(tmpdir(), 'quorate-influx-'));
    const [httpPort, rpcPort] = [await freePort(), await freePort()];
    const conf = join(dir, 'influxdb.conf');
    writeFileSync(
      conf,
      [
        'reporting-disabled = true',
        `bind-address = "127.0.0.1:${rpcPort}"`,
        '[meta]',
        `  dir = "${dir}/meta"`,
        '[data]',
        `  dir = "${dir}/data"`,
        `  wal-dir = "${dir}/wal"`,
        '  query-log-enabled = false',
        '[http]',
        '  enabled = true',
        `  bind-address = "127.0.0.1:${httpPort}"`,
        '  log-enabled = false',
        '[monitor]',
        '  store-enabled = false',
        '[continuous_queries]',
        '  enabled = false',
        '[subscriber]',
        '  enabled = false',
      ].join('\n'),
    );
    influxd = spawn('influxd', ['run', '-config', conf], { stdio: 'ignore' });
    url = `http://127.0.0.1:${httpPort}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/ping`)).status === 204) break;
      } catch {
        // not up yet
      }
      if (i > 150) throw new Error('influxd did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = await fetch(`${url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'CREATE DATABASE quorate' }),
    });
    assert.equal(created.status, 200);
  });

  after(() => {
    influxd?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('pushed points (with escaped tags and strings) are queried back', async () => {
    const ts = 1_700_000_000_000_000_000n;
    await pushToInflux({ version: 1, url, database: 'quorate' }, [
      {
        measurement: 'quorate_callback',
        tags: { handler: 'risk team, eu=1' },
        fields: { latency: 0.25, attempts: 2n, note: 'said "RETRY"' },
        timestampNs: ts,
      },
    ]);
    const q = new URLSearchParams({
      db: 'quorate',
      q: 'SELECT * FROM quorate_callback',
      epoch: 'ns',
    });
    const res = (await (await fetch(`${url}/query?${q}`)).json()) as {
      results: { series?: { columns: string[]; values: unknown[][] }[] }[];
    };
    const series = res.results[0]?.series?.[0];
    assert.ok(series, 'the point was stored');
    const row = Object.fromEntries(series.columns.map((c, i) => [c, series.values[0]?.[i]]));
    assert.deepEqual(row, {
      time: Number(ts),
      attempts: 2,
      handler: 'risk team, eu=1',
      latency: 0.25,
      note: 'said "RETRY"',
    });
  });

  test('a registry snapshot is pushed and counted back', async () => {
    const m = createCosignerMetrics();
    m.protocolRuns.inc({ protocol: 'keygen', outcome: 'ok' }, 3);
    await pushToInflux(
      { version: 1, url, database: 'quorate' },
      await pointsFromRegistry(m.registry, 1_700_000_000_000_000_001n),
    );
    const q = new URLSearchParams({
      db: 'quorate',
      q: 'SELECT "value" FROM quorate_protocol_runs_total WHERE "protocol"=\'keygen\'',
    });
    const res = (await (await fetch(`${url}/query?${q}`)).json()) as {
      results: { series?: { values: unknown[][] }[] }[];
    };
    assert.equal(res.results[0]?.series?.[0]?.values[0]?.[1], 3);
  });

  test('a write to a missing database fails with the HTTP status', async () => {
    await assert.rejects(
      pushToInflux({ version: 1, url, database: 'nope' }, [{ measurement: 'm', fields: { a: 1 } }]),
      (e: unknown) =>
        e instanceof Error &&
        e.name === 'InfluxWriteError' &&
        (e as { status?: number }).status === 404,
    );
  });
});
