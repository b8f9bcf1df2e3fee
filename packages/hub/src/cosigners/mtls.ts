/**
 * The co-signers' mTLS listener (issue 7; seeds/003: co-signers connect outbound to the hub over
 * mutual TLS). node:https with requestCert and rejectUnauthorized against the internal CA only,
 * so a certificate from any other CA fails the TLS handshake. A certificate the CA issued is
 * then matched, by the sha256 of its DER, to a co-signer that is still paired; an unpaired
 * co-signer's certificate gets 403. Routes:
 *   GET  /cosigner/v1/whoami     → the co-signer as the hub knows it, with the hub's job-signing
 *                                  public key (`jobSigningKey`, SPKI PEM) for it to check its pin
 *   POST /cosigner/v1/heartbeat  → records "last seen"; answers the co-signer's health
 * The relay of protocol messages (issue 7 "Orchestration") mounts here too.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fingerprintOf } from './ca.ts';
import type { CosignerRegistry } from './registry.ts';
import { jobSigningPublicKeyPem } from './pairing.ts';
import type { HubContext } from '../context.ts';

export interface CosignerListener {
  readonly port: number;
  /** The TLS server, for the WebSocket relay (orchestration/relay.ts) to take upgrades. */
  readonly server: https.Server;
  readonly close: () => Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startCosignerListener(
  ctx: HubContext,
  registry: CosignerRegistry,
  opts: {
    readonly host: string;
    readonly port: number;
    readonly serverNames?: readonly string[];
    /** Failed handshakes (a foreign CA, no certificate): for logs and metrics. */
    readonly onTlsError?: (e: Error & { code?: string }) => void;
  },
): Promise<CosignerListener> {
  const server = await ctx.ca.issueServerCertificate({
    hosts: opts.serverNames ?? [opts.host, 'localhost'],
    now: ctx.now(),
  });
  const jobSigningKey = jobSigningPublicKeyPem(ctx);
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    if (!peer || !peer.raw)
      return send(res, 401, {
        error: { code: 'auth_missing', message: 'client certificate required' },
      });
    const cosigner = await registry.byFingerprint(fingerprintOf(new Uint8Array(peer.raw)));
    if (!cosigner)
      return send(res, 403, {
        error: { code: 'forbidden', message: 'this certificate is not paired' },
      });
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/cosigner/v1/whoami')
      return send(res, 200, { ...(await registry.view(cosigner)), jobSigningKey });
    if (req.method === 'POST' && path === '/cosigner/v1/heartbeat') {
      req.resume();
      await registry.heartbeat(cosigner.id);
      return send(res, 200, await registry.get(cosigner.workspace_id, cosigner.id));
    }
    return send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  };
  const srv = https.createServer(
    {
      key: server.privateKeyPem,
      cert: server.certificatePem,
      ca: [ctx.ca.certificatePem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    },
    (req, res) => {
      handler(req, res).catch(() => {
        if (!res.headersSent)
          send(res, 500, { error: { code: 'internal', message: 'internal error' } });
        else res.destroy();
      });
    },
  );
  srv.on('tlsClientError', (e) => opts.onTlsError?.(e));
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (srv.address() as AddressInfo).port,
    server: srv,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}
