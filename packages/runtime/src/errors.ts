/**
 * The one public error of every protocol run, in three kinds (after the cggmp21 / round-based
 * error model, see docs/ARCHITECTURE.md):
 *  - `aborted`: another party misbehaved. Carries blame: every culprit of the round, each with the
 *    ids of the messages that prove it. Never retry blindly with the same parties.
 *  - `io`: a transport failure or a time-out. Carries the parties we were still waiting for.
 *    Safe to retry in a fresh session.
 *  - `bug`: our own fault (an invariant of this code broke). Names the value, never a secret.
 *
 * Decoding errors of untrusted data are a separate type, {@link DecodeError}, which names the
 * field that failed; the session turns it into blame when the data came from a known party.
 */
import type { PartyId } from './ids.ts';

export type ProtocolErrorKind = 'aborted' | 'io' | 'bug';

export interface Blame {
  /** The misbehaving party. */
  readonly party: PartyId;
  /** What the party did wrong, in words (never a secret value). */
  readonly reason: string;
  /** Ids (sha256 of the encoded envelope, hex) of the messages that prove it. */
  readonly evidence: readonly string[];
}

export interface ProtocolErrorContext {
  readonly protocol?: string;
  readonly round?: number;
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly kind: ProtocolErrorKind;
  readonly blame: readonly Blame[];
  readonly timeout: boolean;
  /** For `io`: the parties whose messages never came. */
  readonly missing: readonly PartyId[];
  readonly protocol: string | undefined;
  readonly round: number | undefined;

  private constructor(
    kind: ProtocolErrorKind,
    message: string,
    opts: {
      blame?: readonly Blame[];
      timeout?: boolean;
      missing?: readonly PartyId[];
      ctx?: ProtocolErrorContext;
      cause?: unknown;
    },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.blame = Object.freeze([...(opts.blame ?? [])].sort((a, b) => a.party - b.party));
    this.timeout = opts.timeout ?? false;
    this.missing = Object.freeze([...(opts.missing ?? [])].sort((a, b) => a - b));
    this.protocol = opts.ctx?.protocol;
    this.round = opts.ctx?.round;
  }

  /** Another party misbehaved; `blame` lists every culprit found in the round. */
  static aborted(blame: readonly Blame[], ctx: ProtocolErrorContext = {}): ProtocolError {
    if (blame.length === 0) throw ProtocolError.bug('an abort must name at least one culprit');
    const who = [...new Set(blame.map((b) => b.party))].sort((a, b) => a - b).join(', ');
    const where = ctx.protocol
      ? ` in ${ctx.protocol}${ctx.round ? ` round ${ctx.round}` : ''}`
      : '';
    return new ProtocolError(
      'aborted',
      `protocol aborted${where}: party ${who} misbehaved (${blame[0]?.reason})`,
      { blame, ctx },
    );
  }

  static timeout(missing: readonly PartyId[], ctx: ProtocolErrorContext = {}): ProtocolError {
    const where = ctx.protocol
      ? ` in ${ctx.protocol}${ctx.round ? ` round ${ctx.round}` : ''}`
      : '';
    return new ProtocolError(
      'io',
      `timed out${where} waiting for part${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')}; retry in a fresh session`,
      {
        timeout: true,
        missing,
        ctx,
      },
    );
  }

  static io(message: string, cause?: unknown, ctx: ProtocolErrorContext = {}): ProtocolError {
    return new ProtocolError('io', message, { ctx, cause });
  }

  static bug(message: string, ctx: ProtocolErrorContext = {}): ProtocolError {
    return new ProtocolError('bug', `internal error (please report): ${message}`, { ctx });
  }

  /** The parties blamed, sorted and without repeats. */
  get culprits(): PartyId[] {
    return [...new Set(this.blame.map((b) => b.party))].sort((a, b) => a - b);
  }

  /** Only I/O failures may be retried automatically (in a fresh session). */
  get retryable(): boolean {
    return this.kind === 'io';
  }
}

/** Untrusted data did not match its schema. `path` names the field, e.g. `payload.K[2]`. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`invalid ${path || 'value'}: expected ${expected}`);
  }
}
