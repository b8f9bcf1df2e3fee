/**
 * The co-signer's side of the callback protocol (docs/callback-protocol.md): ask every handler
 * configured for the API user, and combine their answers.
 *
 * Semantics, after the Fireblocks API Co-signer (seed 000) and the Cobo TSS Node (seed 004):
 *  - every handler is asked, in parallel, with the same request claims;
 *  - an attempt with no answer within `timeoutMs` (30 s by default) fails the request;
 *  - RETRY is asked again after the next delay of `retryDelaysMs`, with identical claims (same
 *    requestId, freshly signed so iat/exp stay valid); when the schedule runs out, it fails;
 *  - REJECT is final and any one REJECT denies: the other handlers' requests are cancelled;
 *  - a response whose signature, claims, requestId or action do not check is a typed
 *    CallbackError and denies, like any failure;
 *  - with no handler configured the callbacks do not take part: the outcome is `no-handler` and
 *    the embedded rules alone decide (see decision.ts).
 */
import {
  CALLBACK_PATHS,
  CallbackError,
  signConfigChangeRequest,
  signTxSignRequest,
  verifyResponse,
} from '@quorate/callback';
import type {
  CallbackAction,
  CallbackKey,
  ConfigChangeRequestBody,
  RequestKind,
  TimeOptions,
  TxSignRequestBody,
} from '@quorate/callback';

export interface HandlerConfig {
  /** A name for logs, metrics and errors (e.g. the URL host). */
  readonly id: string;
  /** Base URL; the endpoint path is appended. */
  readonly url: string;
  /** The handler's public key, with the algorithm it signs with. */
  readonly publicKey: CallbackKey;
}

export interface CallbackObserver {
  /** One HTTP attempt finished (answer, error or time-out), `seconds` after it started. */
  attempt?(handler: string, outcome: CallbackAction | CallbackError['kind'], seconds: number): void;
}

export interface CallbackClientOptions {
  /** The co-signer's callback signing key. */
  readonly signingKey: CallbackKey;
  /** Per attempt; default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Delays before each new attempt after a RETRY; its length bounds the retries. */
  readonly retryDelaysMs?: readonly number[];
  readonly fetch?: typeof fetch;
  readonly time?: TimeOptions;
  readonly observer?: CallbackObserver;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  1_000, 2_000, 5_000, 10_000, 20_000,
]);

export type HandlerOutcome =
  | {
      readonly handler: string;
      readonly action: CallbackAction;
      readonly rejectionReason?: string;
      readonly attempts: number;
    }
  | { readonly handler: string; readonly error: CallbackError; readonly attempts: number };

export type CallbackOutcome = 'approve' | 'reject' | 'ignore' | 'fail' | 'no-handler';

export interface CallbackDecision {
  /** reject > fail > ignore > approve; `no-handler` when none is configured. */
  readonly outcome: CallbackOutcome;
  /** True for `approve` and `no-handler`. */
  readonly approved: boolean;
  readonly handlers: readonly HandlerOutcome[];
}

class Cancelled extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function combineOutcomes(handlers: readonly HandlerOutcome[]): CallbackDecision {
  if (handlers.length === 0) return { outcome: 'no-handler', approved: true, handlers };
  const actions = handlers.map((h) => ('action' in h ? h.action : 'ERROR'));
  const outcome: CallbackOutcome = actions.includes('REJECT')
    ? 'reject'
    : actions.includes('ERROR')
      ? 'fail'
      : actions.includes('IGNORE')
        ? 'ignore'
        : 'approve';
  return { outcome, approved: outcome === 'approve', handlers };
}

export class CallbackClient {
  readonly #opts: CallbackClientOptions;
  readonly #timeoutMs: number;
  readonly #delays: readonly number[];
  readonly #fetch: typeof fetch;

