/**
 * A FAKE hub for the daemon tests: an mTLS https server (client certificates of the test CA only)
 * with a WebSocket at /v1/cosigner/ws. It checks `hello` names the certificate's CN, records every
 * frame, signs jobs (ES256, claim jobSha256 over the canonical job) and relays envelopes between
 * the participants of a job, as the relay contract says the real hub does.
 */
import https from 'node:https';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SignJWT } from 'jose';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { jobHash } from '../../src/job.ts';
import type { Job } from '../../src/job.ts';
import type { TestCa } from './tls.ts';

export interface Received {
  readonly from: string;
  readonly frame: Record<string, unknown>;
}

export class FakeHub {
  readonly frames: Received[] = [];
  readonly conns = new Map<string, WebSocket>();
  readonly jobKey: KeyObject;
  readonly jobPublicPem: string;
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private constructor(
    private readonly server: https.Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.jobKey = privateKey;
    this.jobPublicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  static async start(ca: TestCa): Promise<FakeHub> {
    const cert = await ca.issueServer();
    const server = https.createServer({
      cert: cert.certPem,
      key: cert.keyPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    });
    const wss = new WebSocketServer({ server, path: '/v1/cosigner/ws' });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const hub = new FakeHub(server, wss, (server.address() as AddressInfo).port);
    wss.on('connection', (ws, req) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const cn = String(peer.subject?.CN ?? '');
      let id: string | undefined;
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Record<string, unknown>;
        if (frame['type'] === 'hello') {
          if (frame['cosignerId'] !== cn) return ws.close(1008, 'hello names another co-signer');
          id = cn;
          hub.conns.set(cn, ws);
        }
        if (id === undefined) return;
        hub.frames.push({ from: id, frame });
        if (frame['type'] === 'envelope') {
          const to = hub.conns.get(String(frame['to']));
          to?.send(
            JSON.stringify({
              type: 'envelope',
              jobId: frame['jobId'],
              from: id,
              data: frame['data'],
            }),
          );
        }
        hub.poke();
      });
      ws.on('close', () => {
        if (id !== undefined && hub.conns.get(id) === ws) hub.conns.delete(id);
        hub.poke();
      });
    });
    return hub;
  }

  get url(): string {
    return `wss://127.0.0.1:${this.port}`;
  }

  private poke(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred()) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `pred` holds (checked after every frame). */
  waitFor(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake hub: timed out waiting for ${what}`)), ms);
      this.waiters.push({
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  framesOf(jobId: string, type?: string): Received[] {
    return this.frames.filter(
      (f) => f.frame['jobId'] === jobId && (type === undefined || f.frame['type'] === type),
    );
  }

  async sign(job: Omit<Job, 'authorization'>, key: KeyObject = this.jobKey): Promise<Job> {
    const iat = Math.floor(Date.now() / 1000);
    const authorization = await new SignJWT({ jobSha256: jobHash(job) })
      .setProtectedHeader({ alg: 'ES256', typ: 'quorate-job+jwt' })
      .setJti(job.jobId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 120)
      .sign(key);
    return { ...job, authorization };
  }

  sendJob(to: string, job: unknown): void {
    this.conns.get(to)?.send(JSON.stringify({ type: 'job', job }));
  }

  async close(): Promise<void> {
    for (const ws of this.conns.values()) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
