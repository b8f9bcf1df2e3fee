/**
 * Callback handler SDK (docs/callback-protocol.md): what a customer's handler needs to take part
 * in the protocol. It verifies the co-signer's request JWT, hands the validated claims to the
 * customer's decision function, and signs the answer with the handler's key.
 *
 * `createCallbackHandler` is transport-free (path + body in, status + body out), so it fits any
 * framework; `createCallbackServer` wraps it in node:http. A request that fails verification gets
 * HTTP 401 and no JWT: the handler cannot answer a request it cannot authenticate, and the
 * co-signer treats any non-JWT answer as a failure (deny).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { CallbackError } from './errors.ts';
import { signResponse, verifyRequest } from './jwt.ts';
import type { CallbackKey, TimeOptions } from './jwt.ts';
import { CALLBACK_PATHS, REQUEST_KINDS } from './protocol.ts';
import type {
  CallbackAction,
  ConfigChangeRequest,
  RequestKind,
  TxSignRequest,
} from './protocol.ts';

export interface Decision {
  readonly action: CallbackAction;
  readonly rejectionReason?: string;
}

export interface CallbackHandlerOptions {
  /** The public keys of the co-signers allowed to call this handler (each with its algorithm). */
  readonly cosignerKeys: readonly CallbackKey[];
  /** The handler's own signing key; the co-signer is configured with its public half. */
  readonly handlerKey: CallbackKey;
  readonly onTxSignRequest: (req: TxSignRequest) => Decision | Promise<Decision>;
  /** Default: REJECT every configuration change (the safe answer for a handler that forgot it). */
  readonly onConfigChangeRequest?: (req: ConfigChangeRequest) => Decision | Promise<Decision>;
  readonly time?: TimeOptions;
  /** Called with every refused request (for the handler's own logs); never given the token. */
  readonly onError?: (err: CallbackError) => void;
}

export interface HandlerReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface CallbackHandler {
  /** Handles `POST {base}{path}` with the raw request body. */
  handle(path: string, body: string): Promise<HandlerReply>;
}

const text = (status: number, body: string): HandlerReply => ({
  status,
  contentType: 'text/plain',
  body,
});

/** The request kind served at `path`, which may carry a base prefix (e.g. `/callback/v2/…`). */
export function kindOfPath(path: string): RequestKind | undefined {
  const clean = path.split('?')[0] ?? '';
  return REQUEST_KINDS.find((k) => clean.endsWith(CALLBACK_PATHS[k]));
}

export function createCallbackHandler(opts: CallbackHandlerOptions): CallbackHandler {
  if (opts.cosignerKeys.length === 0)
    throw new TypeError('cosignerKeys: at least one key is required');
  const time = opts.time ?? {};
  const onConfig =
    opts.onConfigChangeRequest ??
    (() => ({ action: 'REJECT', rejectionReason: 'config changes are not handled' }) as const);

  async function verifyWithAnyKey(token: string, kind: RequestKind) {
    let last: CallbackError | undefined;
    for (const key of opts.cosignerKeys) {
      try {
        return await verifyRequest(token, kind, key, time);
      } catch (e) {
        if (!(e instanceof CallbackError)) throw e;
        last = e;
        // Only a signature failure may be due to a wrong key among several; anything else is final.
        if (e.kind !== 'bad-signature') break;
      }
    }
    throw last ?? new CallbackError('bad-signature', 'no co-signer key verifies the request');
  }

  return {
    async handle(path, body) {
      const kind = kindOfPath(path);
      if (kind === undefined) return text(404, 'not found');
      let req;
      try {
        req = await verifyWithAnyKey(body, kind);
      } catch (e) {
        if (!(e instanceof CallbackError)) throw e;
        opts.onError?.(e);
        return text(e.kind === 'malformed' ? 400 : 401, `request refused: ${e.kind}`);
      }
      const decision =
        req.kind === 'tx_sign_request' ? await opts.onTxSignRequest(req) : await onConfig(req);
      if (decision.action === 'IGNORE' && req.kind === 'tx_sign_request')
        throw new CallbackError(
          'action-not-allowed',
          'a handler may not IGNORE a transaction request',
        );
      const reply: { requestId: string; action: CallbackAction; rejectionReason?: string } = {
        requestId: req.requestId,
        action: decision.action,
      };
      if (decision.rejectionReason !== undefined) reply.rejectionReason = decision.rejectionReason;
      return {
        status: 200,
        contentType: 'application/jwt',
        body: await signResponse(reply, opts.handlerKey, time),
      };
    },
  };
}

/** Largest request body accepted (a request JWT is a few KB; PSBTs with many inputs more). */
export const MAX_REQUEST_BYTES = 256 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A node:http server around a handler. Serve it behind TLS (or pass an https server's request
 * listener through `listener`) in production: the JWTs authenticate, they do not encrypt.
 */
export function createCallbackServer(handler: CallbackHandler): Server {
  return createServer(callbackListener(handler));
}

export function callbackListener(handler: CallbackHandler) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (r: HandlerReply) => {
      res.writeHead(r.status, { 'content-type': r.contentType });
      res.end(r.body);
    };
    if (req.method !== 'POST') return send(text(405, 'method not allowed'));
    readBody(req, MAX_REQUEST_BYTES)
      .then(async (body) => {
        if (body === undefined) return send(text(413, 'request too large'));
        send(await handler.handle(req.url ?? '/', body));
      })
      // A bug in the decision function: answer 500 without details, so the co-signer denies.
      .catch(() => {
        if (!res.headersSent) send(text(500, 'internal error'));
        else res.destroy();
      });
  };
}
