/**
 * The session engine: runs one party of a {@link ProtocolDefinition} over envelopes.
 *
 * Message handling (docs/ARCHITECTURE.md, "Runtime"):
 *  - dropped with no state change: undecodable envelope, wrong session, wrong protocol or
 *    version, unknown sender (or ourselves), not addressed to us, wrong kind for the round,
 *    unknown round, a past round, a second message from the same sender for the same round;
 *  - a message for a future round is queued (one per sender and round) and replayed in order;
 *  - a message of the current round is decoded strictly and verified by the protocol without
 *    changing protocol state; a failure is recorded as a fault of the sender;
 *  - when the round is complete, every fault of the round is reported at once (blame with
 *    evidence), otherwise reliable-broadcast rounds run their echo phase, then the protocol
 *    finishes the round.
 */
import * as c from './codec.ts';
import { decodeEnvelope, encodeEnvelope, messageId } from './envelope.ts';
import type { Envelope, Phase } from './envelope.ts';
import { DecodeError, ProtocolError } from './errors.ts';
import type { Blame } from './errors.ts';
import { normalizeParties } from './ids.ts';
import type { PartyId } from './ids.ts';
import type {
  Outgoing,
  PartyContext,
  ProtocolDefinition,
  ProtocolMachine,
  RoundDecl,
} from './protocol.ts';
import { cryptoRng } from './rng.ts';
import type { Rng } from './rng.ts';

export type DropReason =
  | 'malformed'
  | 'wrong-session'
  | 'wrong-protocol'
  | 'unknown-sender'
  | 'not-addressed-to-me'
  | 'wrong-kind'
  | 'unknown-round'
  | 'past-round'
  | 'duplicate'
  | 'finished';

export type ReceiveResult =
  | { readonly status: 'accepted' }
  | { readonly status: 'queued' }
  | { readonly status: 'dropped'; readonly reason: DropReason; readonly detail?: string };

export type SessionStatus = 'running' | 'done' | 'failed';

export interface SessionOptions<Config> {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  readonly parties: readonly PartyId[];
  readonly threshold?: number;
  /** Defaults to the CSPRNG. Tests may inject a seeded generator. */
  readonly rng?: Rng;
  readonly config: Config;
}

export interface SentMessage {
  readonly envelope: Envelope;
  readonly bytes: Uint8Array;
  readonly id: string;
}

export interface SessionSnapshot {
  readonly status: SessionStatus;
  readonly round: number;
  readonly phase: Phase;
  readonly received: readonly PartyId[];
  readonly queued: number;
}

const echoSchema = c.object({
  digests: c.array(c.object({ party: c.uint({ min: 1, max: 1024 }), id: c.bytes({ len: 32 }) }), {
    max: 1024,
  }),
});
type EchoPayload = c.Infer<typeof echoSchema>;

interface Received {
  readonly payload: unknown;
  readonly id: string;
}

export class Session<Out> {
  readonly sessionHex: string;
  readonly self: PartyId;
  readonly parties: readonly PartyId[];
  private readonly machine: ProtocolMachine<Out>;
  private readonly maxBytes: number;
  private statusValue: SessionStatus = 'running';
  private roundValue = 1;
  private phaseValue: Phase = 'main';
  private started = false;
  private received = new Map<PartyId, Received>();
  private faults: Blame[] = [];
  private readonly queue = new Map<number, Map<PartyId, { env: Envelope; id: string }>>();
  private readonly outbox: SentMessage[] = [];
  /** Ids of the broadcasts of the current reliable round, by sender (self included). */
  private broadcastIds = new Map<PartyId, string>();
  private outputValue: Out | undefined;
  private errorValue: ProtocolError | undefined;

  private constructor(
    private readonly def: ProtocolDefinition<Out, never>,
    ctx: PartyContext,
    machine: ProtocolMachine<Out>,
  ) {
    this.sessionHex = Buffer.from(ctx.sessionId).toString('hex');
    this.self = ctx.self;
    this.parties = ctx.parties;
    this.machine = machine;
    this.maxBytes = def.maxMessageBytes ?? 1 << 20;
  }

