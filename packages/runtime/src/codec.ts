/**
 * Strict canonical codec for protocol messages.
 *
 * Wire form: canonical JSON in UTF-8. Object keys sorted, no white space, byte strings as
 * lowercase hex, big integers as minimal signed hex (`-1f`, `0`), small integers as JSON numbers.
 * Decoding is strict: the schema names every field and its bounds, unknown fields are rejected,
 * and the decoded value is re-encoded and compared with the input, so exactly one byte string
 * decodes to a given value (no duplicate keys, no leading zeros, no upper-case hex, no spaces).
 * Every failure is a {@link DecodeError} naming the field.
 */
import { DecodeError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Schema<T> {
  /** What the schema accepts, for error messages. */
  readonly expected: string;
  /** Untrusted JSON → typed value; throws DecodeError naming `path`. */
  parse(value: unknown, path: string): T;
  /** Typed value → canonical JSON value. */
  encode(value: T): Json;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const HEX = /^[0-9a-f]*$/;

function fail(path: string, expected: string): never {
  throw new DecodeError(path, expected);
}

export function bytes(opts: { len?: number; max?: number } = {}): Schema<Uint8Array> {
  const max = opts.len ?? opts.max ?? 1 << 20;
  const expected =
    opts.len !== undefined
      ? `${opts.len} bytes as lowercase hex`
      : `at most ${max} bytes as lowercase hex`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'string' || v.length % 2 !== 0 || !HEX.test(v)) fail(path, expected);
      const n = v.length / 2;
      if (n > max || (opts.len !== undefined && n !== opts.len)) fail(path, expected);
      return Uint8Array.from(Buffer.from(v, 'hex'));
    },
    encode: (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex'),
  };
}

/** Big integer with at most `maxBits` bits of magnitude; negative only if `signed`. */
export function bigint(opts: { maxBits: number; signed?: boolean; min?: bigint }): Schema<bigint> {
  const signed = opts.signed ?? false;
  const expected = `${signed ? 'a signed' : 'a non-negative'} integer of at most ${opts.maxBits} bits as minimal hex`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'string' || v.length === 0 || v.length > Math.ceil(opts.maxBits / 4) + 1)
        fail(path, expected);
      const neg = v.startsWith('-');
      const digits = neg ? v.slice(1) : v;
      if (digits.length === 0 || !HEX.test(digits)) fail(path, expected);
      if (neg && !signed) fail(path, expected);
      if (digits.length > 1 && digits.startsWith('0')) fail(path, expected);
      if (neg && digits === '0') fail(path, expected);
      const mag = BigInt('0x' + digits);
      if (mag.toString(2).length > opts.maxBits && mag !== 0n) fail(path, expected);
      const x = neg ? -mag : mag;
      if (opts.min !== undefined && x < opts.min) fail(path, `${expected}, at least ${opts.min}`);
      return x;
    },
    encode: (x) => (x < 0n ? '-' + (-x).toString(16) : x.toString(16)),
  };
}

export function uint(opts: { max: number; min?: number }): Schema<number> {
  const min = opts.min ?? 0;
  const expected = `an integer in ${min}..${opts.max}`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > opts.max)
        fail(path, expected);
      return v;
    },
    encode: (v) => v,
  };
}

export function string(opts: { max: number; pattern?: RegExp }): Schema<string> {
  const expected = `a string of at most ${opts.max} characters${opts.pattern ? ` matching ${opts.pattern}` : ''}`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'string' || v.length > opts.max) fail(path, expected);
      if (opts.pattern && !opts.pattern.test(v)) fail(path, expected);
      return v;
    },
    encode: (v) => v,
  };
}

export function bool(): Schema<boolean> {
  return {
    expected: 'a boolean',
    parse(v, path) {
      if (typeof v !== 'boolean') fail(path, 'a boolean');
      return v;
    },
    encode: (v) => v,
  };
}

export function literal<const T extends string | number | boolean>(lit: T): Schema<T> {
  const expected = JSON.stringify(lit);
  return {
    expected,
    parse(v, path) {
      if (v !== lit) fail(path, expected);
      return lit;
    },
    encode: (v) => v,
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(path, expected);
      return v as T;
    },
    encode: (v) => v,
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    expected: `null or ${inner.expected}`,
    parse: (v, path) => (v === null ? null : inner.parse(v, path)),
    encode: (v) => (v === null ? null : inner.encode(v)),
  };
}

