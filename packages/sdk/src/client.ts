/**
 * Client for the Quorate hub API (docs/hub-api.md). Every request is signed as the hub's
 * auth/request-token.ts expects: a JWT signed by the API user's key (RSA-2048 → RS256, P-256 →
 * ES256, Ed25519 → EdDSA) with claims {uri, nonce, iat, exp = iat + 20 s, sub, bodyHash}, where
 * uri is the path and query exactly as sent and bodyHash the sha256 hex of the exact body bytes.
 * POSTs carry an Idempotency-Key (generated unless given) so a retry is answered from the hub's
 * record instead of acting twice. Request and response types come from the hub's OpenAPI
 * document (src/generated/api.ts).
 */
import { createHash, createPrivateKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { HubErrorCode, OperationKey, Operations } from './generated/api.ts';

/** JWT lifetime; the hub accepts at most 30 s. */
const TOKEN_LIFETIME_S = 20;

export type { HubErrorCode };

/** An error answer of the hub: `{"error": {code, message, field?}}` with its HTTP status. */
export class HubApiError extends Error {
  override readonly name = 'HubApiError';
  constructor(
    readonly status: number,
    readonly code: HubErrorCode | 'unexpected_response',
    message: string,
    readonly field: string | undefined,
    /** Seconds from a 429's retry-after header. */
    readonly retryAfter: number | undefined,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** `waitForTransaction` gave up before the transaction reached a final status. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly transactionId: string,
    readonly lastStatus: string,
  ) {
    super(`transaction ${transactionId} is still ${lastStatus}`);
  }
}

export type KeyAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface ClientOptions {
  /** Hub base URL, e.g. https://hub.example:8443 (no trailing path). */
  readonly baseUrl: string;
  /** The API user's id: the JWT `sub`. */
  readonly apiUserId: string;
  /** The API user's private key: a KeyObject or PKCS#8 PEM. */
  readonly privateKey: KeyObject | string;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Injected clock (ms). */
  readonly now?: () => number;
  /** Injected sleep, for waitForTransaction. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The JWS algorithm a key fixes (the hub accepts only that one). */
export function algorithmOf(key: KeyObject): KeyAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'EdDSA';
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
        throw new TypeError('privateKey: EC keys must be P-256');
      return 'ES256';
    case 'rsa':
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
        throw new TypeError('privateKey: RSA keys must have at least 2048 bits');
      return 'RS256';
    default:
      throw new TypeError('privateKey: expected an RSA, P-256 or Ed25519 private key');
  }
}

type Op<K extends OperationKey> = Operations[K];
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Arguments of one operation: only the parts it has. */
export type RequestArgs<K extends OperationKey> = ([Op<K>['params']] extends [never]
  ? { params?: undefined }
  : { params: Op<K>['params'] }) &
  ([Op<K>['query']] extends [never] ? { query?: undefined } : { query?: Op<K>['query'] }) &
  ([Op<K>['body']] extends [never] ? { body?: undefined } : { body: Op<K>['body'] }) & {
    /** POST only: reuse to make a retry safe; generated when omitted. */
    idempotencyKey?: string;
  };

export type Transaction = Op<'GET /v1/transactions/{id}'>['response'];
export type TransactionStatus = Transaction['status'];
export type CreateTransactionBody = Op<'POST /v1/transactions'>['body'];

export const FINAL_STATUSES: ReadonlySet<TransactionStatus> = new Set<TransactionStatus>([
  'COMPLETED',
  'REJECTED',
  'BLOCKED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
]);

