/**
 * Typed errors of the FROST package. Decoding failures extend the runtime's DecodeError so a
 * session turns them into blame of the sender; each names the field and the kind of rejection
 * (RFC 9591 §3.1 DeserializeElement / DeserializeScalar, and §6.x per ciphersuite).
 */
import { DecodeError } from '@quorate/runtime';

export type EncodingFault =
  | 'length'
  | 'not-on-curve'
  | 'non-canonical'
  | 'identity'
  | 'small-order'
  | 'mixed-order'
  | 'scalar-out-of-range'
  | 'zero-scalar';

const WHAT: Record<EncodingFault, string> = {
  length: 'the right length',
  'not-on-curve': 'a point on the curve',
  'non-canonical': 'the canonical encoding',
  identity: 'a point other than the identity',
  'small-order': 'a point not of small order',
  'mixed-order': 'a point in the prime-order subgroup (torsion-free)',
  'scalar-out-of-range': 'a scalar below the group order',
  'zero-scalar': 'a non-zero scalar',
};

export class FrostEncodingError extends DecodeError {
  readonly fault: EncodingFault;
  constructor(path: string, fault: EncodingFault) {
    super(path, WHAT[fault]);
    this.fault = fault;
  }
}

/** A key share that does not hold together (bad version, share not matching its verifying share, …). */
export class KeyShareError extends Error {
  override readonly name = 'KeyShareError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid key share ${field}: ${reason}`);
  }
}

/** A signing request refused before any secret is used: bad package, missing or swapped commitment. */
export class SigningPackageError extends Error {
  override readonly name = 'SigningPackageError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`signing package refused (${field}): ${reason}`);
  }
}

export type NonceFault = 'consumed' | 'unknown' | 'duplicate-id';

/** A nonce was used twice, never stored, or stored twice. Nonce reuse would leak the share. */
export class NonceError extends Error {
  override readonly name = 'NonceError';
  constructor(
    readonly fault: NonceFault,
    readonly nonceId: string,
  ) {
    super(
      fault === 'consumed'
        ? `nonce ${nonceId} was already consumed; refusing to sign with it again`
        : fault === 'unknown'
          ? `nonce ${nonceId} is not in the store`
          : `nonce ${nonceId} is already in the store`,
    );
  }
}
