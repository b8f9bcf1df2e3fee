/**
 * Errors of the digest check (docs/cosigner-risk.md, "Digest check"). `mismatch`: the digest we
 * were asked to sign is not the one the raw transaction yields; `malformed`: the raw transaction
 * does not parse or lacks what we need (e.g. a PSBT input without its witness UTXO);
 * `unsupported`: a valid transaction of a form we do not check (e.g. a Taproot script path).
 */
export type DigestErrorKind = 'mismatch' | 'malformed' | 'unsupported';

export class DigestError extends Error {
  override readonly name = 'DigestError';
  constructor(
    readonly kind: DigestErrorKind,
    readonly field: string,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}
