/**
 * Where a co-signer's callback handler may be reached (the callback-handler protocol,
 * docs/callback-protocol.md): over TLS for anything that crosses a network, plain http only to the
 * co-signer's own host (a handler beside it, as `quorate dev up` runs one). One rule for the
 * co-signer CLI that sets a handler and the hub that approves it; dependency-free, so the hub may
 * import it (scripts/check-layers.mjs).
 */

/** The rule as a JSON-Schema / ECMAScript pattern (the hub's API schema uses it as is). */
export const CALLBACK_URL_PATTERN =
  '^(https://|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/|$))';

/** The rule in words, for error messages and the API description. */
export const CALLBACK_URL_RULE =
  'https://…, or http:// to 127.0.0.1 / localhost / [::1] (a handler beside the co-signer)';

const pattern = new RegExp(CALLBACK_URL_PATTERN);

export function isAllowedCallbackUrl(url: string): boolean {
  return pattern.test(url);
}
