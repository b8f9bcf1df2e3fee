/**
 * @quorate/sdk — typed, request-signing client for the Quorate hub API. See docs/sdk.md.
 */
export {
  algorithmOf,
  FINAL_STATUSES,
  HubApiError,
  QuorateClient,
  WaitTimeoutError,
} from './client.ts';
export type {
  ClientOptions,
  CreateTransactionBody,
  HubErrorCode,
  KeyAlgorithm,
  RequestArgs,
  Transaction,
  TransactionStatus,
} from './client.ts';
export type { OperationKey, Operations } from './generated/api.ts';
export { hubEcdsaSigner, hubSchnorrSigner, HubSigningError } from './signers.ts';
export type { HubSignerOptions } from './signers.ts';
