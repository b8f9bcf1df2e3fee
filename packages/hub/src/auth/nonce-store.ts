/**
 * Replay protection for signed requests: every (subject, nonce) is recorded until its token
 * expires; a second use is refused. The primary key makes the check atomic across concurrent
 * requests and across hub processes sharing one database. Expired rows are purged in passing.
 */
import type { HubDb } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';

const PURGE_EVERY_MS = 60_000;

export interface NonceStore {
  /** Records the nonce; false when it was already used. */
  readonly use: (subject: string, nonce: string, expiresAt: number) => Promise<boolean>;
}

export function createNonceStore(db: HubDb, now: () => number): NonceStore {
  let lastPurge = 0;
  return {
    async use(subject, nonce, expiresAt) {
      const t = now();
      if (t - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = t;
        await db.deleteFrom('nonces').where('expires_at', '<', t).execute();
      }
      try {
        await db.insertInto('nonces').values({ subject, nonce, expires_at: expiresAt }).execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
  };
}
