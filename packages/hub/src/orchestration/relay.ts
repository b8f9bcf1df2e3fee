/**
 * The co-signers' WebSocket endpoint and the protocol relay (issue 7 "Orchestration"; the relay
 * contract). Mounted on the mTLS listener at `/v1/cosigner/ws`: the TLS handshake already refused
 * any certificate not issued by the internal CA; here the certificate is matched to a paired
 * co-signer (else 403 before the upgrade). Then:
 *  - `hello` must name the certificate's co-signer; its identity keys are recorded on first use
 *    and a later hello with other keys is refused (the hub cannot swap keys silently either);
 *  - a job is sent to its participants; the job's envelopes are relayed only between its
 *    participants, unread (they are end-to-end encrypted); anything else is dropped and counted;
 *  - the job ends at the first refusal or failure, when every participant reported done, or at
 *    its time-out; the other participants then get `cancel`.
 * Bad frames are dropped and the connection stays up. State is in memory: jobs do not survive a
 * hub restart (the signing service records each attempt, and a restarted hub fails over).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { fingerprintOf } from '../cosigners/ca.ts';
import type { HubContext } from '../context.ts';
import type { CosignerRegistry } from '../cosigners/registry.ts';
import { MAX_FRAME_BYTES, parseCosignerFrame } from './frames.ts';
import type { CosignerFrame, HubFrame, Job } from './frames.ts';
import { canonicalJson } from './authorization.ts';
import './tables.ts';

export const WS_PATH = '/v1/cosigner/ws';
/** A co-signer that sent nothing for this long is offline (contract: heartbeat every 10 s). */
export const SILENCE_OFFLINE_MS = 30_000;

/** A participant that reported `done` before the job ended otherwise, with its output. */
export interface ReportedDone {
  readonly cosignerId: string;
  readonly output: Readonly<Record<string, unknown>>;
}

export type JobOutcome =
  | { readonly status: 'done'; readonly output: Readonly<Record<string, unknown>> }
  | {
      readonly status: 'refused';
      readonly by: string;
      readonly reason: string;
      /** The co-signer's check that refused, when it says (job-refused `check`). */
      readonly check?: string;
    }
  | {
      readonly status: 'failed';
      readonly by: string;
      readonly kind: 'aborted' | 'io' | 'bug';
      readonly culprits: readonly number[];
      readonly reason: string;
      /** Message ids proving an abort, as the reporting co-signer sent them (may be empty). */
      readonly evidence: readonly string[];
      /** Participants that had reported done (a refresh or reshare may have committed there). */
      readonly doneBy?: readonly ReportedDone[];
    }
  /** `missing`: the parties that never accepted, else those that had not reported done. */
  | {
      readonly status: 'timeout';
      readonly missing: readonly number[];
      readonly doneBy?: readonly ReportedDone[];
    }
  | { readonly status: 'unreachable'; readonly missing: readonly number[] };

/**
 * Who had reported done before the job ended otherwise. For a refresh or reshare it matters: a
 * co-signer reports done only after committing its new share, so the others hold theirs in doubt
 * (quorate cosigner keys list / resolve).
 */
const doneAt = (d: readonly ReportedDone[] | undefined) =>
  d === undefined || d.length === 0 ? '' : `; done at ${d.map((x) => x.cosignerId).join(', ')}`;

/** One line for a job's outcome: what the transaction's transitions and the vault record say. */
export function describeOutcome(o: JobOutcome): string {
  switch (o.status) {
    case 'done':
      return 'done';
    case 'refused':
      return `refused by ${o.by}: ${o.reason}`;
    case 'failed':
      return (
        `${o.kind} reported by ${o.by}: ${o.reason}` +
        (o.culprits.length > 0 ? ` (culprits: parties ${o.culprits.join(', ')})` : '') +
        doneAt(o.doneBy)
      );
    case 'timeout':
      return `session timed out waiting for parties ${o.missing.join(', ')}${doneAt(o.doneBy)}`;
    case 'unreachable':
      return `parties ${o.missing.join(', ')} are not connected`;
  }
}

export type DropReason =
  | 'bad_frame'
  | 'not_hello_yet'
  | 'unknown_job'
  | 'not_a_participant'
  | 'bad_recipient'
  | 'recipient_offline'
  | 'duplicate_result';

export interface Drop {
  readonly reason: DropReason;
  readonly from: string;
  readonly jobId: string | null;
  readonly field?: string;
}

interface Connection {
  readonly cosignerId: string;
  readonly ws: WebSocket;
  ready: boolean;
  lastFrameAt: number;
  /** Frames are handled one at a time, in order (hello's lookup is async). */
  queue: Promise<void>;
}

interface RunningJob {
  readonly job: Job;
  readonly byCosigner: Map<string, number>;
  readonly accepted: Set<string>;
  readonly done: Map<string, string>;
  readonly finish: (o: JobOutcome) => void;
}

