/**
 * The message envelope: what travels between parties (and what the hub relays without reading).
 * Binds every protocol message to its session id, protocol id and version, round, phase, sender
 * and receiver (`to: null` is a broadcast). The hub imports this module only.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import * as c from './codec.ts';
import type { Json } from './codec.ts';
import { MAX_PARTIES } from './ids.ts';
import type { PartyId } from './ids.ts';

/** Largest encoded envelope any party accepts, before parsing (1 MiB). */
export const MAX_ENVELOPE_BYTES = 1 << 20;

/** `main`: a protocol round's message; `echo`: the reliable-broadcast echo of that round. */
export type Phase = 'main' | 'echo';

export interface Envelope {
  readonly v: 1;
  /** 32 random bytes, hex; fresh for every run, never reused (a retry is a new session). */
  readonly session: string;
  readonly protocol: string;
  readonly version: number;
  readonly round: number;
  readonly phase: Phase;
  readonly from: PartyId;
  /** The receiver, or null for a broadcast. */
  readonly to: PartyId | null;
  readonly payload: Json;
}

const party = c.uint({ min: 1, max: MAX_PARTIES });

export const envelopeSchema: c.Schema<Envelope> = c.object({
  v: c.literal(1),
  session: c.string({ max: 64, pattern: /^[0-9a-f]{64}$/ }),
  protocol: c.string({ max: 64, pattern: /^[a-z0-9][a-z0-9./-]*$/ }),
  version: c.uint({ min: 1, max: 0xffff }),
  round: c.uint({ min: 1, max: 64 }),
  phase: c.oneOf(['main', 'echo'] as const),
  from: party,
  to: c.nullable(party),
  payload: c.rawJson(),
}) as c.Schema<Envelope>;

export function encodeEnvelope(e: Envelope): Uint8Array {
  return c.encodeCanonical(envelopeSchema, e);
}

/** Strict decode of untrusted bytes; throws DecodeError naming the field. */
export function decodeEnvelope(data: Uint8Array, maxBytes = MAX_ENVELOPE_BYTES): Envelope {
  return c.decodeCanonical(envelopeSchema, data, maxBytes);
}

/** A message's id: sha256 of its canonical encoding, hex. Used as evidence in blame. */
export function messageId(encoded: Uint8Array): string {
  return Buffer.from(sha256(encoded)).toString('hex');
}
