/**
 * The web console (SYSTEM.md, hub: "web console"): a static single-page app under `/console/`
 * that signs every API request in the browser with the user's own key, exactly as any other API
 * client does (docs/hub-api.md "Authentication"). The hub serves files only; it never sees the
 * private key and the console gets no session or cookie, so there is nothing new to steal.
 *
 * Files are read once at start into memory and served from a fixed list, so a request path can
 * name only a file that was there at start (no traversal, no directory listing). jose's WebCrypto
 * build is served from the installed package under `vendor/jose/` (JWTs from jose in the browser
 * too). Every response carries a strict Content-Security-Policy: scripts, styles and requests
 * only from this origin, no inline code, no framing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HubApp } from './server.ts';
import { HubError } from './errors.ts';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface ConsoleFile {
  readonly type: string;
  readonly body: Buffer;
}

function addFiles(dir: string, prefix: string, out: Map<string, ConsoleFile>): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) addFiles(path, `${prefix}${e.name}/`, out);
    else if (e.isFile() && TYPES[extname(e.name)] !== undefined)
      out.set(`${prefix}${e.name}`, {
        type: TYPES[extname(e.name)] as string,
        body: readFileSync(path),
      });
  }
}

/** The console's files by URL path below `/console/` (`index.html`, `vendor/jose/index.js`, …). */
export function consoleFiles(): ReadonlyMap<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  addFiles(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console'), '', files);
  // jose's package entry is its WebCrypto build (dist/webapi), which runs in browsers as is.
  addFiles(dirname(createRequire(import.meta.url).resolve('jose')), 'vendor/jose/', files);
  return files;
}

export function registerConsoleRoutes(app: HubApp): void {
  const files = consoleFiles();
  const options = { schema: { hide: true }, config: { rateLimit: false } } as const;
  app.get('/console', options, async (_req, reply) => reply.redirect('/console/', 302));
  app.get('/console/*', options, async (req, reply) => {
    const path = (req.params as { '*': string })['*'] || 'index.html';
    const file = files.get(path);
    if (file === undefined) throw new HubError('not_found', 'no such console file');
    return reply
      .header('content-type', file.type)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(file.body);
  });
}
