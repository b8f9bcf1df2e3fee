/**
 * InfluxDB line protocol encoder and push client (docs/cosigner-risk.md, "Metrics"), after the
 * Cobo TSS Node's InfluxDB export (seed 004). Line protocol:
 *   measurement[,tag=v...] field=v[,field=v...] [timestamp]
 * Escaping per the InfluxDB line-protocol reference: measurement escapes comma and space; tag
 * keys, tag values and field keys escape comma, equals sign and space; string field values are
 * double-quoted with `"` and `\` escaped. Integers end in `i`. Newlines are refused (they would
 * start a new point).
 */
import type { Registry } from 'prom-client';

export type FieldValue = number | bigint | boolean | string;

export interface Point {
  readonly measurement: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** Nanoseconds since the epoch; absent: the server's time. */
  readonly timestampNs?: bigint;
}

export class LineProtocolError extends Error {
  override readonly name = 'LineProtocolError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function noNewline(s: string, field: string): string {
  if (/[\n\r]/.test(s)) throw new LineProtocolError(field, `${field}: newline not allowed`);
  if (s.length === 0) throw new LineProtocolError(field, `${field}: empty`);
  return s;
}
const escMeasurement = (s: string) => noNewline(s, 'measurement').replace(/[, ]/g, (c) => `\\${c}`);
const escKey = (s: string, f: string) => noNewline(s, f).replace(/[,= ]/g, (c) => `\\${c}`);

function fieldValue(v: FieldValue, key: string): string {
  if (typeof v === 'bigint') return `${v}i`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new LineProtocolError(key, `field ${key}: not a finite number`);
    return `${v}`;
  }
  if (/[\n\r]/.test(v)) throw new LineProtocolError(key, `field ${key}: newline not allowed`);
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function encodePoint(p: Point): string {
  const fields = Object.entries(p.fields);
  if (fields.length === 0)
    throw new LineProtocolError('fields', 'a point needs at least one field');
  // Tags sorted by key: what InfluxDB recommends for write performance; keeps output deterministic.
  const tags = Object.entries(p.tags ?? {})
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `,${escKey(k, 'tag key')}=${escKey(v, `tag ${k}`)}`)
    .join('');
  const f = fields.map(([k, v]) => `${escKey(k, 'field key')}=${fieldValue(v, k)}`).join(',');
  return `${escMeasurement(p.measurement)}${tags} ${f}${p.timestampNs === undefined ? '' : ` ${p.timestampNs}`}`;
}

export const encodePoints = (points: readonly Point[]) => points.map(encodePoint).join('\n');

/** Current samples of a prom-client registry as points (one per series; histograms as sum/count). */
export async function pointsFromRegistry(registry: Registry, nowNs: bigint): Promise<Point[]> {
  const out: Point[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    for (const v of m.values) {
      const labels = Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)]));
      const name = (v as { metricName?: string }).metricName ?? m.name;
      if (name.endsWith('_bucket')) continue;
      out.push({ measurement: name, tags: labels, fields: { value: v.value }, timestampNs: nowNs });
    }
  }
  return out;
}

export type InfluxTarget =
  | {
      readonly version: 1;
      readonly url: string;
      readonly database: string;
      readonly username?: string;
      readonly password?: string;
    }
  | {
      readonly version: 2;
      readonly url: string;
      readonly org: string;
      readonly bucket: string;
      readonly token: string;
    };

export class InfluxWriteError extends Error {
  override readonly name = 'InfluxWriteError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** POSTs points to `/write` (1.x) or `/api/v2/write` (2.x), nanosecond precision. */
export async function pushToInflux(
  target: InfluxTarget,
  points: readonly Point[],
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<void> {
  if (points.length === 0) return;
  const base = target.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  let url: string;
  if (target.version === 1) {
    const q = new URLSearchParams({ db: target.database, precision: 'ns' });
    url = `${base}/write?${q}`;
    if (target.username !== undefined)
      headers['authorization'] =
        `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
  } else {
    const q = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ns' });
    url = `${base}/api/v2/write?${q}`;
    headers['authorization'] = `Token ${target.token}`;
  }
  const r = await (opts.fetch ?? fetch)(url, {
    method: 'POST',
    headers,
    body: encodePoints(points),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  if (r.status !== 204 && r.status !== 200) {
    // The server's message may echo our data but never a credential; keep it short.
    const text = (await r.text()).slice(0, 200);
    throw new InfluxWriteError(r.status, `InfluxDB write failed: HTTP ${r.status} ${text}`);
  }
}