export function array<T>(item: Schema<T>, opts: { max: number; min?: number }): Schema<T[]> {
  const min = opts.min ?? 0;
  const expected = `an array of ${min}..${opts.max} items`;
  return {
    expected,
    parse(v, path) {
      if (!Array.isArray(v) || v.length < min || v.length > opts.max) fail(path, expected);
      return v.map((x, i) => item.parse(x, `${path}[${i}]`));
    },
    encode: (v) => v.map((x) => item.encode(x)),
  };
}

type Shape = Record<string, Schema<unknown>>;
const OPTIONAL = Symbol('optional');
interface OptionalSchema<T> extends Schema<T> {
  readonly [OPTIONAL]: true;
}

/** A field that may be absent (never `undefined` on the wire). */
export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return { ...inner, [OPTIONAL]: true };
}

type RequiredKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? never : K;
}[keyof S];
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** An object with exactly these fields; unknown fields are rejected. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape).sort();
  const expected = `an object with fields ${keys.join(', ')}`;
  return {
    expected,
    parse(v, path) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, expected);
      const rec = v as Record<string, unknown>;
      for (const k of Object.keys(rec)) {
        if (!Object.hasOwn(shape, k)) fail(path ? `${path}.${k}` : k, 'no such field');
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const s = shape[k] as Schema<unknown>;
        const p = path ? `${path}.${k}` : k;
        if (!Object.hasOwn(rec, k)) {
          if (OPTIONAL in s) continue;
          fail(p, `${s.expected} (field is missing)`);
        }
        out[k] = s.parse(rec[k], p);
      }
      return out as ObjectOf<S>;
    },
    encode(v) {
      const out: Record<string, Json> = {};
      const rec = v as Record<string, unknown>;
      for (const k of keys) {
        if (rec[k] === undefined) continue;
        out[k] = (shape[k] as Schema<unknown>).encode(rec[k]);
      }
      return out;
    },
  };
}

/** Any JSON value, bounded in depth; used for the envelope's still-undecoded payload. */
export function rawJson(maxDepth = 32): Schema<Json> {
  const expected = `JSON of depth at most ${maxDepth}`;
  const check = (v: unknown, path: string, depth: number): Json => {
    if (depth > maxDepth) fail(path, expected);
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) fail(path, 'only safe integers as numbers');
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => check(x, `${path}[${i}]`, depth + 1));
    if (typeof v === 'object') {
      const out: Record<string, Json> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        out[k] = check(x, `${path}.${k}`, depth + 1);
      return out;
    }
    fail(path, expected);
  };
  return { expected, parse: (v, path) => check(v, path, 0), encode: (v) => v };
}

/** Canonical JSON text: sorted keys, no white space. */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as Json)}`).join(',')}}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8enc = new TextEncoder();

export function encodeCanonical<T>(schema: Schema<T>, value: T): Uint8Array {
  return utf8enc.encode(canonicalJson(schema.encode(value)));
}

/**
 * Decodes untrusted bytes: size bound, UTF-8, JSON, schema, then the canonical round trip.
 * @param maxBytes refuse anything larger before parsing.
 */
export function decodeCanonical<T>(
  schema: Schema<T>,
  data: Uint8Array,
  maxBytes: number,
  path = '',
): T {
  if (data.byteLength > maxBytes) fail(path, `at most ${maxBytes} bytes (got ${data.byteLength})`);
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    fail(path, 'valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(path, 'valid JSON');
  }
  const value = schema.parse(json, path);
  if (canonicalJson(schema.encode(value)) !== text)
    fail(path, 'the canonical encoding (sorted keys, no spaces, minimal hex)');
  return value;
}

/** Parses an already-parsed JSON value and requires it to be canonical under `schema`. */
export function parseCanonical<T>(schema: Schema<T>, json: Json, path: string): T {
  const value = schema.parse(json, path);
  if (canonicalJson(schema.encode(value)) !== canonicalJson(json))
    fail(path, 'the canonical encoding');
  return value;
}
