/**
 * The callback protocol between a co-signer and its callback handlers (docs/callback-protocol.md):
 * the two endpoints, the claims of the request and response JWTs, and their validation.
 *
 * After the Fireblocks API Co-signer Callback Handler (seed 000) and the Cobo TSS Node callback
 * server (seed 004): the co-signer POSTs a JWT it signed; the handler answers with a JWT it signed,
 * carrying {action, requestId, rejectionReason}. Claims are validated strictly (unknown claims are
 * rejected) so that a handler never decides on a field it did not understand.
 */
import { z } from 'zod';
import { CallbackError } from './errors.ts';

/** The two request kinds, which are also the last path segment of the endpoint. */
export const REQUEST_KINDS = ['tx_sign_request', 'config_change_sign_request'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** `POST {base}{path}`; `base` is the handler URL configured for the API user. */
export const CALLBACK_PATHS: Readonly<Record<RequestKind, string>> = Object.freeze({
  tx_sign_request: '/v2/tx_sign_request',
  config_change_sign_request: '/v2/config_change_sign_request',
});

export const CALLBACK_ACTIONS = ['APPROVE', 'REJECT', 'RETRY', 'IGNORE'] as const;
export type CallbackAction = (typeof CALLBACK_ACTIONS)[number];

/** The operations a co-signer may be asked to join (the risk rules use the same names). */
export const OPERATIONS = ['keygen', 'sign', 'reshare', 'refresh'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Kinds of raw transaction the co-signer can decode and whose digest it rebuilds. */
export const RAW_TX_KINDS = ['evm', 'psbt', 'solana'] as const;
export type RawTxKind = (typeof RAW_TX_KINDS)[number];

const requestId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
const identifier = z.string().min(1).max(256);
/** Amounts travel as decimal strings of base units (wei, satoshi, lamports): no float rounding. */
const amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'a decimal integer of base units');
const hex = z
  .string()
  .max(2 * 1232 + 2)
  .regex(/^([0-9a-f]{2})+$/, 'lower-case hex bytes');

export const transferSchema = z.strictObject({
  destination: identifier,
  amount,
  asset: identifier,
});
export type Transfer = z.infer<typeof transferSchema>;

/** Registered claims every request and response carries (seconds since the epoch). */
const timing = { iat: z.number().int().nonnegative(), exp: z.number().int().positive() };

export const txSignRequestSchema = z.strictObject({
  requestId,
  kind: z.literal('tx_sign_request'),
  /** The API user this co-signer acts for. */
  apiUserId: identifier,
  operation: z.enum(OPERATIONS),
  /** The key (wallet) concerned; absent for keygen. */
  keyId: identifier.optional(),
  /** The co-signers taking part, and the signing threshold. */
  participants: z.array(identifier).max(256).optional(),
  threshold: z.number().int().positive().max(256).optional(),
  /** What the transaction does, as decoded by the co-signer itself (digest check). */
  rawTxKind: z.enum(RAW_TX_KINDS).optional(),
  transfers: z.array(transferSchema).max(1024),
  fee: amount.optional(),
  /** The digests (or, for Solana, the message bytes) the co-signer is asked to sign, hex. */
  digests: z.array(hex).max(1024),
  /** Free-form note from the initiator, shown to the handler, never trusted. */
  note: z.string().max(1024).optional(),
  ...timing,
});
export type TxSignRequest = z.infer<typeof txSignRequestSchema>;

export const configChangeRequestSchema = z.strictObject({
  requestId,
  kind: z.literal('config_change_sign_request'),
  apiUserId: identifier,
  /** What is being changed: e.g. PAIR_API_USER, SET_CALLBACK_HANDLER, UNPAIR_API_USER. */
  changeType: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  details: z.record(z.string().max(64), z.string().max(1024)),
  ...timing,
});
export type ConfigChangeRequest = z.infer<typeof configChangeRequestSchema>;

export type CallbackRequest = TxSignRequest | ConfigChangeRequest;
/** The claims the co-signer fills in; the JWT helpers add iat/exp. */
export type TxSignRequestBody = Omit<TxSignRequest, 'iat' | 'exp' | 'kind'>;
export type ConfigChangeRequestBody = Omit<ConfigChangeRequest, 'iat' | 'exp' | 'kind'>;

export const responseSchema = z.strictObject({
  requestId,
  action: z.enum(CALLBACK_ACTIONS),
  rejectionReason: z.string().max(1024).optional(),
  ...timing,
});
export type CallbackResponse = z.infer<typeof responseSchema>;
export type CallbackResponseBody = Omit<CallbackResponse, 'iat' | 'exp'>;

/** Parses untrusted claims into a typed value, or a `malformed` error naming the first bad field. */
export function parseClaims<T>(schema: z.ZodType<T>, claims: unknown, what: string): T {
  const result = schema.safeParse(claims);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  // An unknown claim is reported by its own name, not by the object holding it.
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = path.length > 0 ? path.join('.') : '(root)';
  throw new CallbackError('malformed', `${what}: invalid claim ${field}: ${issue?.message ?? ''}`, {
    field,
  });
}

export function parseRequest(kind: RequestKind, claims: unknown): CallbackRequest {
  return kind === 'tx_sign_request'
    ? parseClaims(txSignRequestSchema, claims, 'tx_sign_request')
    : parseClaims(configChangeRequestSchema, claims, 'config_change_sign_request');
}

/**
 * The rules on an answer, whoever checks it: it must answer the request sent, and IGNORE only
 * makes sense for a configuration change (a transaction cannot be left pending by a handler).
 */
export function checkResponseFor(kind: RequestKind, sentId: string, res: CallbackResponse): void {
  if (res.requestId !== sentId)
    throw new CallbackError('request-id-mismatch', 'the response answers another requestId', {
      field: 'requestId',
    });
  if (res.action === 'IGNORE' && kind !== 'config_change_sign_request')
    throw new CallbackError('action-not-allowed', 'IGNORE is only valid for config changes', {
      field: 'action',
    });
}
