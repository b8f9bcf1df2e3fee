/** In-process co-signer instances for the daemon tests (memory store, fast scrypt, memory audit). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MemoryBackend,
  OneTimeStore,
  PassphraseSeal,
  SecretStore,
  fileCounter,
} from '@quorate/secrets';
import { AuditLog, MemoryAuditSink } from '@quorate/cosigner-risk/audit';
import { parseRiskRules } from '@quorate/cosigner-risk/rules';
import type { RiskRulesInput } from '@quorate/cosigner-risk/rules';
import type { CosignerMetrics } from '@quorate/cosigner-risk/metrics';
import { Cosigner } from '../../src/daemon.ts';
import { createIdentity, publicIdentity } from '../../src/identity.ts';
import type { Identity } from '../../src/identity.ts';
import type { JobEvent } from '../../src/jobs.ts';
import type { PrimeSource } from '../../src/ecdsa.ts';
import { storeTlsKey } from '../../src/pairing.ts';
import type { Pairing } from '../../src/state.ts';
import type { FakeHub } from './fake-hub.ts';
import type { TestCa } from './tls.ts';

export interface Instance {
  readonly id: string;
  readonly identity: Identity;
  readonly store: SecretStore;
  readonly sink: MemoryAuditSink;
  readonly cosigner: Cosigner;
  readonly events: JobEvent[];
  close(): Promise<void>;
}

export async function startInstance(
  id: string,
  ca: TestCa,
  hub: FakeHub,
  opts: {
    rules?: RiskRulesInput;
    callback?: { url: string; publicKeyPem: string };
    /** Paired API users (default: [`api-<id>`]) and their handlers (per API user). */
    apiUserIds?: string[];
    callbackHandlers?: { apiUserId: string; url: string; publicKeyPem: string }[];
    metrics?: CosignerMetrics;
    primes?: PrimeSource;
  } = {},
): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-cosigner-test-'));
  const store = await SecretStore.create(
    new MemoryBackend(),
    new PassphraseSeal('test passphrase', { scrypt: { N: 1024, r: 8, p: 1 } }),
  );
  const identity = createIdentity(store);
  const oneTime = OneTimeStore.open(store, fileCounter(join(dir, 'counter')));
  const client = await ca.issueClient(id);
  storeTlsKey(store, 'ws-1', client.pkcs8);
  const pairing: Pairing = {
    workspaceId: 'ws-1',
    cosignerId: id,
    name: id,
    hubApiUrl: 'https://127.0.0.1:1',
    cosignerUrl: hub.url,
    apiUserIds: opts.apiUserIds ?? [`api-${id}`],
    certificatePem: client.certPem,
    caCertificatePem: ca.certPem,
    hubJobKeyPem: hub.jobPublicPem,
    callbackHandler: opts.callback ?? null,
    ...(opts.callbackHandlers === undefined ? {} : { callbackHandlers: opts.callbackHandlers }),
    pending: [],
    pairedAt: Date.now(),
  };
  const sink = new MemoryAuditSink();
  const audit = await AuditLog.open(sink, { mode: 'redact' });
  const events: JobEvent[] = [];
  const cosigner = new Cosigner({
    identity,
    store,
    oneTime,
    pairings: [pairing],
    rules: parseRiskRules(opts.rules ?? { operations: { keygen: {}, sign: {} } }),
    audit,
    ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    ...(opts.primes === undefined ? {} : { primes: opts.primes }),
    callbacks: { timeoutMs: 5_000, retryDelaysMs: [] },
    heartbeatMs: 1_000,
    backoffMinMs: 50,
    backoffMaxMs: 200,
    onEvent: (_id, e) => events.push(e),
  });
  cosigner.start();
  return {
    id,
    identity,
    store,
    sink,
    cosigner,
    events,
    async close() {
      await cosigner.stop();
      oneTime.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function participant(
  inst: Instance,
  partyId: number,
  role: 'primary' | 'guard',
  set: string | null,
) {
  return { partyId, cosignerId: inst.id, role, set, identity: publicIdentity(inst.identity) };
}