  static create<Out, Config>(
    def: ProtocolDefinition<Out, Config>,
    opts: SessionOptions<Config>,
  ): Session<Out> {
    if (opts.sessionId.length !== 32) throw new RangeError('sessionId: expected 32 bytes');
    const parties = normalizeParties(opts.parties);
    if (!parties.includes(opts.self))
      throw new RangeError(`self: party ${opts.self} is not in the party set`);
    if (def.rounds.length === 0 || def.rounds.length > 64)
      throw new RangeError(`${def.id}: a protocol has 1..64 rounds`);
    const ctx: PartyContext = Object.freeze({
      sessionId: Uint8Array.from(opts.sessionId),
      protocol: def.id,
      self: opts.self,
      parties,
      threshold: opts.threshold,
      rng: opts.rng ?? cryptoRng,
    });
    const machine = def.create(ctx, opts.config);
    return new Session(def as ProtocolDefinition<Out, never>, ctx, machine);
  }

  get status(): SessionStatus {
    return this.statusValue;
  }
  get round(): number {
    return this.roundValue;
  }
  get phase(): Phase {
    return this.phaseValue;
  }
  /** The protocol's output once `status` is 'done'. */
  get output(): Out | undefined {
    return this.outputValue;
  }
  get error(): ProtocolError | undefined {
    return this.errorValue;
  }

  snapshot(): SessionSnapshot {
    let queued = 0;
    for (const q of this.queue.values()) queued += q.size;
    return {
      status: this.statusValue,
      round: this.roundValue,
      phase: this.phaseValue,
      received: [...this.received.keys()].sort((a, b) => a - b),
      queued,
    };
  }

  /** Emits round 1. Call once. */
  start(): void {
    if (this.started) throw ProtocolError.bug(`${this.def.id}: session started twice`);
    this.started = true;
    this.guard(() => this.send(1, this.machine.start()));
  }

  /** Messages produced since the last call, in order. */
  takeOutgoing(): SentMessage[] {
    return this.outbox.splice(0, this.outbox.length);
  }

  /** Handles one message from the transport. Never throws for bad input. */
  receive(data: Uint8Array): ReceiveResult {
    if (this.statusValue !== 'running' || !this.started) return drop('finished');
    let env: Envelope;
    try {
      env = decodeEnvelope(data, this.maxBytes);
    } catch (e) {
      return drop('malformed', e instanceof Error ? e.message : 'undecodable');
    }
    if (env.session !== this.sessionHex) return drop('wrong-session');
    if (env.protocol !== this.def.id || env.version !== this.def.version)
      return drop('wrong-protocol');
    if (env.from === this.self || !this.parties.includes(env.from)) return drop('unknown-sender');
    const decl = this.def.rounds[env.round - 1];
    if (!decl || (env.phase === 'echo' && !isReliable(decl))) return drop('unknown-round');
    if (env.to !== null && env.to !== this.self) return drop('not-addressed-to-me');
    const broadcast = env.phase === 'echo' || decl.kind === 'broadcast';
    if (broadcast !== (env.to === null)) return drop('wrong-kind');
    const ord = ordinal(env.round, env.phase);
    const current = ordinal(this.roundValue, this.phaseValue);
    if (ord < current) return drop('past-round');
    const id = messageId(data);
    if (ord > current) {
      let slot = this.queue.get(ord);
      if (!slot) this.queue.set(ord, (slot = new Map()));
      if (slot.has(env.from)) return drop('duplicate');
      slot.set(env.from, { env, id });
      return { status: 'queued' };
    }
    if (this.received.has(env.from)) return drop('duplicate');
    this.guard(() => this.accept(env, id));
    return { status: 'accepted' };
  }