export class QuorateClient {
  readonly baseUrl: string;
  readonly apiUserId: string;
  readonly #key: KeyObject;
  readonly #alg: KeyAlgorithm;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: ClientOptions) {
    const url = new URL(opts.baseUrl);
    if (url.pathname !== '/' || url.search !== '')
      throw new TypeError('baseUrl: give the origin only (no path or query)');
    this.baseUrl = url.origin;
    this.apiUserId = opts.apiUserId;
    this.#key =
      typeof opts.privateKey === 'string' ? createPrivateKey(opts.privateKey) : opts.privateKey;
    if (this.#key.type !== 'private') throw new TypeError('privateKey: expected a private key');
    this.#alg = algorithmOf(this.#key);
    this.#fetch = opts.fetch ?? fetch;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The signed `Authorization` header value for one request. */
  async authorization(uri: string, rawBody: string): Promise<string> {
    const iat = Math.floor(this.#now() / 1000);
    const token = await new SignJWT({
      uri,
      nonce: randomUUID(),
      iat,
      exp: iat + TOKEN_LIFETIME_S,
      sub: this.apiUserId,
      bodyHash: createHash('sha256').update(rawBody).digest('hex'),
    })
      .setProtectedHeader({ alg: this.#alg, typ: 'JWT' })
      .sign(this.#key);
    return `Bearer ${token}`;
  }

  /** One typed call: `request('GET /v1/transactions/{id}', { params: { id } })`. */
  async request<K extends OperationKey>(
    operation: K,
    args: RequestArgs<K> = {} as RequestArgs<K>,
  ): Promise<Op<K>['response']> {
    const space = operation.indexOf(' ');
    const method = operation.slice(0, space) as Method;
    let path = operation.slice(space + 1);
    const a = args as {
      params?: Record<string, string>;
      query?: Record<string, string | number | boolean | undefined>;
      body?: unknown;
      idempotencyKey?: string;
    };
    path = path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = a.params?.[name];
      if (v === undefined) throw new TypeError(`params.${name} is required`);
      return encodeURIComponent(v);
    });
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(a.query ?? {})) if (v !== undefined) q.set(k, String(v));
    const uri = q.size > 0 ? `${path}?${q.toString()}` : path;
    const raw = a.body === undefined ? '' : JSON.stringify(a.body);
    const headers: Record<string, string> = {
      authorization: await this.authorization(uri, raw),
      accept: 'application/json',
    };
    if (raw !== '') headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = a.idempotencyKey ?? randomUUID();
    const res = await this.#fetch(this.baseUrl + uri, {
      method,
      headers,
      ...(raw !== '' ? { body: raw } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (json === undefined && text !== '')
        throw new HubApiError(res.status, 'unexpected_response', 'not JSON', undefined, undefined);
      return json as Op<K>['response'];
    }
    const err = (json as { error?: { code?: unknown; message?: unknown; field?: unknown } })?.error;
    const retry = Number(res.headers.get('retry-after'));
    throw new HubApiError(
      res.status,
      typeof err?.code === 'string' ? (err.code as HubErrorCode) : 'unexpected_response',
      typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`,
      typeof err?.field === 'string' ? err.field : undefined,
      Number.isFinite(retry) && res.headers.has('retry-after') ? retry : undefined,
    );
  }

  // Convenience methods for the user CLI and the adapters.

  me() {
    return this.request('GET /v1/me');
  }

  createTransaction(body: CreateTransactionBody, opts: { idempotencyKey?: string } = {}) {
    return this.request('POST /v1/transactions', {
      body,
      ...opts,
    } as RequestArgs<'POST /v1/transactions'>);
  }

  getTransaction(id: string) {
    return this.request('GET /v1/transactions/{id}', { params: { id } });
  }

  listTransactions(query: Op<'GET /v1/transactions'>['query'] = {}) {
    return this.request('GET /v1/transactions', { query });
  }

  approveTransaction(id: string) {
    return this.request('POST /v1/transactions/{id}/approve', { params: { id } });
  }

  rejectTransaction(id: string) {
    return this.request('POST /v1/transactions/{id}/reject', { params: { id } });
  }

  cancelTransaction(id: string) {
    return this.request('POST /v1/transactions/{id}/cancel', { params: { id } });
  }

  listCosigners() {
    return this.request('GET /v1/cosigners');
  }

  getCosigner(id: string) {
    return this.request('GET /v1/cosigners/{id}', { params: { id } });
  }

  renameCosigner(id: string, body: Op<'PATCH /v1/cosigners/{id}'>['body']) {
    return this.request('PATCH /v1/cosigners/{id}', { params: { id }, body });
  }

  pairApiUser(id: string, body: Op<'POST /v1/cosigners/{id}/api-users'>['body']) {
    return this.request('POST /v1/cosigners/{id}/api-users', { params: { id }, body });
  }

  setCallbackHandler(id: string, body: Op<'PUT /v1/cosigners/{id}/callback-handler'>['body']) {
    return this.request('PUT /v1/cosigners/{id}/callback-handler', { params: { id }, body });
  }

  unpairCosigner(id: string) {
    return this.request('DELETE /v1/cosigners/{id}', { params: { id } });
  }

  /**
   * Polls until the transaction reaches a final status (COMPLETED, REJECTED, BLOCKED, FAILED,
   * CANCELLED, TIMEOUT) and returns it; throws WaitTimeoutError after `timeoutMs`.
   */
  async waitForTransaction(
    id: string,
    opts: {
      timeoutMs?: number;
      intervalMs?: number;
      onStatus?: (s: TransactionStatus) => void;
    } = {},
  ): Promise<Transaction> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const interval = opts.intervalMs ?? 500;
    const deadline = this.#now() + timeoutMs;
    let last: TransactionStatus | undefined;
    for (;;) {
      const tx = await this.getTransaction(id);
      if (tx.status !== last) {
        last = tx.status;
        opts.onStatus?.(tx.status);
      }
      if (FINAL_STATUSES.has(tx.status)) return tx;
      if (this.#now() >= deadline) throw new WaitTimeoutError(id, tx.status);
      await this.#sleep(Math.min(interval, Math.max(0, deadline - this.#now())));
    }
  }
}
