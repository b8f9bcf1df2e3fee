/**
 * `Idempotency-Key` on POST (issue 7 "HTTP API"). The first request with a key claims it in the
 * database (primary key on principal + key, so the claim is atomic even across hub processes);
 * its response (2xx or 4xx) is stored. A later request with the same key and the same method,
 * uri and body gets the stored response; with anything else, 422 `idempotency_key_reused`.
 * A duplicate that arrives while the first is still running waits for it. A 5xx releases the
 * key so the client can retry.
 */
import { HubError } from './errors.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { HubDb } from '../storage/database.ts';
import { sha256Hex } from '../auth/request-token.ts';

const KEY = /^[\x21-\x7e]{1,128}$/;
const WAIT_STEP_MS = 20;
const WAIT_MAX_MS = 30_000;

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
}

export type Claim =
  { readonly kind: 'claimed' } | { readonly kind: 'replay'; readonly response: StoredResponse };

export function createIdempotencyStore(db: HubDb, now: () => number) {
  // Waiters inside this process; other processes' duplicates poll the row.
  const inflight = new Map<string, Promise<void>>();
  const resolvers = new Map<string, () => void>();
  const mapKey = (p: string, k: string) => `${p}\u0000${k}`;

  async function read(principal: string, key: string) {
    return db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal_id', '=', principal)
      .where('idem_key', '=', key)
      .executeTakeFirst();
  }

  return {
    fingerprint(method: string, uri: string, rawBody: string): string {
      return sha256Hex(`${method}\n${uri}\n${rawBody}`);
    },

    checkKey(key: string): string {
      if (!KEY.test(key))
        throw new HubError(
          'idempotency_key_invalid',
          'Idempotency-Key must be 1-128 printable ASCII characters',
          'Idempotency-Key',
        );
      return key;
    },

    async claim(principal: string, key: string, fingerprint: string): Promise<Claim> {
      const mk = mapKey(principal, key);
      try {
        await db
          .insertInto('idempotency_keys')
          .values({
            principal_id: principal,
            idem_key: key,
            fingerprint,
            state: 'pending',
            status_code: null,
            response_body: null,
            created_at: now(),
          })
          .execute();
        let resolve!: () => void;
        inflight.set(mk, new Promise<void>((r) => (resolve = r)));
        resolvers.set(mk, resolve);
        return { kind: 'claimed' };
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
      for (let waited = 0; ; waited += WAIT_STEP_MS) {
        const row = await read(principal, key);
        if (!row) return this.claim(principal, key, fingerprint); // released after a 5xx
        if (row.fingerprint !== fingerprint)
          throw new HubError(
            'idempotency_key_reused',
            'this Idempotency-Key was used with a different request',
            'Idempotency-Key',
          );
        if (row.state === 'done' && row.status_code !== null && row.response_body !== null)
          return { kind: 'replay', response: { status: row.status_code, body: row.response_body } };
        if (waited >= WAIT_MAX_MS)
          throw new HubError(
            'conflict',
            'a request with this Idempotency-Key is still running',
            'Idempotency-Key',
          );
        const local = inflight.get(mk);
        await (local
          ? Promise.race([local, new Promise((r) => setTimeout(r, WAIT_STEP_MS * 10))])
          : new Promise((r) => setTimeout(r, WAIT_STEP_MS)));
      }
    },

    async complete(principal: string, key: string, status: number, body: string): Promise<void> {
      const mk = mapKey(principal, key);
      try {
        if (status >= 500)
          await db
            .deleteFrom('idempotency_keys')
            .where('principal_id', '=', principal)
            .where('idem_key', '=', key)
            .execute();
        else
          await db
            .updateTable('idempotency_keys')
            .set({ state: 'done', status_code: status, response_body: body })
            .where('principal_id', '=', principal)
            .where('idem_key', '=', key)
            .execute();
      } finally {
        resolvers.get(mk)?.();
        resolvers.delete(mk);
        inflight.delete(mk);
      }
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
