/**
 * The developer stack talks to its hub only through the public API, with signed requests (the
 * SDK): the owner for workspace set-up and approvals, the demo API user for transactions. This
 * module holds the few set-up calls, and the ones that must wait for the hub to reach a state
 * (a co-signer online, a vault ACTIVE), with a deadline and a message that says what to look at.
 */
import { readFileSync } from 'node:fs';
import { QuorateClient } from '@quorate/sdk';

export class StackError extends Error {
  override readonly name = 'StackError';
}

export function clientFor(baseUrl: string, userId: string, keyFile: string): QuorateClient {
  return new QuorateClient({
    baseUrl,
    apiUserId: userId,
    privateKey: readFileSync(keyFile, 'utf8'),
  });
}

type Json = Record<string, unknown>;

/** An untyped call, for the set-up routes whose shapes the demo only reads a field or two of. */
export async function call(
  client: QuorateClient,
  operation: string,
  args: { params?: Record<string, string>; body?: unknown } = {},
): Promise<Json> {
  const request = client.request.bind(client) as (op: string, a: unknown) => Promise<unknown>;
  return ((await request(operation, args)) ?? {}) as Json;
}

/**
 * Some changes are configuration changes the owner approves (202 with a change id); others apply
 * at once. Approves the change when there is one, so the stack works with either.
 */
export async function applyAsOwner(
  owner: QuorateClient,
  operation: string,
  args: { params?: Record<string, string>; body?: unknown },
): Promise<Json> {
  const r = await call(owner, operation, args);
  const id = r['id'];
  if (r['status'] === 'WAITING_FOR_APPROVAL' && typeof id === 'string')
    return call(owner, 'POST /v1/config-changes/{id}/approve', { params: { id } });
  return r;
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: {
    readonly timeoutMs: number;
    readonly intervalMs?: number;
    readonly hint: string;
    /** Ctrl-C: stop waiting at once. */
    readonly signal?: AbortSignal;
  },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) throw new StackError(`interrupted while waiting for ${what}`);
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new StackError(`timed out waiting for ${what}; ${opts.hint}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** Resolves like `p`, or rejects as soon as `signal` aborts (Ctrl-C during a long step). */
export function unlessAborted<T>(p: Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(new StackError(`interrupted while ${what}`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new StackError(`interrupted while ${what}`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e as Error)),
    );
  });
}
