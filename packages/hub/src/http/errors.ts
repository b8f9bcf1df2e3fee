/**
 * Typed errors of the hub API and their HTTP statuses (issue 7 "HTTP API": typed errors mapped
 * to statuses). Every error a route can answer is a `HubError` with a stable machine code; the
 * default handler turns anything else into a bare 500 that leaks nothing (no message, no stack).
 */

/** Every error code and its HTTP status; the code type is derived from this one table. */
const STATUS = {
  validation_failed: 400,
  auth_missing: 401,
  auth_malformed: 401,
  auth_unknown_subject: 401,
  auth_bad_signature: 401,
  auth_expired: 401,
  auth_not_yet_valid: 401,
  auth_lifetime_too_long: 401,
  auth_wrong_uri: 401,
  auth_wrong_body_hash: 401,
  auth_replayed_nonce: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  idempotency_key_reused: 422,
  idempotency_key_invalid: 400,
  pairing_token_invalid: 401,
  pairing_token_used: 409,
  csr_invalid: 400,
  rate_limited: 429,
  payload_too_large: 413,
  internal: 500,
} as const satisfies Record<string, number>;

export type HubErrorCode = keyof typeof STATUS;

export class HubError extends Error {
  override readonly name = 'HubError';
  readonly code: HubErrorCode;
  readonly status: number;
  /** The request field that failed, when there is one (never a secret value). */
  readonly field: string | undefined;

  constructor(code: HubErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.status = STATUS[code];
    this.field = field;
  }
}

/** Every error code with its status, for the API reference. */
export const ERROR_STATUSES: Readonly<Record<HubErrorCode, number>> = Object.freeze({ ...STATUS });

export function statusOf(code: HubErrorCode): number {
  return STATUS[code];
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: HubErrorCode;
    readonly message: string;
    readonly field?: string;
  };
}

export function errorBody(e: HubError): ErrorBody {
  return {
    error: {
      code: e.code,
      message: e.message,
      ...(e.field === undefined ? {} : { field: e.field }),
    },
  };
}
