/**
 * How a protocol is written for the runtime. A protocol is a pure state machine: it declares its
 * rounds up front (broadcast or point-to-point, with the payload schema of each), produces the
 * messages of round 1, checks single messages without changing state, and, when a round is
 * complete, returns the next round's messages, its output, or an abort naming the culprits.
 * It does no I/O; its randomness comes from `ctx.rng`.
 */
import type { Schema } from './codec.ts';
import type { PartyId } from './ids.ts';
import type { Rng } from './rng.ts';

export interface RoundDecl {
  readonly name: string;
  readonly kind: 'broadcast' | 'p2p';
  /** Schema of the payload; decoding is strict (unknown fields, wrong types, oversize). */
  readonly payload: Schema<unknown>;
  /** Broadcast rounds only: run an echo round so equivocation is caught and its sender named. */
  readonly reliable?: boolean;
}

export interface PartyContext {
  readonly sessionId: Uint8Array;
  readonly protocol: string;
  readonly self: PartyId;
  /** Every party of this run, sorted, including self. */
  readonly parties: readonly PartyId[];
  readonly threshold: number | undefined;
  readonly rng: Rng;
}

export interface Outgoing {
  /** The receiver, or 'all' in a broadcast round. */
  readonly to: PartyId | 'all';
  readonly payload: unknown;
}

export interface Fault {
  readonly party: PartyId;
  readonly reason: string;
}

export type RoundResult<Out> =
  | { readonly next: readonly Outgoing[] }
  | { readonly output: Out }
  | { readonly abort: readonly Fault[] };

/** Messages of one completed round, by sender (self excluded), decoded by the round's schema. */
export type Inbox = ReadonlyMap<PartyId, unknown>;

export interface ProtocolMachine<Out> {
  /** The messages of round 1. */
  start(): readonly Outgoing[];
  /**
   * Checks one decoded message of `round` from `from`. Must not change any state: return a
   * reason to blame the sender, or undefined if the message is acceptable so far.
   */
  verify?(round: number, from: PartyId, payload: unknown): string | undefined;
  /**
   * Called once every message of `round` has arrived and passed `verify`. May return the output
   * before the last declared round (later rounds are then optional, e.g. blame identification).
   */
  finish(round: number, inbox: Inbox): RoundResult<Out>;
}

export interface ProtocolDefinition<Out, Config = void> {
  /** Lower-case id, e.g. "frost-ed25519/sign". */
  readonly id: string;
  readonly version: number;
  /** Round 1 is rounds[0]. */
  readonly rounds: readonly RoundDecl[];
  /** Largest message the protocol ever sends, in bytes (envelope included). */
  readonly maxMessageBytes?: number;
  create(ctx: PartyContext, config: Config): ProtocolMachine<Out>;
}
