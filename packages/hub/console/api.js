// Signed requests to the hub from the browser (docs/hub-api.md "Authentication"): each request
// carries a JWT made here with the user's own key, with claims uri, nonce, iat, exp, sub and
// bodyHash. The key is imported as a non-extractable WebCrypto key and kept in memory only: it is
// never sent, stored or shown, and it is gone when the tab closes or the user signs out.
import { SignJWT, importPKCS8 } from './vendor/jose/index.js';

/** A refusal from the hub: its error code, message and (when it names one) the field. */
export class HubRequestError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'HubRequestError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

// The algorithms the hub accepts; the key fixes which one (Ed25519, P-256, RSA).
const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'];

/** Imports a PKCS#8 PEM private key; returns { alg, key } or throws saying what to do. */
export async function importKey(pem) {
  const text = pem.trim();
  if (!/^-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----$/.test(text))
    throw new Error(
      'The key must be an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). Convert other ' +
        'formats with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.p8.pem',
    );
  for (const alg of ALGORITHMS) {
    try {
      return { alg, key: await importPKCS8(text, alg, { extractable: false }) };
    } catch {
      // not this algorithm: try the next
    }
  }
  throw new Error('The key is not an Ed25519, P-256 or RSA private key this browser can use.');
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The hub's clock minus ours, from its Date header (whole seconds). Tokens are accepted only
 * within 5 s of the hub's time, so a browser whose clock is off signs with the hub's time.
 */
export async function hubClockOffsetMs() {
  const before = Date.now();
  const res = await fetch('/health', { cache: 'no-store', credentials: 'omit' });
  const date = Date.parse(res.headers.get('date') ?? '');
  if (!res.ok || Number.isNaN(date)) return 0;
  const offset = date + 500 - (before + Date.now()) / 2;
  return Math.abs(offset) > 2000 ? offset : 0;
}

/** A client for one signed-in user: request(method, path, body?) → parsed JSON or a HubRequestError. */
export function createClient({ sub, alg, key, offsetMs = 0 }) {
  return async function request(method, path, body) {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const iat = Math.floor((Date.now() + offsetMs) / 1000);
    const token = await new SignJWT({
      uri: path,
      nonce: crypto.randomUUID(),
      iat,
      exp: iat + 20,
      sub,
      bodyHash: await sha256Hex(raw),
    })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .sign(key);
    const headers = { authorization: `Bearer ${token}` };
    if (raw !== '') headers['content-type'] = 'application/json';
    // A retried click must not act twice: every POST carries its own idempotency key.
    if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: raw === '' ? undefined : raw,
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new HubRequestError(0, 'unreachable', 'The hub did not answer.');
    }
    const text = await res.text();
    let json = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!res.ok) {
      const e = json && typeof json === 'object' ? json.error : undefined;
      throw new HubRequestError(
        res.status,
        typeof e?.code === 'string' ? e.code : `http_${res.status}`,
        typeof e?.message === 'string' ? e.message : res.statusText,
        typeof e?.field === 'string' ? e.field : undefined,
      );
    }
    return json;
  };
}

/** What to do next after a refusal, in words for the person at the console. */
export function nextStep(error, role) {
  if (!(error instanceof HubRequestError)) return error instanceof Error ? error.message : '';
  switch (error.code) {
    case 'unreachable':
      return 'The hub did not answer. Check that it is running and that this is its address, then retry.';
    case 'auth_unknown_subject':
      return 'No active user has this id. Check the user id (quorate hub api-user create prints it).';
    case 'auth_bad_signature':
      return "The key does not match this user's registered public key. Choose the private key file of this user.";
    case 'auth_expired':
    case 'auth_not_yet_valid':
      return "This computer's clock differs from the hub's by more than a few seconds. Correct the clock and sign in again.";
    case 'forbidden':
      return `${error.message}. You are signed in as ${role ?? 'a user'}: ask an owner or admin if this should be allowed.`;
    case 'invalid_state':
      return `${error.message}. It changed meanwhile: the view shows its state now.`;
    case 'rate_limited':
      return `${error.message}.`;
    case 'not_found':
      return `${error.message}. It may have been removed: go back to the list.`;
    default:
      return `The hub refused (${error.code}${error.field ? `, field ${error.field}` : ''}): ${error.message}.`;
  }
}

let statuses;
/**
 * The transaction statuses, from the hub's own OpenAPI document (public), read once: the console
 * keeps no copy of the hub's state machine.
 */
export async function transactionStatuses() {
  if (statuses === undefined) {
    const res = await fetch('/openapi.json', { cache: 'no-store', credentials: 'omit' });
    const doc = res.ok ? await res.json() : null;
    const param = doc?.paths?.['/v1/transactions']?.get?.parameters?.find(
      (p) => p.name === 'status',
    );
    const values = param?.schema?.enum;
    if (!Array.isArray(values)) return [];
    statuses = values.filter((v) => typeof v === 'string');
  }
  return statuses;
}
