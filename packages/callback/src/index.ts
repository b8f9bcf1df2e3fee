/**
 * @quorate/callback — the co-signer callback protocol (docs/callback-protocol.md): claim types,
 * JWT helpers for both sides, the handler SDK and example rules.
 */
export { CallbackError } from './errors.ts';
export type { CallbackErrorKind } from './errors.ts';
export * from './protocol.ts';
export * from './jwt.ts';
export {
  createCallbackHandler,
  createCallbackServer,
  callbackListener,
  kindOfPath,
  MAX_REQUEST_BYTES,
} from './sdk.ts';
export type { CallbackHandler, CallbackHandlerOptions, Decision, HandlerReply } from './sdk.ts';
