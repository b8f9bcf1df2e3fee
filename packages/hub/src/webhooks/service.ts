/**
 * Signed webhooks on transaction transitions (issue 7 "Transactions": "signed webhooks on
 * transitions"). Each endpoint gets a random 32-byte secret, shown once. A delivery is a POST of
 * JSON `{ id, event, createdAt, data }` with the header
 *   Quorate-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * (the receiver recomputes it with a constant-time compare and refuses stale `t`), and
 * `Quorate-Webhook-Id` (the delivery id, for de-duplication: a retry repeats it). A non-2xx
 * answer or a network error is retried with exponential backoff; every delivery is a row with
 * its attempts and last status, so nothing is lost silently.
 * The secret is stored sealed (AES-256-GCM under the hub's master key, AAD = the webhook id;
 * storage/sealed.ts) and opened only to sign a delivery. Rows written before sealing existed are
 * sealed by `sealPlaintextSecrets` when the hub starts.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { isSealed, seal, unseal } from '../storage/sealed.ts';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { WebhooksTable } from '../orchestration/tables.ts';
import '../orchestration/tables.ts';

export interface WebhookOptions {
  /** Attempts per delivery, the first included. */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles each time. */
  readonly backoffMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = Object.freeze({
  maxAttempts: 5,
  backoffMs: 1000,
  timeoutMs: 10_000,
});

export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly createdAt: number;
}

export function signWebhook(secretHex: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', Buffer.from(secretHex, 'hex')).update(`${t}.${body}`).digest('hex')}`;
}

function view(r: WebhooksTable): WebhookView {
  return { id: r.id, url: r.url, createdAt: r.created_at };
}

const PURPOSE = 'webhook-secret';

export function createWebhookService(
  ctx: Pick<HubContext, 'db' | 'now' | 'masterKey'>,
  options: WebhookOptions = DEFAULT_WEBHOOK_OPTIONS,
) {
  const { db, now, masterKey } = ctx;

  /** The HMAC key, hex. A legacy plaintext row (64 hex digits) is used as it is until sealed. */
  function secretOf(hook: WebhooksTable): string {
    if (!isSealed(hook.secret)) return hook.secret;
    return unseal(masterKey, PURPOSE, hook.id, hook.secret).toString('hex');
  }
  const inflight = new Set<Promise<void>>();
  let closed = false;

  async function attempt(url: string, secret: string, deliveryId: string, body: string) {
    const t = now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'quorate-webhook-id': deliveryId,
          'quorate-signature': signWebhook(secret, t, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return null;
    }
  }

  async function deliver(hook: WebhooksTable, deliveryId: string, body: string): Promise<void> {
    for (let n = 1; n <= options.maxAttempts && !closed; n++) {
      const status = await attempt(hook.url, secretOf(hook), deliveryId, body);
      const ok = status !== null && status >= 200 && status < 300;
      const final = ok || n === options.maxAttempts;
      await db
        .updateTable('webhook_deliveries')
        .set({
          attempts: n,
          last_status: status,
          status: ok ? 'DELIVERED' : final ? 'FAILED' : 'PENDING',
          updated_at: now(),
        })
        .where('id', '=', deliveryId)
        .execute();
      if (final) return;
      await new Promise((r) => setTimeout(r, options.backoffMs * 2 ** (n - 1)).unref());
    }
  }

  return {
    async create(workspaceId: string, url: string): Promise<WebhookView & { secret: string }> {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new HubError('validation_failed', 'expected an http(s) URL', 'url');
      }
      if (u.protocol !== 'https:' && u.protocol !== 'http:')
        throw new HubError('validation_failed', 'expected an http(s) URL', 'url');
      const id = randomUUID();
      const secret = randomBytes(32);
      const r: WebhooksTable = {
        id,
        workspace_id: workspaceId,
        url: u.toString(),
        secret: seal(masterKey, PURPOSE, id, secret),
        created_at: now(),
        disabled_at: null,
      };
      await db.insertInto('webhooks').values(r).execute();
      return { ...view(r), secret: secret.toString('hex') };
    },

    async list(workspaceId: string): Promise<WebhookView[]> {
      const rows = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('disabled_at', 'is', null)
        .orderBy('created_at')
        .execute();
      return rows.map(view);
    },

    async remove(workspaceId: string, id: string): Promise<void> {
      const r = await db
        .updateTable('webhooks')
        .set({ disabled_at: now() })
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new HubError('not_found', 'no such webhook', 'id');
    },

    /** Records one delivery per active endpoint and sends them in the background. */
    async emit(workspaceId: string, event: string, data: unknown): Promise<void> {
      const hooks = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('disabled_at', 'is', null)
        .execute();
      for (const hook of hooks) {
        const id = randomUUID();
        const body = JSON.stringify({ id, event, createdAt: now(), data });
        await db
          .insertInto('webhook_deliveries')
          .values({
            id,
            webhook_id: hook.id,
            workspace_id: workspaceId,
            event,
            payload: body,
            status: 'PENDING',
            attempts: 0,
            last_status: null,
            created_at: now(),
            updated_at: now(),
          })
          .execute();
        const p: Promise<void> = deliver(hook, id, body)
          .catch(() => undefined)
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
    },

    /** Seals secrets stored in plaintext by an older hub; returns how many. */
    async sealPlaintextSecrets(): Promise<number> {
      const rows = await db.selectFrom('webhooks').select(['id', 'secret']).execute();
      let n = 0;
      for (const r of rows) {
        if (isSealed(r.secret) || !/^[0-9a-f]{64}$/.test(r.secret)) continue;
        const u = await db
          .updateTable('webhooks')
          .set({ secret: seal(masterKey, PURPOSE, r.id, Buffer.from(r.secret, 'hex')) })
          .where('id', '=', r.id)
          .where('secret', '=', r.secret)
          .executeTakeFirst();
        n += Number(u.numUpdatedRows);
      }
      return n;
    },

    /** Resolves when every delivery started so far has ended (tests, shutdown). */
    async settle(): Promise<void> {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },

    /** Stops retrying; deliveries in flight end at their next step. */
    close(): void {
      closed = true;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
