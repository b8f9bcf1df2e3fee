/**
 * What every service of the hub is built from: the database, the clock, the internal CA, the
 * key that signs pairing tokens, and the few settings services need. Routes receive it; tests
 * build it with a fake clock and in-memory keys.
 */
import type { KeyObject } from 'node:crypto';
import type { HubDb } from './storage/database.ts';
import type { InternalCa } from './cosigners/ca.ts';
import type { PresignaturePoolSettings } from './config.ts';

export interface HubSettings {
  /** A co-signer is online when its last heartbeat is at most this old. */
  readonly heartbeatTimeoutMs: number;
  /** Requests per principal (or IP for unauthenticated routes) per window. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** Issuer/audience of pairing tokens, e.g. the hub's public URL. */
  readonly issuer: string;
  /** A transaction waiting for approvals times out after this, unless its rule says otherwise. */
  readonly approvalTimeoutMs: number;
  /** hub.json `presignaturePool`: refill policy and period (absent: the built-in defaults). */
  readonly presignaturePool?: PresignaturePoolSettings;
}

export interface HubContext {
  readonly db: HubDb;
  readonly now: () => number;
  readonly ca: InternalCa;
  /** Ed25519 key pair that signs pairing tokens. */
  readonly pairingKey: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  /** 32 bytes from the data directory's `master.key`: seals secrets at rest (storage/sealed.ts). */
  readonly masterKey: Uint8Array;
  readonly settings: HubSettings;
}

export const DEFAULT_SETTINGS: HubSettings = Object.freeze({
  heartbeatTimeoutMs: 60_000,
  rateLimit: Object.freeze({ max: 600, windowMs: 60_000 }),
  issuer: 'quorate-hub',
  approvalTimeoutMs: 24 * 3600_000,
});
