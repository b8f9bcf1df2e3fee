/**
 * The job loop of one pairing (issue 6 items 5-8; the relay contract, "Co-signer obligations"):
 * for each job from the hub, in this order, refusing at the first failure and before any protocol
 * message is sent:
 *   1. validate the job strictly; find ourselves among the participants with our own keys;
 *   2. verify the hub's authorization (pinned key) over the job's canonical hash;
 *   3. check the participants form a valid clique (committee schema for keygen, the key's stored
 *      schema for signing); 4. pin or check every peer's identity keys (TOFU);
 *   5. rebuild the digest from `raw` when present; run the embedded rules and every callback
 *      handler — both must approve;
 *   6. audit the decision (fail closed: no entry, no run);
 * then `job-accepted`, run the protocol in a runtime Session with every envelope sealed end to end
 * per recipient, store the outputs that must be kept, audit, and report `job-result` (public
 * outputs only). Envelopes that arrive before the job is accepted are buffered (bounded).
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ProtocolError, Session, cryptoRng, decodeEnvelope } from '@quorate/runtime';
import type { Rng, SentMessage } from '@quorate/runtime';
import { checkDigest, DigestError } from '@quorate/cosigner-risk/digest';
import type { RiskEngine } from '@quorate/cosigner-risk/rules';
import type { CallbackClient, HandlerConfig } from '@quorate/cosigner-risk/callback';
import type { AuditLog } from '@quorate/cosigner-risk/audit';
import type { CosignerMetrics } from '@quorate/cosigner-risk/metrics';
import type {
  ConfigChangeRequestBody,
  Operation,
  Transfer,
  TxSignRequestBody,
} from '@quorate/callback';
import type { OneTimeStore, SecretStore } from '@quorate/secrets';
import { checkClique, checkParticipants, schemaOfCommittee, SigningSchemaError } from './clique.ts';
import type { SigningSchema } from './clique.ts';
import { E2eError, openFrame, sealFrame } from './e2e.ts';
import type { PeerKeys } from './e2e.ts';
import type { Identity } from './identity.ts';
import { publicIdentity } from './identity.ts';
import { JobError, parseJob, verifyJobAuthorization } from './job.ts';
import type { Job } from './job.ts';
import { PresignatureUnavailableError } from './ecdsa.ts';
import type { PrimeSource } from './ecdsa.ts';
import { PinMismatchError, PinStore } from './pins.ts';
import {
  KeyStore,
  keySchema,
  prepareRun,
  UnknownKeyError,
  UnsupportedJobError,
} from './protocols.ts';
import type { PreparedRun } from './protocols.ts';

export type OutFrame =
  | { type: 'envelope'; jobId: string; to: string; data: string }
  | { type: 'job-accepted'; jobId: string }
  | { type: 'job-refused'; jobId: string; reason: string; check: RefusalCheck }
  | {
      type: 'job-result';
      jobId: string;
      status: 'done' | 'failed';
      output?: Record<string, unknown>;
      error?: {
        kind: 'aborted' | 'io' | 'bug';
        culprits: number[];
        reason: string;
        /** Ids of the protocol messages that prove an abort (optional in the relay contract). */
        evidence?: string[];
      };
    };

export type JobEvent =
  | { type: 'refused'; jobId: string; reason: string; check: RefusalCheck }
  | { type: 'accepted'; jobId: string }
  | { type: 'done'; jobId: string; output: Record<string, unknown>; local: unknown }
  | { type: 'failed'; jobId: string; error: ProtocolError }
  | { type: 'dropped'; jobId: string; from: string; reason: string };

export type RefusalCheck =
  | 'malformed'
  | 'not-participant'
  | 'authorization'
  | 'clique'
  | 'pinning'
  | 'unsupported'
  | 'presignature'
  | 'api-user'
  | 'digest'
  | 'rules'
  | 'callback'
  | 'audit';

class Refusal extends Error {
  constructor(
    readonly check: RefusalCheck,
    message: string,
  ) {
    super(message);
  }
}

