/**
 * The co-signer's one connection per pairing (issue 6 item 5; the relay contract, "Transport"):
 * outbound only, a WebSocket at `/v1/cosigner/ws` over mutual TLS with the client certificate
 * from pairing, trusting only the hub's CA. `hello` on open, a heartbeat every 10 s, reconnect
 * with exponential backoff and full jitter (1 s … 60 s). Hub frames are JSON, validated strictly;
 * a bad frame is logged and dropped, the connection stays up. Frames are at most 8 MiB.
 */
import { randomInt } from 'node:crypto';
import WebSocket from 'ws';
import { z } from 'zod';
import type { PublicIdentity } from './identity.ts';
import type { JobRunner, OutFrame } from './jobs.ts';

export const WS_PATH = '/v1/cosigner/ws';
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

const id = z.string().min(1).max(128);
const hubFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('job'), job: z.unknown() }),
  z.strictObject({
    type: z.literal('envelope'),
    jobId: id,
    from: id,
    data: z
      .string()
      .min(1)
      .max(MAX_FRAME_BYTES)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64'),
  }),
  z.strictObject({ type: z.literal('cancel'), jobId: id, reason: z.string().max(1000) }),
]);
export type HubFrame = z.output<typeof hubFrameSchema>;

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  /** Server name to check the hub certificate against (default: the URL's host). */
  readonly servername?: string;
}

export type ConnectionLog = (
  level: 'info' | 'warn',
  event: string,
  fields?: Record<string, unknown>,
) => void;

export interface ConnectionOptions {
  /** wss:// or https:// base of the hub's co-signer listener. */
  readonly url: string;
  readonly tls: TlsMaterial;
  readonly cosignerId: string;
  readonly identity: PublicIdentity;
  readonly jobs: JobRunner;
  readonly heartbeatMs?: number;
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  readonly log?: ConnectionLog;
  readonly onState?: (state: 'connected' | 'disconnected') => void;
}

/** Delay before reconnect attempt `n` (0-based): full jitter over min·2^n, capped. */
export function backoffDelay(n: number, minMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(n, 30));
  return Math.max(minMs, randomInt(0, Math.max(1, Math.floor(cap)) + 1));
}

export function wsUrl(base: string): string {
  const u = new URL(base.replace(/^https:/, 'wss:'));
  u.pathname = u.pathname.replace(/\/+$/, '') + WS_PATH;
  return u.toString();
}

export class HubConnection {
  readonly #o: ConnectionOptions;
  #ws: WebSocket | undefined;
  #stopped = false;
  #attempt = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #connected = false;

  constructor(o: ConnectionOptions) {
    this.#o = o;
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1001, 'co-signer stopping');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000).unref();
      });
    }
  }

  /** Sends one frame if connected (frames while disconnected are lost: the job will time out). */
  send(frame: OutFrame | Record<string, unknown>): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  #connect(): void {
    if (this.#stopped) return;
    const o = this.#o;
    const ws = new WebSocket(wsUrl(o.url), {
      cert: o.tls.certPem,
      key: o.tls.keyPem,
      ca: o.tls.caPem,
      ...(o.tls.servername === undefined ? {} : { servername: o.tls.servername }),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
    });
    this.#ws = ws;
    ws.on('open', () => {
      this.#attempt = 0;
      this.#connected = true;
      o.log?.('info', 'connected', { url: o.url });
      this.send({ type: 'hello', cosignerId: o.cosignerId, version: 1, identity: o.identity });
      this.#heartbeat = setInterval(
        () => this.send({ type: 'heartbeat', at: new Date().toISOString() }),
        o.heartbeatMs ?? 10_000,
      );
      this.#heartbeat.unref?.();
      o.onState?.('connected');
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        o.log?.('warn', 'frame-refused', { reason: 'binary frame' });
        return;
      }
      this.#onFrame(data.toString());
    });
    ws.on('error', (e) => o.log?.('warn', 'connection-error', { error: e.message }));
    ws.on('close', () => {
      clearInterval(this.#heartbeat);
      const was = this.#connected;
      this.#connected = false;
      if (this.#ws === ws) this.#ws = undefined;
      if (was) {
        o.jobs.abortAll('connection to the hub lost');
        o.onState?.('disconnected');
      }
      if (this.#stopped) return;
      const delay = backoffDelay(this.#attempt++, o.backoffMinMs ?? 1000, o.backoffMaxMs ?? 60_000);
      o.log?.('info', 'reconnecting', { inMs: delay });
      this.#retry = setTimeout(() => this.#connect(), delay);
    });
  }

  #onFrame(text: string): void {
    const o = this.#o;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      o.log?.('warn', 'frame-refused', { reason: 'not JSON' });
      return;
    }
    const r = hubFrameSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      o.log?.('warn', 'frame-refused', {
        field: issue?.path.join('.') || 'frame',
        reason: issue?.message ?? 'invalid',
      });
      return;
    }
    const f = r.data;
    if (f.type === 'job')
      void o.jobs.onJob(f.job).catch((e) => o.log?.('warn', 'job-error', { error: String(e) }));
    else if (f.type === 'envelope') o.jobs.onEnvelope(f.jobId, f.from, f.data);
    else o.jobs.onCancel(f.jobId, f.reason);
  }
}
