/**
 * The one error type of the callback protocol (docs/callback-protocol.md), used on both sides:
 * by the handler SDK when it checks a co-signer's request, and by the co-signer's callback client
 * when it checks a handler's answer. `kind` says what failed; `field` names the claim that failed
 * validation; `handler` names the handler (client side only). Messages never carry a token or a key.
 */
export type CallbackErrorKind =
  /** The JWT signature does not verify under the configured key, or uses another algorithm. */
  | 'bad-signature'
  /** Not a JWT, or a claim is missing, has the wrong type or an unknown value. */
  | 'malformed'
  /** The JWT is expired or not yet valid. */
  | 'expired'
  /** The response answers another request than the one sent. */
  | 'request-id-mismatch'
  /** The action is not allowed for this request kind (IGNORE on a transaction request). */
  | 'action-not-allowed'
  /** No answer within the time limit. */
  | 'timeout'
  /** The handler answered with a non-2xx HTTP status. */
  | 'http-status'
  /** Connection refused, reset, DNS failure… */
  | 'network'
  /** The handler kept answering RETRY until the retry schedule ran out. */
  | 'retry-exhausted'
  /** The request was cancelled because another handler already rejected it. */
  | 'cancelled';

export class CallbackError extends Error {
  override readonly name = 'CallbackError';
  readonly kind: CallbackErrorKind;
  readonly field: string | undefined;
  readonly handler: string | undefined;

  constructor(
    kind: CallbackErrorKind,
    message: string,
    opts: { field?: string; handler?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.field = opts.field;
    this.handler = opts.handler;
  }

  /** The same error, attributed to a handler (the client adds this once it knows which). */
  forHandler(handler: string): CallbackError {
    const opts: { field?: string; handler: string; cause?: unknown } = { handler };
    if (this.field !== undefined) opts.field = this.field;
    if (this.cause !== undefined) opts.cause = this.cause;
    return new CallbackError(this.kind, `handler ${handler}: ${this.message}`, opts);
  }
}