export interface JobRunnerOptions {
  readonly cosignerId: string;
  readonly apiUserIds: () => readonly string[];
  readonly identity: Identity;
  readonly store: SecretStore;
  readonly oneTime: OneTimeStore;
  readonly hubJobKey: () => KeyObject | undefined;
  readonly rules: RiskEngine;
  readonly callbacks: CallbackClient;
  /** The callback handlers a job for this API user answers to (null: the job names none). */
  readonly handlers: (apiUserId: string | null) => readonly HandlerConfig[];
  readonly audit: AuditLog;
  readonly metrics?: CosignerMetrics;
  readonly send: (f: OutFrame) => void;
  readonly onEvent?: (e: JobEvent) => void;
  readonly now?: () => number;
  readonly rng?: Rng;
  /** Safe primes for ECDSA aux-info (the daemon's SafePrimePool; fixture primes in tests). */
  readonly primes?: PrimeSource;
}

interface RunningJob {
  readonly job: Job;
  state: 'checking' | 'running' | 'finished';
  session?: Session<unknown>;
  finish?: (out: unknown) => Record<string, unknown>;
  /** The stage after this session (ECDSA presign then sign), and its envelopes received early. */
  next?: (out: unknown) => PreparedRun;
  stage: number;
  ahead: { from: string; data: string }[];
  self: number;
  /** The current stage's parties (a stage may run among a subset, e.g. the new committee). */
  parties: number[];
  /** The current stage's failure hook (lifecycle jobs drop a pending share). */
  onFail?: () => void;
  peers: Map<string, PeerKeys>;
  byParty: Map<number, string>;
  buffer: { from: string; data: string }[];
  timer?: NodeJS.Timeout;
  started: number;
  protocol: string;
}

const MAX_BUFFERED = 256;
const MAX_EARLY_JOBS = 64;
/** Finished jobs remembered (so a repeated job id is ignored) before the oldest are forgotten. */
const MAX_REMEMBERED_JOBS = 10_000;

const JOB_OPERATION: Record<Job['kind'], Operation> = {
  keygen: 'keygen',
  'aux-info': 'keygen',
  refresh: 'refresh',
  reshare: 'reshare',
  presign: 'sign',
  sign: 'sign',
  // The toy protocol is a committee run without key material: it answers to the keygen rules.
  toy: 'keygen',
};

const hexBytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #jobs = new Map<string, RunningJob>();
  /** Envelopes for jobs we have not seen yet (they may overtake the job frame). */
  readonly #early = new Map<string, { from: string; data: string }[]>();
  readonly #pins: PinStore;
  readonly #keys: KeyStore;
  readonly #now: () => number;
  readonly #rng: Rng;

  constructor(o: JobRunnerOptions) {
    this.#o = o;
    this.#pins = new PinStore(o.store);
    this.#keys = new KeyStore(o.store);
    this.#now = o.now ?? Date.now;
    this.#rng = o.rng ?? cryptoRng;
  }

  get keys(): KeyStore {
    return this.#keys;
  }

  /** Handles a `job` frame's payload (untrusted). Resolves when the job is accepted or refused. */
  async onJob(raw: unknown): Promise<void> {
    let job: Job;
    try {
      job = parseJob(raw);
    } catch (e) {
      const jobId = (raw as { jobId?: unknown } | null)?.jobId;
      if (typeof jobId === 'string' && jobId.length > 0 && jobId.length <= 128)
        this.#refuse(jobId, 'malformed', e instanceof Error ? e.message : 'malformed job');
      return;
    }
    if (this.#jobs.has(job.jobId)) return; // a job id is never reused: ignore a repeat
    const run: RunningJob = {
      job,
      state: 'checking',
      stage: 0,
      ahead: [],
      self: 0,
      parties: job.participants.map((p) => p.partyId),
      peers: new Map(),
      byParty: new Map(job.participants.map((p) => [p.partyId, p.cosignerId])),
      buffer: this.#early.get(job.jobId) ?? [],
      started: this.#now(),
      protocol: `${job.algorithm}/${job.kind}`,
    };
    this.#early.delete(job.jobId);
    this.#jobs.set(job.jobId, run);
    this.#forgetOld();
    try {
      await this.#check(run);
    } catch (e) {
      run.state = 'finished';
      const r =
        e instanceof Refusal
          ? e
          : new Refusal('unsupported', e instanceof Error ? e.message : String(e));
      this.#refuse(job.jobId, r.check, r.message);
      return;
    }
    this.#start(run);
  }

  #forgetOld(): void {
    if (this.#jobs.size <= MAX_REMEMBERED_JOBS) return;
    for (const [id, r] of this.#jobs) {
      if (this.#jobs.size <= MAX_REMEMBERED_JOBS) break;
      if (r.state === 'finished') this.#jobs.delete(id);
    }
  }

  /** Handles a relayed `envelope` frame. Never throws. */
  onEnvelope(jobId: string, from: string, data: string): void {
    const run = this.#jobs.get(jobId);
    if (run === undefined) {
      if (this.#early.size >= MAX_EARLY_JOBS && !this.#early.has(jobId)) {
        // Evict the oldest unknown job's buffer: a flood of bogus job ids cannot pin memory.
        const oldest = this.#early.keys().next().value;
        if (oldest !== undefined) this.#early.delete(oldest);
      }
      const list = this.#early.get(jobId) ?? [];
      if (list.length < MAX_BUFFERED) list.push({ from, data });
      this.#early.set(jobId, list);
      return;
    }
    if (run.state === 'checking') {
      if (run.buffer.length < MAX_BUFFERED) run.buffer.push({ from, data });
      return;
    }
    if (run.state === 'running') this.#deliver(run, from, data);
  }

  onCancel(jobId: string, reason: string): void {
    const run = this.#jobs.get(jobId);
    this.#early.delete(jobId);
    if (run === undefined || run.state === 'finished') return;
    run.state = 'finished';
    if (run.timer) clearTimeout(run.timer);
    runFailHook(run);
    void this.#o.audit.append('job.cancelled', { jobId, reason }).catch(() => undefined);
  }

  /** Stops every running job (connection lost or shutting down): they fail as I/O. */
  abortAll(reason: string): void {
    for (const run of this.#jobs.values()) {
      if (run.state === 'finished') continue;
      run.state = 'finished';
      if (run.timer) clearTimeout(run.timer);
      runFailHook(run);
      void this.#o.audit
        .append('job.aborted', { jobId: run.job.jobId, reason })
        .catch(() => undefined);
    }
  }

  async #check(run: RunningJob): Promise<void> {
    const job = run.job;
    const o = this.#o;
    const me = job.participants.find((p) => p.cosignerId === o.cosignerId);
    if (me === undefined)
      throw new Refusal('not-participant', 'this co-signer is not a participant');
    const mine = publicIdentity(o.identity);
    if (me.identity.signing !== mine.signing || me.identity.encryption !== mine.encryption)
      throw new Refusal('pinning', 'the job lists other identity keys for this co-signer');

    const hubKey = o.hubJobKey();
    if (hubKey === undefined)
      throw new Refusal('authorization', 'no hub job-authorization key is pinned for this pairing');
    try {
      await verifyJobAuthorization(job, hubKey, this.#now());
    } catch (e) {
      throw new Refusal('authorization', e instanceof JobError ? e.message : 'bad authorization');
    }

    const committee = this.#checkClique(job);

    for (const p of job.participants)
      if (p.cosignerId !== o.cosignerId)
        run.peers.set(p.cosignerId, {
          signing: hexBytes(p.identity.signing),
          encryption: hexBytes(p.identity.encryption),
        });
    try {
      this.#pins.checkAndPin(run.peers);
    } catch (e) {
      if (e instanceof PinMismatchError) throw new Refusal('pinning', e.message);
      throw e;
    }

    // Supported at all? (cheap, before asking anyone)
    const kinds =
      job.algorithm === 'ecdsa-secp256k1'
        ? ['keygen', 'aux-info', 'presign', 'sign', 'refresh', 'reshare']
        : ['toy', 'keygen', 'sign', 'refresh', 'reshare'];
    if (!kinds.includes(job.kind))
      throw new Refusal('unsupported', `${job.algorithm} ${job.kind} is not supported yet`);

    const { body, admission } = await this.#risk(job);
    // The decision is audited before anything is sent; if the audit refuses, the job is refused.
    try {
      await o.audit.append('job.decision', {
        jobId: job.jobId,
        kind: job.kind,
        algorithm: job.algorithm,
        keyId: job.keyId,
        sessionId: job.sessionId,
        participants: body.participants ?? [],
        transfers: body.transfers,
        digests: body.digests,
        decision: 'approve',
      });
    } catch {
      admission.release();
      throw new Refusal('audit', 'the audit log refused the decision entry');
    }
    try {
      const prepared = await prepareRun(job, {
        keys: this.#keys,
        oneTime: o.oneTime,
        store: o.store,
        rng: this.#rng,
        ...(committee === undefined ? {} : { committee }),
        ...(o.primes === undefined ? {} : { primes: o.primes }),
        self: me.partyId,
      });
      run.self = me.partyId;
      this.#stage(run, prepared);
    } catch (e) {
      if (e instanceof UnsupportedJobError || e instanceof UnknownKeyError)
        throw new Refusal('unsupported', e.message);
      if (e instanceof PresignatureUnavailableError) throw new Refusal('presignature', e.message);
      throw e;
    }
  }

  /** Creates the session of a stage: stage 0 runs on the job's session id, later ones on a derived one. */
  #stage(run: RunningJob, first: PreparedRun): void {
    const job = run.job;
    let prepared = first;
    // A stage among a subset this party is not in: go straight to the one after it.
    while (prepared.parties !== undefined && !prepared.parties.includes(run.self)) {
      if (prepared.skip === undefined) throw new Error('a stage without this party has no skip');
      prepared = prepared.skip();
      run.stage += 1;
    }
    run.parties = [...(prepared.parties ?? job.participants.map((p) => p.partyId))];
    if (prepared.onFail === undefined) delete run.onFail;
    else run.onFail = prepared.onFail;
    run.session = Session.create(prepared.def, {
      sessionId: stageSessionId(job.sessionId, run.stage),
      self: run.self,
      parties: run.parties,
      ...(prepared.threshold === undefined ? {} : { threshold: prepared.threshold }),
      rng: this.#rng,
      config: prepared.config,
    });
    run.finish = prepared.finish;
    if (prepared.next === undefined) delete run.next;
    else run.next = prepared.next;
  }

  #checkClique(job: Job): SigningSchema | undefined {
    try {
      if (job.kind === 'keygen' || job.kind === 'aux-info' || job.kind === 'refresh') {
        // The committee declares the schema; it must be a valid one (threshold = 1 + sets).
        return schemaOfCommittee(job.participants, job.threshold);
      }
      if (job.kind === 'reshare') {
        // The new committee declares the new schema; the dealers are checked against the key.
        const fresh = new Set(job.reshare?.newParties ?? []);
        return schemaOfCommittee(
          job.participants.filter((p) => fresh.has(p.partyId)),
          job.threshold,
        );
      }
      if (job.kind === 'toy') {
        const guards = job.participants.filter((p) => p.role === 'guard');
        const sets = new Set(guards.map((g) => g.set));
        const schema = schemaOfCommittee(job.participants, 1 + sets.size);
        const c = checkClique(
          schema,
          job.participants.map((p) => p.partyId),
        );
        if (!c.valid) throw new Refusal('clique', `not a valid clique: ${c.problem} (${c.detail})`);
        return undefined;
      }
    } catch (e) {
      if (e instanceof SigningSchemaError)
        throw new Refusal('clique', `not a valid signing schema: ${e.message}`);
      throw e;
    }
    if (job.keyId === null) throw new Refusal('malformed', `${job.kind} needs a keyId`);
    const schema = keySchema(this.#keys, job.keyId);
    if (schema === undefined)
      throw new Refusal('unsupported', `no key ${job.keyId} on this co-signer`);
    const c = checkParticipants(schema, job.participants);
    if (!c.valid) throw new Refusal('clique', `not a valid clique: ${c.problem} (${c.detail})`);
    return undefined;
  }

  async #risk(job: Job): Promise<{ body: TxSignRequestBody; admission: { release(): void } }> {
    const o = this.#o;
    let transfers: readonly Transfer[] = [];
    let rawTxKind: TxSignRequestBody['rawTxKind'];
    let fee: string | undefined;
    const req = job.request;
    if (req?.raw) {
      try {
        const decoded = checkDigest({
          kind: req.raw.kind,
          raw: hexBytes(req.raw.data),
          digests: [req.digest],
        });
        transfers = decoded.transfers;
        rawTxKind = decoded.kind;
        fee = decoded.fee;
      } catch (e) {
        if (e instanceof DigestError) {
          this.#decided('reject', 'digest');
          throw new Refusal('digest', `digest check failed (${e.kind}, ${e.field}): ${e.message}`);
        }
        throw e;
      }
    }
    const paired = o.apiUserIds();
    const jobUser = job.apiUserId ?? null;
    // The primary of a signature is the co-signer of the API user it is for: it signs only for
    // its own approved API users (guards take part in other users' signatures by design). A job
    // without the field comes from a hub that predates it: the check cannot apply.
    const me = job.participants.find((p) => p.cosignerId === o.cosignerId);
    const forOther = job.apiUserId !== undefined && (jobUser === null || !paired.includes(jobUser));
    if (job.kind === 'sign' && me?.role === 'primary' && forOther) {
      this.#decided('reject', 'api-user');
      const why =
        jobUser === null
          ? 'the sign job names no API user'
          : `API user ${jobUser} is not paired with this co-signer`;
      await this.#auditRefusal(job, 'api-user', why);
      throw new Refusal('api-user', why);
    }
    // Hub-internal jobs (presign refills) name no API user: shown as the first paired one.
    const apiUserId = jobUser ?? paired[0] ?? o.cosignerId;
    const body: TxSignRequestBody = {
      requestId: job.jobId,
      apiUserId,
      operation: JOB_OPERATION[job.kind],
      ...(job.keyId === null ? {} : { keyId: job.keyId }),
      participants: job.participants.map((p) => p.cosignerId),
      ...(job.threshold === null ? {} : { threshold: job.threshold }),
      ...(rawTxKind === undefined ? {} : { rawTxKind }),
      transfers: [...transfers],
      ...(fee === undefined ? {} : { fee }),
      digests: req === null ? [] : [req.digest],
      ...(req === null ? {} : { note: `transaction ${req.transactionId}`.slice(0, 1024) }),
    };
    const admission = o.rules.admit(body, this.#now());
    if (!admission.decision.approved) {
      this.#decided('reject', 'rules');
      await this.#auditRefusal(job, 'rules', admission.decision.reason);
      throw new Refusal(
        'rules',
        `embedded rule ${admission.decision.rule}: ${admission.decision.reason}`,
      );
    }
    const handlers = o.handlers(jobUser);
    if (handlers.length > 0) {
      // A refresh or reshare changes who holds the key: the handlers' config-change endpoint.
      const d =
        job.kind === 'refresh' || job.kind === 'reshare'
          ? await o.callbacks.configChangeRequest(handlers, configChangeBody(job, apiUserId))
          : await o.callbacks.txSignRequest(handlers, body);
      if (!d.approved) {
        admission.release();
        this.#decided('reject', 'callback');
        const why = d.handlers
          .map((h) =>
            'action' in h
              ? `${h.handler}: ${h.action}${h.rejectionReason ? ` (${h.rejectionReason})` : ''}`
              : `${h.handler}: ${h.error.kind}`,
          )
          .join('; ');
        await this.#auditRefusal(job, 'callback', why);
        throw new Refusal('callback', `callback handlers did not approve (${d.outcome}): ${why}`);
      }
    }
    this.#decided('approve', handlers.length > 0 ? 'callback' : 'rules');
    return { body, admission };
  }

  #decided(decision: 'approve' | 'reject', by: string): void {
    this.#o.metrics?.riskDecisions.inc({ decision, decided_by: by });
  }

  async #auditRefusal(job: Job, check: RefusalCheck, reason: string): Promise<void> {
    // A refusal is recorded too; if the audit fails the job is refused all the same.
    await this.#o.audit
      .append('job.decision', { jobId: job.jobId, decision: 'reject', check, reason })
      .catch(() => undefined);
  }

  #refuse(jobId: string, check: RefusalCheck, reason: string): void {
    const r = reason.slice(0, 1000);
    this.#o.send({ type: 'job-refused', jobId, reason: r, check });
    this.#o.onEvent?.({ type: 'refused', jobId, reason: r, check });
  }

  #start(run: RunningJob): void {
    const o = this.#o;
    const session = run.session as Session<unknown>;
    run.state = 'running';
    o.send({ type: 'job-accepted', jobId: run.job.jobId });
    o.onEvent?.({ type: 'accepted', jobId: run.job.jobId });
    run.timer = setTimeout(() => {
      // The job's time-out covers every stage: time out whichever session runs now.
      (run.session as Session<unknown>).timeout();
      this.#settle(run);
    }, run.job.timeoutMs);
    run.timer.unref?.();
    session.start();
    this.#flush(run);
    const buffered = run.buffer.splice(0, run.buffer.length);
    for (const b of buffered) {
      if (run.state !== 'running') break;
      this.#deliver(run, b.from, b.data);
    }
    this.#settle(run);
  }

  #deliver(run: RunningJob, from: string, data: string): void {
    const peer = run.peers.get(from);
    if (peer === undefined) {
      this.#o.onEvent?.({
        type: 'dropped',
        jobId: run.job.jobId,
        from,
        reason: 'not a participant',
      });
      return;
    }
    let plain: Uint8Array;
    try {
      plain = openFrame(
        this.#o.identity,
        peer,
        run.job.jobId,
        from,
        this.#o.cosignerId,
        Buffer.from(data, 'base64'),
      );
    } catch (e) {
      this.#o.onEvent?.({
        type: 'dropped',
        jobId: run.job.jobId,
        from,
        reason: e instanceof E2eError ? e.reason : 'undecodable',
      });
      return;
    }
    // The envelope's own sender and receiver must be the E2E sender and us: otherwise a
    // participant could speak for another party inside a frame it legitimately signed.
    let inner: { from: number; to: number | null; session: string };
    try {
      inner = decodeEnvelope(plain);
    } catch {
      this.#o.onEvent?.({ type: 'dropped', jobId: run.job.jobId, from, reason: 'malformed' });
      return;
    }
    const self = run.byParty.get(inner.to ?? -1);
    if (
      run.byParty.get(inner.from) !== from ||
      (inner.to !== null && self !== this.#o.cosignerId)
    ) {
      this.#o.onEvent?.({ type: 'dropped', jobId: run.job.jobId, from, reason: 'sender-mismatch' });
      return;
    }
    if (run.next !== undefined && isLaterStage(run.job.sessionId, run.stage, inner.session)) {
      // A faster peer already runs a later stage: keep its messages until we get there.
      if (run.ahead.length < MAX_BUFFERED) run.ahead.push({ from, data });
      return;
    }
    const session = run.session as Session<unknown>;
    const r = session.receive(plain);
    if (r.status === 'dropped')
      this.#o.onEvent?.({ type: 'dropped', jobId: run.job.jobId, from, reason: r.reason });
    this.#flush(run);
    this.#settle(run);
  }

  /** Seals and sends what the session produced: one envelope frame per recipient. */
  #flush(run: RunningJob): void {
    const session = run.session as Session<unknown>;
    const out: SentMessage[] = session.takeOutgoing();
    for (const m of out) {
      const targets =
        m.envelope.to === null
          ? run.parties.filter((p) => p !== run.self).map((p) => run.byParty.get(p) as string)
          : [run.byParty.get(m.envelope.to) as string];
      for (const to of targets) {
        const peer = run.peers.get(to) as PeerKeys;
        const data = sealFrame(
          this.#o.identity,
          peer,
          run.job.jobId,
          this.#o.cosignerId,
          to,
          m.bytes,
        );
        this.#o.send({
          type: 'envelope',
          jobId: run.job.jobId,
          to,
          data: Buffer.from(data).toString('base64'),
        });
      }
    }
  }

  #settle(run: RunningJob): void {
    const session = run.session as Session<unknown>;
    if (run.state !== 'running' || session.status === 'running') return;
    if (session.status === 'done' && run.next !== undefined) {
      try {
        const next = run.next(session.output);
        run.stage += 1;
        this.#stage(run, next);
      } catch (e) {
        run.state = 'finished';
        if (run.timer) clearTimeout(run.timer);
        this.#failed(
          run,
          ProtocolError.bug(
            `starting the next stage failed: ${e instanceof Error ? e.name : 'error'}`,
          ),
        );
        return;
      }
      const fresh = run.session as Session<unknown>;
      fresh.start();
      this.#flush(run);
      for (const b of run.ahead.splice(0, run.ahead.length)) {
        if (run.state !== 'running') break;
        this.#deliver(run, b.from, b.data);
      }
      this.#settle(run);
      return;
    }
    run.state = 'finished';
    if (run.timer) clearTimeout(run.timer);
    const o = this.#o;
    const jobId = run.job.jobId;
    const seconds = (this.#now() - run.started) / 1000;
    o.metrics?.protocolDuration.observe({ protocol: run.protocol }, seconds);
    if (session.status === 'done') {
      let output: Record<string, unknown>;
      try {
        output = (run.finish as (x: unknown) => Record<string, unknown>)(session.output);
      } catch (e) {
        this.#failed(
          run,
          ProtocolError.bug(`storing the output failed: ${e instanceof Error ? e.name : 'error'}`),
        );
        return;
      }
      o.metrics?.protocolRuns.inc({ protocol: run.protocol, outcome: 'done' });
      // The result leaves only once its audit entry is stored (fail closed).
      o.audit.append('job.result', { jobId, status: 'done', output }).then(
        () => {
          o.send({ type: 'job-result', jobId, status: 'done', output });
          o.onEvent?.({ type: 'done', jobId, output, local: session.output });
        },
        () => this.#failed(run, ProtocolError.bug('the audit log refused the result entry'), false),
      );
      return;
    }
    this.#failed(run, session.error ?? ProtocolError.bug('session failed without an error'));
  }

  #failed(run: RunningJob, err: ProtocolError, audit = true): void {
    const o = this.#o;
    runFailHook(run);
    o.metrics?.protocolRuns.inc({ protocol: run.protocol, outcome: err.kind });
    const frame: OutFrame = {
      type: 'job-result',
      jobId: run.job.jobId,
      status: 'failed',
      error: {
        kind: err.kind,
        culprits: [...err.culprits],
        reason: err.message.slice(0, 1000),
        // The runtime's blame evidence (message ids), so the hub can keep it with the quarantine.
        ...(err.kind === 'aborted'
          ? { evidence: [...new Set(err.blame.flatMap((b) => b.evidence))].slice(0, 256) }
          : {}),
      },
    };
    const done = () => {
      o.send(frame);
      o.onEvent?.({ type: 'failed', jobId: run.job.jobId, error: err });
    };
    if (!audit) return done();
    o.audit
      .append('job.result', {
        jobId: run.job.jobId,
        status: 'failed',
        kind: err.kind,
        culprits: [...err.culprits],
      })
      .then(done, done);
  }
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Stages a job may have after the current one (lifecycle jobs have at most four in all). */
const MAX_LATER_STAGES = 4;