  constructor(opts: CallbackClientOptions) {
    this.#opts = opts;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#delays = [...(opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)];
    this.#fetch = opts.fetch ?? fetch;
    if (!(this.#timeoutMs > 0)) throw new TypeError('timeoutMs must be positive');
    if (this.#delays.some((d) => !(d >= 0)))
      throw new TypeError('retryDelaysMs must be non-negative');
  }

  /** Asks every handler about a keygen/sign/reshare/refresh request. */
  txSignRequest(
    handlers: readonly HandlerConfig[],
    body: TxSignRequestBody,
  ): Promise<CallbackDecision> {
    return this.#askAll(handlers, 'tx_sign_request', body.requestId, () =>
      signTxSignRequest(body, this.#opts.signingKey, this.#opts.time),
    );
  }

  /** Asks every handler about a configuration change (IGNORE is allowed here). */
  configChangeRequest(
    handlers: readonly HandlerConfig[],
    body: ConfigChangeRequestBody,
  ): Promise<CallbackDecision> {
    return this.#askAll(handlers, 'config_change_sign_request', body.requestId, () =>
      signConfigChangeRequest(body, this.#opts.signingKey, this.#opts.time),
    );
  }

  async #askAll(
    handlers: readonly HandlerConfig[],
    kind: RequestKind,
    requestId: string,
    token: () => Promise<string>,
  ): Promise<CallbackDecision> {
    const cancel = new AbortController();
    const outcomes = await Promise.all(
      handlers.map(async (h) => {
        const o = await this.#askOne(h, kind, requestId, token, cancel.signal);
        // Any one REJECT denies: stop waiting for the others.
        if ('action' in o && o.action === 'REJECT') cancel.abort();
        return o;
      }),
    );
    return combineOutcomes(outcomes);
  }

  async #askOne(
    h: HandlerConfig,
    kind: RequestKind,
    requestId: string,
    token: () => Promise<string>,
    cancel: AbortSignal,
  ): Promise<HandlerOutcome> {
    let attempts = 0;
    try {
      for (;;) {
        attempts++;
        const res = await this.#attempt(h, kind, requestId, await token(), cancel);
        if (res.action !== 'RETRY') {
          const out: {
            handler: string;
            action: CallbackAction;
            rejectionReason?: string;
            attempts: number;
          } = {
            handler: h.id,
            action: res.action,
            attempts,
          };
          if (res.rejectionReason !== undefined) out.rejectionReason = res.rejectionReason;
          return out;
        }
        const delay = this.#delays[attempts - 1];
        if (delay === undefined)
          throw new CallbackError('retry-exhausted', `still RETRY after ${attempts} attempts`, {
            handler: h.id,
          });
        await sleep(delay, cancel);
      }
    } catch (e) {
      if (e instanceof Cancelled)
        return {
          handler: h.id,
          error: new CallbackError('cancelled', 'another handler rejected', { handler: h.id }),
          attempts,
        };
      if (e instanceof CallbackError)
        return { handler: h.id, error: e.handler ? e : e.forHandler(h.id), attempts };
      throw e;
    }
  }

  async #attempt(
    h: HandlerConfig,
    kind: RequestKind,
    requestId: string,
    jwt: string,
    cancel: AbortSignal,
  ) {
    const started = performance.now();
    const report = (outcome: CallbackAction | CallbackError['kind']) =>
      this.#opts.observer?.attempt?.(h.id, outcome, (performance.now() - started) / 1000);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = AbortSignal.any([timeout.signal, cancel]);
    try {
      let body: string;
      try {
        const r = await this.#fetch(h.url.replace(/\/+$/, '') + CALLBACK_PATHS[kind], {
          method: 'POST',
          headers: { 'content-type': 'application/jwt' },
          body: jwt,
          signal,
          redirect: 'error',
        });
        if (r.status < 200 || r.status > 299) {
          await r.body?.cancel();
          throw new CallbackError('http-status', `HTTP ${r.status}`, { handler: h.id });
        }
        body = await r.text();
      } catch (e) {
        if (e instanceof CallbackError) throw e;
        if (cancel.aborted) throw new Cancelled();
        if (timeout.signal.aborted)
          throw new CallbackError('timeout', `no answer within ${this.#timeoutMs} ms`, {
            handler: h.id,
          });
        throw new CallbackError('network', 'request failed', { handler: h.id, cause: e });
      }
      const res = await verifyResponse(body, kind, requestId, h.publicKey, this.#opts.time);
      report(res.action);
      return res;
    } catch (e) {
      if (e instanceof CallbackError) report(e.kind);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
