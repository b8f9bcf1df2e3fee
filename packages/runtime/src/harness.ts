/**
 * In-process simulation harness: runs n parties of any protocol in one process over a simulated
 * network, with interceptors that may drop, delay, duplicate, reorder, replay or tamper with any
 * message of any party. Adversarial tests of every protocol use it. Not for production use: it
 * also exports the deterministic RNG, which must never sign anything real.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type * as c from './codec.ts';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';
import type { Envelope } from './envelope.ts';
import type { ProtocolError } from './errors.ts';
import type { PartyId } from './ids.ts';
import type { ProtocolDefinition } from './protocol.ts';
import type { Rng } from './rng.ts';
import { randomBelow } from './rng.ts';
import { Session } from './session.ts';
import type { ReceiveResult } from './session.ts';

/** A deterministic generator for tests only: SHA-256 in counter mode over the seed. */
export function deterministicRng(seed: string | Uint8Array): Rng {
  const key = typeof seed === 'string' ? new TextEncoder().encode(seed) : Uint8Array.from(seed);
  let counter = 0;
  let pool = new Uint8Array(0);
  return {
    bytes(n: number) {
      while (pool.length < n) {
        const block = new Uint8Array(key.length + 8);
        block.set(key);
        new DataView(block.buffer).setBigUint64(key.length, BigInt(counter++));
        const next = new Uint8Array(pool.length + 32);
        next.set(pool);
        next.set(sha256(block), pool.length);
        pool = next;
      }
      const out = pool.slice(0, n);
      pool = pool.slice(n);
      return out;
    },
  };
}

/** One copy of a message on its way to one receiver. */
export interface Delivery {
  readonly from: PartyId;
  readonly to: PartyId;
  readonly bytes: Uint8Array;
  /** Hold back for this many deliveries of other messages. */
  readonly delay?: number;
}

/**
 * Sees every delivery once, when it is sent. Return undefined to deliver it unchanged, or the
 * list of deliveries to make instead: [] drops it, two copies duplicate it, a changed copy
 * tampers with it, extra deliveries inject replays.
 */
export type Interceptor = (
  d: Delivery & { readonly envelope: Envelope },
) => readonly Delivery[] | undefined;

export interface DropEvent {
  readonly delivery: Delivery;
  readonly result: ReceiveResult;
}

export interface SimulationResult<Out> {
  readonly outputs: ReadonlyMap<PartyId, Out>;
  readonly errors: ReadonlyMap<PartyId, ProtocolError>;
  /** Every delivery a receiver dropped, with the reason. */
  readonly dropped: readonly DropEvent[];
  /** Every message sent by any party, as sent (before interceptors), for later replay. */
  readonly sent: readonly Delivery[];
  readonly sessions: ReadonlyMap<PartyId, Session<Out>>;
}

export interface SimulationOptions<Config> {
  readonly parties: readonly PartyId[];
  readonly threshold?: number;
  readonly sessionId?: Uint8Array;
  /** Per-party configuration (key shares, messages to sign, …). */
  readonly config: (party: PartyId) => Config;
  /** Seed for per-party RNGs and the scheduler; omitted = CSPRNG per party, FIFO scheduling. */
  readonly seed?: string;
  readonly interceptors?: readonly Interceptor[];
  /** 'fifo' (default) or 'random' order of deliveries (seeded). */
  readonly order?: 'fifo' | 'random';
  /** Deliveries injected before the run starts (e.g. replays from an older session). */
  readonly inject?: readonly Delivery[];
  /** Upper bound on deliveries, so a buggy protocol cannot loop forever. */
  readonly maxDeliveries?: number;
}