function isLaterStage(sessionIdHex: string, stage: number, session: string): boolean {
  for (let k = stage + 1; k <= stage + MAX_LATER_STAGES; k++)
    if (session === hexOf(stageSessionId(sessionIdHex, k))) return true;
  return false;
}

function runFailHook(run: RunningJob): void {
  const hook = run.onFail;
  delete run.onFail;
  try {
    hook?.();
  } catch {
    // The hook only drops a pending share; if the store refuses, the old share is still active.
  }
}

/** The config_change_sign_request body of a refresh or reshare (callback handlers). */
function configChangeBody(job: Job, apiUserId: string): ConfigChangeRequestBody {
  const details: Record<string, string> = {
    jobId: job.jobId,
    algorithm: job.algorithm,
    keyId: job.keyId ?? '',
    participants: job.participants.map((p) => `${p.partyId}:${p.cosignerId}`).join(','),
    threshold: String(job.threshold ?? ''),
  };
  if (job.reshare !== undefined) {
    details['publicKey'] = job.reshare.publicKey;
    details['oldThreshold'] = String(job.reshare.oldThreshold);
    details['dealers'] = job.reshare.dealers.join(',');
    details['newParties'] = job.reshare.newParties.join(',');
  }
  return {
    requestId: job.jobId,
    apiUserId,
    changeType: job.kind === 'reshare' ? 'RESHARE_KEY' : 'REFRESH_KEY',
    details,
  };
}

/**
 * The session id of a job's stage: the job's own for stage 0; for later stages
 * SHA-256("quorate/cosigner/stage/v1" ‖ job session id ‖ stage), so every party derives the same
 * fresh id and the stages' transcripts never mix.
 */
export function stageSessionId(sessionIdHex: string, stage: number): Uint8Array {
  if (stage === 0) return hexBytes(sessionIdHex);
  return createHash('sha256')
    .update('quorate/cosigner/stage/v1')
    .update(hexBytes(sessionIdHex))
    .update(Uint8Array.of(stage))
    .digest();
}

/** Imports the hub's job-signing public key (SPKI PEM). */
export function importHubKey(pem: string): KeyObject {
  return createPublicKey(pem);
}
