/**
 * The seal interface (after HashiCorp Vault's seal/`wrapping.Wrapper`): the one thing that can
 * turn the stored, wrapped root key of the barrier back into the root key. Deliberately tiny so
 * that a passphrase, a key file, a PKCS#11 token or an enclave (see README, "Enclave seam") can
 * each implement it. Every seal passes test/conformance/seal.ts.
 *
 * Contract:
 *  - `wrap(k)` returns a self-describing blob (kind, version, parameters, ciphertext) that only
 *    this seal's secret can unwrap; `unwrap(wrap(k))` returns k.
 *  - `unwrap` authenticates: a modified blob fails (SealBlobError or IntegrityError), a blob
 *    wrapped under another secret fails with the seal's "wrong secret" error
 *    (WrongSecretError, PinIncorrectError, ...). It never returns wrong bytes.
 *  - `selfTest()` runs known-answer / round-trip checks and throws SelfTestError on failure; the
 *    store runs it before every wrap/unwrap at start.
 *  - Errors never contain the secret or the key.
 */
export interface Seal {
  /** 'passphrase' | 'keyfile' | 'pkcs11' | ... ; written into the blob. */
  readonly kind: string;
  selfTest(): Promise<void>;
  wrap(rootKey: Uint8Array): Promise<Uint8Array>;
  unwrap(blob: Uint8Array): Promise<Uint8Array>;
}
