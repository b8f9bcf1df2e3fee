/**
 * Public keys of API users (issue 7 "Authentication": RSA-2048, P-256 or Ed25519). A key is
 * parsed strictly from PEM (SPKI), classified, and stored re-encoded so two spellings of one key
 * compare equal. The JWS algorithm follows from the key: RS256, ES256 or EdDSA — a token never
 * chooses its own algorithm (no alg confusion).
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { RecentMap } from '@quorate/runtime/recent';
import { HubError } from '../http/errors.ts';
import type { KeyAlgorithm } from '../storage/schema.ts';

export interface ParsedPublicKey {
  readonly pem: string;
  readonly algorithm: KeyAlgorithm;
  readonly key: KeyObject;
}

const MAX_PEM = 8192;

/** RSA keys must be 2048 to 4096 bits; smaller is too weak, larger only slows verification. */
export function parsePublicKey(pem: unknown, field = 'publicKey'): ParsedPublicKey {
  if (typeof pem !== 'string' || pem.length === 0 || pem.length > MAX_PEM)
    throw new HubError('validation_failed', 'expected a PEM public key (SPKI)', field);
  if (!pem.includes('-----BEGIN PUBLIC KEY-----'))
    throw new HubError(
      'validation_failed',
      'expected a PEM "PUBLIC KEY" (SPKI); private keys and certificates are refused',
      field,
    );
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new HubError('validation_failed', 'the public key does not parse', field);
  }
  if (key.type !== 'public')
    throw new HubError('validation_failed', 'expected a public key', field);
  const details = key.asymmetricKeyDetails ?? {};
  let algorithm: KeyAlgorithm;
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < 2048 || bits > 4096)
        throw new HubError(
          'validation_failed',
          `RSA keys must have 2048 to 4096 bits (got ${bits})`,
          field,
        );
      algorithm = 'RS256';
      break;
    }
    case 'ec':
      if (details.namedCurve !== 'prime256v1')
        throw new HubError('validation_failed', 'EC keys must be on P-256', field);
      algorithm = 'ES256';
      break;
    case 'ed25519':
      algorithm = 'EdDSA';
      break;
    default:
      throw new HubError(
        'validation_failed',
        'unsupported key type: use RSA-2048, P-256 or Ed25519',
        field,
      );
  }
  const normalized = key.export({ type: 'spki', format: 'pem' }).toString();
  return Object.freeze({ pem: normalized, algorithm, key });
}

/** Stored keys whose KeyObject is kept (API users sign every request). */
const KEY_OBJECTS = 1024;
const keyObjects = new RecentMap<string, KeyObject>(KEY_OBJECTS);

/**
 * The KeyObject of a PEM the hub stored (already checked by parsePublicKey when it was set).
 * Parsing PEM costs more than verifying an EdDSA token, and every request needs its user's key,
 * so key objects are kept by PEM text, least recently used dropped first. Whether the user is
 * enabled is still read from the database on each request; only the parsing is skipped.
 */
export function storedPublicKey(pem: string): KeyObject {
  return keyObjects.remember(pem, () => createPublicKey({ key: pem, format: 'pem' }));
}