export interface RelayOptions {
  /** Called for every dropped frame (logs, metrics, tests). */
  readonly onDrop?: (d: Drop) => void;
  /** Schedules a job's time-out; returns its cancel. Tests pass a manual clock. */
  readonly setTimer?: (fire: () => void, ms: number) => () => void;
}

function realTimer(fire: () => void, ms: number): () => void {
  const t = setTimeout(fire, ms);
  t.unref();
  return () => clearTimeout(t);
}

export function createRelay(ctx: HubContext, registry: CosignerRegistry, opts: RelayOptions = {}) {
  const { db, now } = ctx;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const conns = new Map<string, Connection>();
  const jobs = new Map<string, RunningJob>();
  const drops: Drop[] = [];

  function drop(d: Drop): void {
    drops.push(d);
    if (drops.length > 1000) drops.shift();
    opts.onDrop?.(d);
  }

  function send(cosignerId: string, frame: HubFrame): boolean {
    const c = conns.get(cosignerId);
    if (c === undefined || !c.ready || c.ws.readyState !== c.ws.OPEN) return false;
    c.ws.send(JSON.stringify(frame));
    return true;
  }

  async function onHello(c: Connection, f: Extract<CosignerFrame, { type: 'hello' }>) {
    if (f.cosignerId !== c.cosignerId) {
      c.ws.close(1008, 'hello names another co-signer than the certificate');
      return;
    }
    const known = await db
      .selectFrom('cosigner_identities')
      .selectAll()
      .where('cosigner_id', '=', c.cosignerId)
      .executeTakeFirst();
    if (known === undefined) {
      await db
        .insertInto('cosigner_identities')
        .values({
          cosigner_id: c.cosignerId,
          signing_key: f.identity.signing,
          encryption_key: f.identity.encryption,
          first_seen_at: now(),
        })
        .execute();
    } else if (
      known.signing_key !== f.identity.signing ||
      known.encryption_key !== f.identity.encryption
    ) {
      c.ws.close(1008, 'identity keys differ from the ones recorded at first hello');
      return;
    }
    const old = conns.get(c.cosignerId);
    if (old !== undefined && old !== c) old.ws.close(1000, 'replaced by a newer connection');
    c.ready = true;
    conns.set(c.cosignerId, c);
    await registry.heartbeat(c.cosignerId);
  }

  function onJobFrame(c: Connection, f: CosignerFrame & { jobId: string }) {
    const run = jobs.get(f.jobId);
    if (run === undefined)
      return drop({ reason: 'unknown_job', from: c.cosignerId, jobId: f.jobId });
    if (!run.byCosigner.has(c.cosignerId))
      return drop({ reason: 'not_a_participant', from: c.cosignerId, jobId: f.jobId });
    switch (f.type) {
      case 'envelope': {
        if (!run.byCosigner.has(f.to) || f.to === c.cosignerId)
          return drop({ reason: 'bad_recipient', from: c.cosignerId, jobId: f.jobId });
        const sent = send(f.to, {
          type: 'envelope',
          jobId: f.jobId,
          from: c.cosignerId,
          data: f.data,
        });
        if (!sent) drop({ reason: 'recipient_offline', from: c.cosignerId, jobId: f.jobId });
        return;
      }
      case 'job-accepted':
        run.accepted.add(c.cosignerId);
        return;
      case 'job-refused':
        return run.finish({
          status: 'refused',
          by: c.cosignerId,
          reason: f.reason,
          ...(f.check === undefined ? {} : { check: f.check }),
        });
      case 'job-result': {
        if (run.done.has(c.cosignerId))
          return drop({ reason: 'duplicate_result', from: c.cosignerId, jobId: f.jobId });
        if (f.status === 'failed') {
          const e = f.error ?? { kind: 'bug' as const, culprits: [], reason: 'no error given' };
          return run.finish({
            status: 'failed',
            by: c.cosignerId,
            kind: e.kind,
            culprits: e.culprits,
            reason: e.reason,
            evidence: [...new Set(e.evidence ?? [])],
          });
        }
        const output = f.output ?? {};
        run.done.set(c.cosignerId, canonicalJson(output));
        if (run.done.size < run.byCosigner.size) return;
        const outputs = new Set(run.done.values());
        if (outputs.size !== 1)
          return run.finish({
            status: 'failed',
            by: c.cosignerId,
            kind: 'bug',
            culprits: [],
            evidence: [],
            reason: 'the participants reported different outputs',
          });
        return run.finish({ status: 'done', output });
      }
    }
  }

  async function onMessage(c: Connection, text: string) {
    c.lastFrameAt = now();
    const parsed = parseCosignerFrame(text);
    if (!parsed.ok)
      return drop({ reason: 'bad_frame', from: c.cosignerId, jobId: null, field: parsed.field });
    const f = parsed.frame;
    if (f.type === 'hello') return onHello(c, f);
    if (!c.ready) return drop({ reason: 'not_hello_yet', from: c.cosignerId, jobId: null });
    if (f.type === 'heartbeat') return registry.heartbeat(c.cosignerId);
    return onJobFrame(c, f);
  }

  function onConnection(ws: WebSocket, cosignerId: string) {
    const c: Connection = {
      cosignerId,
      ws,
      ready: false,
      lastFrameAt: now(),
      queue: Promise.resolve(),
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return drop({ reason: 'bad_frame', from: cosignerId, jobId: null });
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      c.queue = c.queue
        .then(() => onMessage(c, text))
        .catch(() => drop({ reason: 'bad_frame', from: cosignerId, jobId: null }));
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (conns.get(cosignerId) === c) conns.delete(cosignerId);
    });
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if ((req.url ?? '').split('?')[0] !== WS_PATH) return refuse('404 Not Found');
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    if (!peer || !peer.raw) return refuse('401 Unauthorized');
    const cosigner = await registry.byFingerprint(fingerprintOf(new Uint8Array(peer.raw)));
    if (cosigner === undefined) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, cosigner.id));
  }

  return {
    /** Takes WebSocket upgrades of the mTLS listener's server. */
    attach(server: HttpsServer | Server): void {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        onUpgrade(req, socket, head).catch(() => socket.destroy());
      });
    },

    /** Connected, said hello, and not silent for more than 30 s. */
    isOnline(cosignerId: string): boolean {
      const c = conns.get(cosignerId);
      return c !== undefined && c.ready && now() - c.lastFrameAt <= SILENCE_OFFLINE_MS;
    },

    async identity(cosignerId: string) {
      const r = await db
        .selectFrom('cosigner_identities')
        .selectAll()
        .where('cosigner_id', '=', cosignerId)
        .executeTakeFirst();
      return r === undefined ? null : { signing: r.signing_key, encryption: r.encryption_key };
    },

    /** Sends `job` to its participants and resolves with how it ended. Never rejects. */
    runJob(job: Job): Promise<JobOutcome> {
      const byCosigner = new Map(job.participants.map((p) => [p.cosignerId, p.partyId]));
      const offline = job.participants.filter((p) => !this.isOnline(p.cosignerId));
      if (offline.length > 0)
        return Promise.resolve({
          status: 'unreachable',
          missing: offline.map((p) => p.partyId).sort((a, b) => a - b),
        });
      return new Promise<JobOutcome>((resolve) => {
        const run: RunningJob = {
          job,
          byCosigner,
          accepted: new Set(),
          done: new Map(),
          finish(o) {
            if (jobs.get(job.jobId) !== run) return;
            jobs.delete(job.jobId);
            cancelTimer();
            if (o.status !== 'done')
              for (const p of job.participants)
                if (!run.done.has(p.cosignerId))
                  send(p.cosignerId, { type: 'cancel', jobId: job.jobId, reason: o.status });
            const doneBy = [...run.done].map(([cosignerId, output]) => ({
              cosignerId,
              output: JSON.parse(output) as Record<string, unknown>,
            }));
            resolve(
              (o.status === 'failed' || o.status === 'timeout') && doneBy.length > 0
                ? { ...o, doneBy }
                : o,
            );
          },
        };
        jobs.set(job.jobId, run);
        const cancelTimer = (opts.setTimer ?? realTimer)(() => {
          // Blame the silent: parties that never accepted, else those without a result.
          const silent = job.participants.filter((p) => !run.accepted.has(p.cosignerId));
          const missing = (silent.length > 0 ? silent : job.participants)
            .filter((p) => !run.done.has(p.cosignerId))
            .map((p) => p.partyId)
            .sort((a, b) => a - b);
          run.finish({ status: 'timeout', missing });
        }, job.timeoutMs);
        for (const p of job.participants) send(p.cosignerId, { type: 'job', job });
      });
    },

    /** Ends a running job (e.g. the transaction was cancelled). */
    cancel(jobId: string, reason: string): void {
      jobs
        .get(jobId)
        ?.finish({ status: 'failed', by: 'hub', kind: 'io', culprits: [], evidence: [], reason });
    },

    runningJobs(): readonly string[] {
      return [...jobs.keys()];
    },

    /** The co-signers that reported a running job done so far. */
    reportedDone(jobId: string): readonly string[] {
      return [...(jobs.get(jobId)?.done.keys() ?? [])];
    },

    drops(): readonly Drop[] {
      return drops;
    },

    async close(): Promise<void> {
      for (const run of [...jobs.values()])
        run.finish({
          status: 'failed',
          by: 'hub',
          kind: 'io',
          culprits: [],
          evidence: [],
          reason: 'hub stopping',
        });
      for (const c of conns.values()) c.ws.terminate();
      conns.clear();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

export type Relay = ReturnType<typeof createRelay>;