  /** The transport gave up waiting: fail with an I/O time-out naming the missing parties. */
  timeout(): void {
    if (this.statusValue !== 'running') return;
    const missing = this.parties.filter((p) => p !== this.self && !this.received.has(p));
    this.fail(ProtocolError.timeout(missing, { protocol: this.def.id, round: this.roundValue }));
  }

  private accept(env: Envelope, id: string): void {
    const decl = this.def.rounds[this.roundValue - 1] as RoundDecl;
    if (this.phaseValue === 'echo') {
      this.acceptEcho(env, id);
    } else {
      let payload: unknown;
      try {
        payload = c.parseCanonical(decl.payload, env.payload, 'payload');
        const reason = this.machine.verify?.(this.roundValue, env.from, payload);
        if (reason !== undefined) this.faults.push({ party: env.from, reason, evidence: [id] });
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.faults.push({
          party: env.from,
          reason: `malformed message: ${e.message}`,
          evidence: [id],
        });
      }
      this.received.set(env.from, { payload, id });
      if (isReliable(decl)) this.broadcastIds.set(env.from, id);
    }
    if (this.received.size === this.parties.length - 1) this.completePhase();
  }

  private acceptEcho(env: Envelope, id: string): void {
    let echo: EchoPayload;
    try {
      echo = c.parseCanonical(echoSchema, env.payload, 'payload');
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.faults.push({ party: env.from, reason: `malformed echo: ${e.message}`, evidence: [id] });
      this.received.set(env.from, { payload: undefined, id });
      return;
    }
    this.received.set(env.from, { payload: echo, id });
    const seen = new Map(echo.digests.map((d) => [d.party, Buffer.from(d.id).toString('hex')]));
    if (seen.size !== this.parties.length || echo.digests.length !== this.parties.length) {
      this.faults.push({
        party: env.from,
        reason: 'echo does not list every party exactly once',
        evidence: [id],
      });
      return;
    }
    for (const p of this.parties) {
      const mine = this.broadcastIds.get(p);
      const theirs = seen.get(p);
      if (theirs === undefined) {
        this.faults.push({ party: env.from, reason: `echo omits party ${p}`, evidence: [id] });
      } else if (theirs !== mine) {
        // Party p sent different broadcasts to us and to env.from. We know our own message, so
        // a mismatch on it means the echoer (or its link) is at fault.
        const culprit = p === this.self ? env.from : p;
        if (!this.faults.some((f) => f.party === culprit)) {
          this.faults.push({
            party: culprit,
            reason: `equivocation: party ${p}'s round ${this.roundValue} broadcast differs between party ${this.self} and party ${env.from}`,
            evidence: [mine ?? '', theirs, id].filter((x) => x !== ''),
          });
        }
      }
    }
  }

  private completePhase(): void {
    const round = this.roundValue;
    const decl = this.def.rounds[round - 1] as RoundDecl;
    if (this.faults.length > 0) {
      this.fail(ProtocolError.aborted(this.faults, { protocol: this.def.id, round }));
      return;
    }
    if (this.phaseValue === 'main' && isReliable(decl)) {
      const inbox = this.received;
      this.phaseValue = 'echo';
      this.received = new Map();
      const digests = [...this.broadcastIds.entries()]
        .sort(([a], [b]) => a - b)
        .map(([party, hex]) => ({ party, id: Uint8Array.from(Buffer.from(hex, 'hex')) }));
      this.pendingInbox = inbox;
      this.emit(round, 'echo', null, echoSchema.encode({ digests }));
      this.drainQueue();
      return;
    }
    const inbox =
      this.phaseValue === 'echo' ? (this.pendingInbox as Map<PartyId, Received>) : this.received;
    this.pendingInbox = undefined;
    const payloads = new Map([...inbox.entries()].map(([p, r]) => [p, r.payload]));
    const result = this.machine.finish(round, payloads);
    if ('abort' in result) {
      const blame = result.abort.map((f) => ({
        ...f,
        evidence: [inbox.get(f.party)?.id ?? ''].filter((x) => x !== ''),
      }));
      this.fail(ProtocolError.aborted(blame, { protocol: this.def.id, round }));
      return;
    }
    if ('output' in result) {
      // A protocol may end before its last declared round (e.g. when optional identification
      // rounds are not needed); it must base that decision on reliably broadcast data so that
      // every honest party decides alike.
      this.outputValue = result.output;
      this.statusValue = 'done';
      this.queue.clear();
      return;
    }
    if (round === this.def.rounds.length)
      throw ProtocolError.bug(`${this.def.id}: last round produced no output`);
    this.roundValue = round + 1;
    this.phaseValue = 'main';
    this.received = new Map();
    this.faults = [];
    this.broadcastIds = new Map();
    this.send(this.roundValue, result.next);
    this.drainQueue();
  }

