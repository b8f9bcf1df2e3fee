/** The result of decoding a raw transaction and rebuilding its digests (docs/cosigner-risk.md). */
import type { RawTxKind, Transfer } from '@quorate/callback';

export interface DecodedTx {
  readonly kind: RawTxKind;
  /** What must be signed, lower-case hex, in signing order (one per PSBT input). */
  readonly digests: readonly string[];
  /** What the transaction moves, as decoded by us; shown to callback handlers and rules. */
  readonly transfers: readonly Transfer[];
  /** Base units, when the transaction states it (PSBT: inputs − outputs). */
  readonly fee?: string;
  /** Effects we saw but did not decode into transfers (shown to operators, never ignored silently). */
  readonly warnings: readonly string[];
}
