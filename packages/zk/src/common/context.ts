/**
 * What every CGGMP21 proof (eprint 2021/060, Section 4 and Appendix C) shares: the context a proof
 * is bound to, the verification outcome and the Fiat-Shamir transcript.
 *
 * TSSHOCK (CVE-2022-47930/47931) broke deployments whose challenges were not bound to the session
 * or whose hash input was ambiguous. So every challenge here comes from the runtime's injective
 * transcript, seeded with the session id, the security level and the optional extra binding, and
 * forked for the prover's id; each proof then absorbs its public input and its commitments.
 */
import { Transcript } from '@quorate/runtime';
import type { PartyId } from '@quorate/runtime';
import type { SecurityLevel } from '@quorate/paillier';

export interface ProofContext {
  /** Binds the proof to the session (TSSHOCK). */
  readonly sessionId: Uint8Array;
  /** Binds the proof to the prover. */
  readonly prover: PartyId;
  /** Iteration counts and ranges come from here, never from a message. */
  readonly level: SecurityLevel;
  /** Optional additional binding, e.g. protocol id, round or rid. */
  readonly extra?: Uint8Array;
}

/** `check` is a short stable code naming the failed check, e.g. 'z1-range', 'equation-2'. */
export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly check: string };

export const OK: VerifyResult = Object.freeze({ ok: true });

export function reject(check: string): VerifyResult {
  return { ok: false, check };
}

/**
 * Transcript for one proof: domain tag, session id, level, extra binding, then a fork for the
 * prover. `domain` names the proof and its version, e.g. 'quorate/zk/enc/v1'.
 */
export function proofTranscript(domain: string, ctx: ProofContext): Transcript {
  const t = Transcript.create(domain);
  t.appendBytes('session', ctx.sessionId);
  t.appendString('level', ctx.level.name);
  // Presence flag first, so "no extra" and "empty extra" are different transcripts.
  t.appendUint('extra-present', ctx.extra === undefined ? 0 : 1);
  if (ctx.extra !== undefined) t.appendBytes('extra', ctx.extra);
  return t.fork('prover', ctx.prover);
}
