/**
 * @quorate/runtime — the round-based protocol runtime every Quorate protocol runs on.
 * See README.md and docs/ARCHITECTURE.md.
 */
export * as codec from './codec.ts';
export type { Json, Schema, Infer } from './codec.ts';
export { DecodeError, ProtocolError } from './errors.ts';
export type { Blame, ProtocolErrorKind } from './errors.ts';
export { isPartyId, normalizeParties, MAX_PARTIES } from './ids.ts';
export type { PartyId } from './ids.ts';
export { decodeEnvelope, encodeEnvelope, messageId, MAX_ENVELOPE_BYTES } from './envelope.ts';
export type { Envelope, Phase } from './envelope.ts';
export type {
  Fault,
  Inbox,
  Outgoing,
  PartyContext,
  ProtocolDefinition,
  ProtocolMachine,
  RoundDecl,
  RoundResult,
} from './protocol.ts';
export { cryptoRng, randomBelow, randomSigned } from './rng.ts';
export type { Rng } from './rng.ts';
export { Session } from './session.ts';
export type {
  DropReason,
  ReceiveResult,
  SentMessage,
  SessionOptions,
  SessionSnapshot,
  SessionStatus,
} from './session.ts';
export { Transcript, bigintBytes, bytesToBigInt } from './transcript.ts';
export type { TranscriptContext } from './transcript.ts';
export { coinToss } from './toy/coin-toss.ts';
export type { CoinTossOutput } from './toy/coin-toss.ts';
export { commitDecision } from './commit-rule.ts';
export type { CommitDecision } from './commit-rule.ts';
