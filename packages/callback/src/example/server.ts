/**
 * Example callback handler server (docs/callback-protocol.md, "Example server"): node:http, the
 * SDK, and the example rules (destination allow-list + daily limit). Configured from the
 * environment; every key comes from a file, none has a default.
 *
 *   COSIGNER_PUBLIC_KEY_FILE  SPKI PEM of the co-signer's callback key   (required)
 *   COSIGNER_KEY_ALG          RS256 | ES256 | EdDSA                      (required)
 *   HANDLER_PRIVATE_KEY_FILE  PKCS#8 PEM of this handler's key           (required)
 *   HANDLER_KEY_ALG           RS256 | ES256 | EdDSA                      (required)
 *   ALLOWED_DESTINATIONS      comma-separated addresses                  (required)
 *   DAILY_LIMIT               ASSET:AMOUNT in base units, e.g. ETH:10000000000000000000
 *   APPROVED_CONFIG_CHANGES   comma-separated change types to approve, e.g. REFRESH_KEY,RESHARE_KEY
 *                             (default: none — every configuration change is rejected)
 *   HOST, PORT                default 127.0.0.1:8443
 *
 * Run: npx tsx packages/callback/src/example/server.ts
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { importPrivateKey, importPublicKey, isCallbackAlg } from '../jwt.ts';
import type { CallbackAlg } from '../jwt.ts';
import { createCallbackHandler, createCallbackServer } from '../sdk.ts';
import { configChangeAllowList, dailyLimit, destinationAllowList, ruleChain } from './rules.ts';
import type { TxRule } from './rules.ts';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`${name} is required`);
  return v;
}

function alg(env: NodeJS.ProcessEnv, name: string): CallbackAlg {
  const v = required(env, name);
  if (!isCallbackAlg(v)) throw new Error(`${name} must be RS256, ES256 or EdDSA`);
  return v;
}

export async function startExampleServer(env: NodeJS.ProcessEnv) {
  const cosignerKey = await importPublicKey(
    readFileSync(required(env, 'COSIGNER_PUBLIC_KEY_FILE'), 'utf8'),
    alg(env, 'COSIGNER_KEY_ALG'),
  );
  const handlerKey = await importPrivateKey(
    readFileSync(required(env, 'HANDLER_PRIVATE_KEY_FILE'), 'utf8'),
    alg(env, 'HANDLER_KEY_ALG'),
  );
  const rules: TxRule[] = [
    destinationAllowList(
      required(env, 'ALLOWED_DESTINATIONS')
        .split(',')
        .map((s) => s.trim()),
    ),
  ];
  if (env['DAILY_LIMIT']) {
    const m = /^([^:]+):([0-9]+)$/.exec(env['DAILY_LIMIT']);
    if (!m?.[1] || !m[2]) throw new Error('DAILY_LIMIT must be ASSET:AMOUNT');
    rules.push(dailyLimit({ asset: m[1], limit: m[2] }));
  }
  const handler = createCallbackHandler({
    cosignerKeys: [cosignerKey],
    handlerKey,
    onTxSignRequest: ruleChain(rules),
    onConfigChangeRequest: configChangeAllowList(
      (env['APPROVED_CONFIG_CHANGES'] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
    onError: (e) => console.warn(`refused a request: ${e.kind}`),
  });
  const server = createCallbackServer(handler);
  const host = env['HOST'] ?? '127.0.0.1';
  const port = Number(env['PORT'] ?? 8443);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startExampleServer(process.env).then(
    (s) => console.log(`callback handler listening on ${JSON.stringify(s.address())}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