  private pendingInbox: Map<PartyId, Received> | undefined;

  private drainQueue(): void {
    const ord = ordinal(this.roundValue, this.phaseValue);
    const slot = this.queue.get(ord);
    if (!slot) return;
    this.queue.delete(ord);
    for (const [from, { env, id }] of [...slot.entries()].sort(([a], [b]) => a - b)) {
      if (this.statusValue !== 'running' || ordinal(this.roundValue, this.phaseValue) !== ord)
        break;
      if (!this.received.has(from)) this.accept(env, id);
    }
  }

  private send(round: number, msgs: readonly Outgoing[]): void {
    const decl = this.def.rounds[round - 1];
    if (!decl) throw ProtocolError.bug(`${this.def.id}: no round ${round}`);
    const others = this.parties.filter((p) => p !== this.self);
    if (decl.kind === 'broadcast') {
      if (msgs.length !== 1 || msgs[0]?.to !== 'all')
        throw ProtocolError.bug(
          `${this.def.id} round ${round}: a broadcast round sends exactly one message to 'all'`,
        );
    } else {
      const targets = msgs.map((m) => m.to).sort((a, b) => Number(a) - Number(b));
      if (targets.length !== others.length || targets.some((t, i) => t !== others[i])) {
        throw ProtocolError.bug(
          `${this.def.id} round ${round}: a p2p round sends one message to each other party`,
        );
      }
    }
    for (const m of msgs) {
      const sent = this.emit(
        round,
        'main',
        m.to === 'all' ? null : m.to,
        decl.payload.encode(m.payload),
      );
      if (isReliable(decl)) this.broadcastIds.set(this.self, sent.id);
    }
  }

  private emit(round: number, phase: Phase, to: PartyId | null, payload: c.Json): SentMessage {
    const envelope: Envelope = {
      v: 1,
      session: this.sessionHex,
      protocol: this.def.id,
      version: this.def.version,
      round,
      phase,
      from: this.self,
      to,
      payload,
    };
    const bytes = encodeEnvelope(envelope);
    if (bytes.length > this.maxBytes)
      throw ProtocolError.bug(
        `${this.def.id} round ${round}: message of ${bytes.length} bytes exceeds maxMessageBytes`,
      );
    const sent = { envelope, bytes, id: messageId(bytes) };
    this.outbox.push(sent);
    return sent;
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof ProtocolError) this.fail(e);
      else
        this.fail(
          ProtocolError.bug(
            `${this.def.id} round ${this.roundValue}: ${e instanceof Error ? e.message : String(e)}`,
            { protocol: this.def.id, round: this.roundValue },
          ),
        );
    }
  }

  private fail(err: ProtocolError): void {
    // Honest parties release nothing after an abort: drop anything not yet sent.
    this.outbox.length = 0;
    this.queue.clear();
    this.errorValue = err;
    this.statusValue = 'failed';
  }
}

function isReliable(decl: RoundDecl): boolean {
  return decl.kind === 'broadcast' && decl.reliable === true;
}

function ordinal(round: number, phase: Phase): number {
  return round * 2 + (phase === 'echo' ? 1 : 0);
}

function drop(reason: DropReason, detail?: string): ReceiveResult {
  return detail === undefined
    ? { status: 'dropped', reason }
    : { status: 'dropped', reason, detail };
}