export function simulate<Out, Config>(
  def: ProtocolDefinition<Out, Config>,
  opts: SimulationOptions<Config>,
): SimulationResult<Out> {
  const sessionId =
    opts.sessionId ??
    (opts.seed
      ? sha256(new TextEncoder().encode(`session:${opts.seed}`))
      : deterministicRng(String(process.hrtime.bigint())).bytes(32));
  const sessions = new Map<PartyId, Session<Out>>();
  for (const p of opts.parties) {
    const rng = opts.seed !== undefined ? deterministicRng(`${opts.seed}/party/${p}`) : undefined;
    sessions.set(
      p,
      Session.create(def, {
        sessionId,
        self: p,
        parties: opts.parties,
        ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
        ...(rng ? { rng } : {}),
        config: opts.config(p),
      }),
    );
  }
  const schedRng = deterministicRng(`${opts.seed ?? 'fifo'}/scheduler`);
  const pending: { d: Delivery; readyAt: number }[] = [];
  const sent: Delivery[] = [];
  const dropped: DropEvent[] = [];
  let tick = 0;

  const route = (from: PartyId, bytes: Uint8Array, envelope: Envelope) => {
    const targets = envelope.to === null ? opts.parties.filter((p) => p !== from) : [envelope.to];
    for (const to of targets) {
      const d: Delivery = { from, to, bytes };
      sent.push(d);
      let out: readonly Delivery[] = [d];
      for (const icpt of opts.interceptors ?? []) {
        const next: Delivery[] = [];
        for (const x of out)
          next.push(...(icpt({ ...x, envelope: safeDecode(x.bytes) ?? envelope }) ?? [x]));
        out = next;
      }
      for (const x of out) pending.push({ d: x, readyAt: tick + (x.delay ?? 0) });
    }
  };
  const flush = (p: PartyId) => {
    const s = sessions.get(p) as Session<Out>;
    for (const m of s.takeOutgoing()) route(p, m.bytes, m.envelope);
  };

  for (const d of opts.inject ?? []) pending.push({ d, readyAt: 0 });
  for (const [p, s] of sessions) {
    s.start();
    flush(p);
  }
  const max = opts.maxDeliveries ?? 100_000;
  while (pending.length > 0 && tick < max) {
    tick++;
    let index = -1;
    if (opts.order === 'random') {
      const ready = pending.flatMap((x, i) => (x.readyAt <= tick ? [i] : []));
      if (ready.length > 0)
        index = ready[Number(randomBelow(schedRng, BigInt(ready.length)))] as number;
    } else {
      index = pending.findIndex((x) => x.readyAt <= tick);
    }
    if (index < 0) continue;
    const { d } = pending.splice(index, 1)[0] as (typeof pending)[number];
    const s = sessions.get(d.to);
    if (!s) continue;
    const result = s.receive(d.bytes);
    if (result.status === 'dropped') dropped.push({ delivery: d, result });
    flush(d.to);
  }
  // Whoever is still waiting has timed out: the network delivered everything it will.
  for (const s of sessions.values()) s.timeout();

  const outputs = new Map<PartyId, Out>();
  const errors = new Map<PartyId, ProtocolError>();
  for (const [p, s] of sessions) {
    if (s.status === 'done') outputs.set(p, s.output as Out);
    else if (s.error) errors.set(p, s.error);
  }
  return { outputs, errors, dropped, sent, sessions };
}

function safeDecode(bytes: Uint8Array): Envelope | undefined {
  try {
    return decodeEnvelope(bytes);
  } catch {
    return undefined;
  }
}

// ---- interceptor helpers -------------------------------------------------------------------

export interface MessageFilter {
  readonly from?: PartyId;
  readonly to?: PartyId;
  readonly round?: number;
  readonly phase?: 'main' | 'echo';
}

function matches(f: MessageFilter, d: Delivery, e: Envelope): boolean {
  return (
    (f.from === undefined || f.from === d.from) &&
    (f.to === undefined || f.to === d.to) &&
    (f.round === undefined || f.round === e.round) &&
    (f.phase === undefined || f.phase === e.phase)
  );
}

export const dropWhere =
  (f: MessageFilter): Interceptor =>
  (d) =>
    matches(f, d, d.envelope) ? [] : undefined;

export const duplicateWhere =
  (f: MessageFilter): Interceptor =>
  (d) =>
    matches(f, d, d.envelope) ? [strip(d), strip(d)] : undefined;

export const delayWhere =
  (f: MessageFilter, ticks: number): Interceptor =>
  (d) =>
    matches(f, d, d.envelope) ? [{ ...strip(d), delay: ticks }] : undefined;

/** Rewrites the envelope (e.g. its payload) of matching messages; the result is re-encoded canonically. */
export const tamperWhere =
  (f: MessageFilter, edit: (e: Envelope) => Envelope): Interceptor =>
  (d) =>
    matches(f, d, d.envelope)
      ? [{ ...strip(d), bytes: encodeEnvelope(edit(d.envelope)) }]
      : undefined;

/** Tampers with one field of a JSON payload object: `edit` gets the old field value. */
export function tamperField(
  f: MessageFilter,
  field: string,
  edit: (old: c.Json) => c.Json,
): Interceptor {
  return tamperWhere(f, (e) => {
    const payload = e.payload as Record<string, c.Json>;
    if (typeof payload !== 'object' || payload === null || !(field in payload))
      throw new Error(`tamperField: payload has no field ${field}`);
    return { ...e, payload: { ...payload, [field]: edit(payload[field] as c.Json) } };
  });
}

/** Flips the lowest bit of the last hex digit of a hex string (keeps it canonical when possible). */
export function flipHex(h: c.Json): c.Json {
  if (typeof h !== 'string' || h.length === 0) throw new Error('flipHex: expected a hex string');
  const last = parseInt(h.slice(-1), 16) ^ 1;
  return h.slice(0, -1) + last.toString(16);
}

function strip(d: Delivery & { envelope?: Envelope }): Delivery {
  return d.delay === undefined
    ? { from: d.from, to: d.to, bytes: d.bytes }
    : { from: d.from, to: d.to, bytes: d.bytes, delay: d.delay };
}
