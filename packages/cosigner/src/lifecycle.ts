/**
 * Key lifecycle jobs of the co-signer (issue 9 item 1, issue 6 item 6; docs/recovery.md
 * "Resharing and its commit rule"): `refresh` (same key and committee, new shares) and `reshare`
 * (the key handed from the old committee to a new one, possibly with a new threshold), for
 * CGGMP21 (ecdsa-secp256k1) and FROST (eddsa-ed25519, schnorr-bip340) keys.
 *
 * A job runs as stages of one session id family (jobs.ts `stageSessionId`):
 *   refresh:  refresh protocol (CGGMP21 Fig. 6 with fresh primes, i.e. aux-info refreshed too;
 *             FROST zero-sharing refresh) → ack;
 *   reshare:  announce (the dealers' agreed public data of the old key, which a new member
 *             cannot know otherwise) → reshare (Desmedt–Jajodia redistribution) → CGGMP21 only:
 *             aux-info among the new committee → ack.
 * Atomicity (the commit rule of @quorate/runtime `commitDecision`): before its ack leaves, a new
 * party stores its new share as PENDING next to the old one, which stays the active share. The
 * ack stage is one broadcast of the confirmation digest, end-to-end signed by each co-signer's
 * identity key (so the hub cannot forge one); only when every new party acknowledged the same
 * digest does a party swap: the pending share becomes active and the old share is erased (a
 * leaving dealer erases its share and the key's metadata), and the key's presignatures — bound to
 * the old shares — are deleted. A failure before the ack stage drops the pending share; a failure
 * during the ack stage keeps it next to the active old one ("in doubt": others may have
 * committed), for an operator or a later job to resolve.
 */
import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  auxInfo,
  deserializeKeyShare,
  refresh as ecdsaRefresh,
  reshare as ecdsaReshare,
  oldKeyPublic,
  serializeKeyShare as serializeEcdsa,
  validateKeyShare as validateEcdsa,
} from '@quorate/cggmp21';
import type {
  KeyShare as EcdsaShare,
  OldKeyPublic,
  ReshareOutput as EcdsaReshareOutput,
} from '@quorate/cggmp21';
import {
  frostOldKeyPublic,
  frostRefresh,
  frostReshare,
  getSuite,
  serializeKeyShare as serializeFrost,
} from '@quorate/frost';
import type {
  FrostOldKeyPublic,
  FrostReshareOutput,
  KeyShare as FrostShare,
  SuiteId,
} from '@quorate/frost';
import { levelByName } from '@quorate/paillier';
import { codec, commitDecision } from '@quorate/runtime';
import type { Inbox, PartyId, ProtocolDefinition, RoundResult } from '@quorate/runtime';
import type { SigningSchema } from './clique.ts';
import type { Job } from './job.ts';
import type { KeyMeta, KeyStore, PrepareContext, PreparedRun } from './protocols.ts';
import { UnknownKeyError, UnsupportedJobError } from './protocols.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const def = <O, C>(d: ProtocolDefinition<O, C>) =>
  d as unknown as ProtocolDefinition<unknown, unknown>;

const SUITES: Partial<Record<Job['algorithm'], SuiteId>> = {
  'eddsa-ed25519': 'ed25519',
  'schnorr-bip340': 'secp256k1-tr',
};
const schemeOf = (algorithm: Job['algorithm']) =>
  algorithm === 'ecdsa-secp256k1' ? 'cggmp21' : 'frost';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

// ---------------------------------------------------------------------------------------------
// Pending shares: stored next to the active one, swapped or dropped as one transaction.

interface PendingMeta {
  readonly jobId: string;
  readonly confirmation: string;
  readonly meta: KeyMeta;
}

export class PendingShares {
  constructor(private readonly keys: KeyStore) {}

  /** The pending share of a key, if one is stored (e.g. in doubt after a failed ack stage). */
  get(name: string): { jobId: string; confirmation: string; share: Uint8Array } | undefined {
    const m = this.keys.store.get('key-meta-pending', name, 'meta');
    if (m === undefined) return undefined;
    const pm = JSON.parse(dec.decode(m)) as PendingMeta;
    const share = this.keys.store.get('key-share-pending', name, schemeOf(pm.meta.algorithm));
    return share === undefined
      ? undefined
      : { jobId: pm.jobId, confirmation: pm.confirmation, share };
  }

  /** The metadata (committee) the pending share takes on at its commit. */
  meta(name: string): KeyMeta | undefined {
    const m = this.keys.store.get('key-meta-pending', name, 'meta');
    return m === undefined ? undefined : (JSON.parse(dec.decode(m)) as PendingMeta).meta;
  }

  /** Durably stores the new share as pending (replacing an older pending one). */
  put(name: string, scheme: string, share: Uint8Array, pm: PendingMeta): void {
    this.keys.store.transaction((tx) => {
      tx.put('key-share-pending', name, scheme, share);
      tx.put('key-meta-pending', name, 'meta', enc.encode(JSON.stringify(pm)));
    });
  }

  /** Erases the key's active share, metadata, alias and presignatures, in one transaction. */
  erase(name: string, publicKey: string): void {
    this.keys.store.transaction((tx) => {
      for (const r of tx.list('presignature', name)) tx.delete('presignature', name, r.id);
      for (const r of tx.list('key-share', name)) tx.delete('key-share', name, r.id);
      tx.delete('key-meta', name, 'meta');
      tx.delete('key-alias', 'pub', publicKey);
    });
  }

  drop(name: string, jobId: string): void {
    const cur = this.get(name);
    if (cur === undefined || cur.jobId !== jobId) return;
    this.keys.store.transaction((tx) => {
      for (const r of tx.list('key-share-pending', name))
        tx.delete('key-share-pending', name, r.id);
      tx.delete('key-meta-pending', name, 'meta');
    });
  }

  /**
   * The commit: for a new party, the pending share replaces the active one (metadata: the new
   * committee); for a party leaving the committee, its share, metadata and alias are erased.
   * Presignatures of the key (bound to the old shares) go too. One transaction.
   */
  commit(name: string, jobId: string, leaving: { publicKey: string } | null): void {
    const store = this.keys.store;
    const cur = leaving === null ? this.get(name) : undefined;
    if (leaving === null && (cur === undefined || cur.jobId !== jobId))
      throw new Error('commit: no pending share of this job');
    if (leaving !== null) return this.erase(name, leaving.publicKey);
    store.transaction((tx) => {
      for (const r of tx.list('presignature', name)) tx.delete('presignature', name, r.id);
      const m = JSON.parse(
        dec.decode(tx.get('key-meta-pending', name, 'meta') as Uint8Array),
      ) as PendingMeta;
      const scheme = schemeOf(m.meta.algorithm);
      tx.put('key-share', name, scheme, cur?.share as Uint8Array);
      tx.put('key-meta', name, 'meta', enc.encode(JSON.stringify(m.meta)));
      tx.put('key-alias', 'pub', m.meta.publicKey, enc.encode(name));
      tx.delete('key-share-pending', name, scheme);
      tx.delete('key-meta-pending', name, 'meta');
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Stage protocols of our own: the announcement of the old key and the ack.

const announceMsg = codec.object({ data: codec.nullable(codec.bytes({ max: 1 << 16 })) });
type AnnounceMsg = codec.Infer<typeof announceMsg>;

export interface AnnounceConfig {
  /** The canonical public data of the old key, for a dealer; null otherwise. */
  readonly mine: Uint8Array | null;
  readonly dealers: readonly PartyId[];
  /** Checks the agreed data (e.g. it is the key the job names); a reason if it is not. */
  readonly check: (data: Uint8Array) => string | undefined;
}

/**
 * One reliable (echo) broadcast: every dealer sends the public data of the old key it holds;
 * everyone checks the dealers agree and that it is the job's key. A dealer names a dealer whose
 * data differs from its own; a new member, which holds nothing, aborts without naming anyone.
 */
export const announceOldKey: ProtocolDefinition<Uint8Array, AnnounceConfig> = {
  id: 'quorate-cosigner/announce-old-key',
  version: 1,
  rounds: [{ name: 'announce', kind: 'broadcast', payload: announceMsg, reliable: true }],
  maxMessageBytes: 1 << 17,
  create(ctx, config) {
    const isDealer = config.dealers.includes(ctx.self);
    if (isDealer !== (config.mine !== null))
      throw new RangeError('announce: the old key data is required for a dealer, and only then');
    return {
      start: () => [{ to: 'all', payload: { data: config.mine } satisfies AnnounceMsg }],
      verify(_round, from, payload) {
        const { data } = payload as AnnounceMsg;
        if (!config.dealers.includes(from))
          return data === null ? undefined : 'a non-dealer announced old key data';
        if (data === null) return 'a dealer announced no old key data';
        if (config.mine !== null && !equalBytes(data, config.mine))
          return 'announced other public data of the old key than ours';
        return undefined;
      },
      finish(_round, inbox: Inbox): RoundResult<Uint8Array> {
        const all = config.dealers.map((d) =>
          d === ctx.self ? config.mine : (inbox.get(d) as AnnounceMsg).data,
        ) as Uint8Array[];
        const first = all[0] as Uint8Array;
        if (all.some((d) => !equalBytes(d, first)))
          throw new Error('announce: the dealers announced different old keys');
        const problem = config.check(first);
        if (problem !== undefined)
          return { abort: config.dealers.map((party) => ({ party, reason: problem })) };
        return { output: first };
      },
    };
  },
};

const ackMsg = codec.object({ digest: codec.nullable(codec.bytes({ len: 32 })) });
type AckMsg = codec.Infer<typeof ackMsg>;

export interface AckConfig {
  /** The confirmation digest of the new public data, as this party computed it. */
  readonly confirmation: Uint8Array;
  readonly newParties: readonly PartyId[];
}

/**
 * The ack stage: each new party broadcasts the confirmation digest once its pending share is
 * stored (others send null). Output `commit` exactly when `commitDecision` says so; a new party
 * acknowledging another digest is named.
 */
export const commitAck: ProtocolDefinition<{ decision: 'commit' }, AckConfig> = {
  id: 'quorate-cosigner/commit-ack',
  version: 1,
  rounds: [{ name: 'ack', kind: 'broadcast', payload: ackMsg }],
  maxMessageBytes: 4096,
  create(ctx, config) {
    const isNew = config.newParties.includes(ctx.self);
    return {
      start: () => [
        { to: 'all', payload: { digest: isNew ? config.confirmation : null } satisfies AckMsg },
      ],
      verify(_round, from, payload) {
        const { digest } = payload as AckMsg;
        if (!config.newParties.includes(from))
          return digest === null ? undefined : 'acknowledged without being a new party';
        if (digest === null) return 'did not acknowledge its new share';
        return undefined;
      },
      finish(_round, inbox: Inbox): RoundResult<{ decision: 'commit' }> {
        const acks = new Map<PartyId, Uint8Array>();
        if (isNew) acks.set(ctx.self, config.confirmation);
        for (const [p, m] of inbox) {
          const d = (m as AckMsg).digest;
          if (d !== null) acks.set(p, d);
        }
        const r = commitDecision(
          { confirmation: config.confirmation, newParties: config.newParties },
          acks,
        );
        if (r.decision === 'commit') return { output: { decision: 'commit' } };
        if (r.decision === 'abort')
          return { abort: r.parties.map((party) => ({ party, reason: r.reason })) };
        return {
          abort: r.missing.map((party) => ({ party, reason: 'no acknowledgement' })),
        };
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Public data of the old key, canonical bytes (the announcement) and back.

interface WireOldKey {
  readonly publicKey: string;
  readonly threshold: number;
  readonly parties: readonly number[];
  readonly publicShares: readonly string[];
  readonly chainCode: string;
  readonly epoch: number;
}

const wireBytes = (w: WireOldKey) =>
  enc.encode(
    JSON.stringify({
      chainCode: w.chainCode,
      epoch: w.epoch,
      parties: w.parties,
      publicKey: w.publicKey,
      publicShares: w.publicShares,
      threshold: w.threshold,
    }),
  );

function parseWire(bytes: Uint8Array): WireOldKey {
  const w = JSON.parse(dec.decode(bytes)) as WireOldKey;
  if (
    typeof w.publicKey !== 'string' ||
    !Number.isSafeInteger(w.threshold) ||
    !Array.isArray(w.parties) ||
    !Array.isArray(w.publicShares) ||
    w.publicShares.length !== w.parties.length ||
    typeof w.chainCode !== 'string' ||
    !Number.isSafeInteger(w.epoch)
  )
    throw new RangeError('announce: malformed old key data');
  return w;
}

function ecdsaWire(k: OldKeyPublic): WireOldKey {
  return {
    publicKey: hex(k.publicKey.toBytes(true)),
    threshold: k.t,
    parties: [...k.parties],
    publicShares: k.publicShares.map((P) => hex(P.toBytes(true))),
    chainCode: hex(k.chainCode),
    epoch: 0,
  };
}

function ecdsaOldKey(w: WireOldKey): OldKeyPublic {
  const P = (h: string) => secp256k1.Point.fromBytes(unhex(h));
  return {
    publicKey: P(w.publicKey),
    t: w.threshold,
    parties: w.parties,
    publicShares: w.publicShares.map(P),
    chainCode: unhex(w.chainCode),
  };
}

function frostWire(suiteId: SuiteId, k: FrostOldKeyPublic): WireOldKey {
  const s = getSuite(suiteId);
  return {
    publicKey: hex(s.encodePoint(k.publicKey)),
    threshold: k.threshold,
    parties: [...k.parties],
    publicShares: k.parties.map((p) =>
      hex(s.encodePoint(k.verifyingShares.get(p) as FrostOldKeyPublic['publicKey'])),
    ),
    chainCode: hex(k.chainCode),
    epoch: k.epoch,
  };
}

function frostOldKey(suiteId: SuiteId, w: WireOldKey): FrostOldKeyPublic {
  const s = getSuite(suiteId);
  return {
    publicKey: s.decodePoint(unhex(w.publicKey), 'oldKey.publicKey'),
    threshold: w.threshold,
    parties: w.parties,
    verifyingShares: new Map(
      w.parties.map((p, n) => [
        p,
        s.decodePoint(unhex(w.publicShares[n] as string), 'oldKey.publicShares'),
      ]),
    ),
    chainCode: unhex(w.chainCode),
    epoch: w.epoch,
  };
}

/** The confirmation digest of a refresh: the new public data, bound to the session. */
function refreshDigest(sessionId: string, w: WireOldKey, extra: string[] = []): Uint8Array {
  const h = createHash('sha256').update('quorate/cosigner/refresh/v1').update(unhex(sessionId));
  h.update(wireBytes(w));
  for (const e of extra) h.update(e);
  return Uint8Array.from(h.digest());
}

// ---------------------------------------------------------------------------------------------
// Preparing the jobs.

export interface LifecycleContext extends PrepareContext {
  /** This co-signer's party id in the job. */
  readonly self: PartyId;
}

interface Local {
  name: string;
  meta: KeyMeta;
}

function localKey(job: Job, keys: KeyStore): Local | undefined {
  if (job.keyId === null) throw new UnsupportedJobError(`${job.kind} needs a keyId`);
  const name = keys.resolve(job.keyId);
  if (name === undefined) return undefined;
  const meta = keys.meta(name);
  if (meta === undefined) throw new UnknownKeyError(`no metadata for key ${job.keyId}`);
  if (meta.algorithm !== job.algorithm)
    throw new UnsupportedJobError(`key ${job.keyId} is not a ${job.algorithm} key`);
  return { name, meta };
}

/** Each listed party must belong to the same co-signer as in the key's stored schema. */
function checkOwners(job: Job, schema: SigningSchema, parties: readonly PartyId[]): void {
  const owner = new Map<number, string>();
  for (const m of [...schema.primaries, ...schema.sets.flatMap((s) => s.guards)])
    owner.set(m.party, m.cosignerId);
  for (const p of job.participants) {
    if (!parties.includes(p.partyId)) continue;
    if (owner.get(p.partyId) !== p.cosignerId)
      throw new UnsupportedJobError(
        `party ${p.partyId} of key ${job.keyId ?? ''} is not co-signer ${p.cosignerId}`,
      );
  }
}

/** The lifecycle state of one job at this party, for the failure hook. */
class Tracker {
  stored = false;
  acking = false;
  constructor(
    readonly pending: PendingShares,
    readonly name: string,
    readonly jobId: string,
  ) {}
  onFail = (): void => {
    // Before our ack left, nobody can have committed: drop the pending share. Once in the ack
    // stage, others may have committed: keep it (in doubt); the old share stays active anyway.
    if (this.stored && !this.acking) this.pending.drop(this.name, this.jobId);
  };
}

function ackStage(
  t: Tracker,
  confirmation: Uint8Array,
  newParties: readonly PartyId[],
  parties: readonly PartyId[],
  commit: () => Record<string, unknown>,
): PreparedRun {
  t.acking = true;
  return {
    def: def(commitAck),
    config: { confirmation, newParties } satisfies AckConfig,
    parties,
    onFail: t.onFail,
    finish: () => commit(),
  };
}

export async function prepareLifecycle(job: Job, ctx: LifecycleContext): Promise<PreparedRun> {
  if (job.kind === 'refresh') return prepareRefresh(job, ctx);
  if (job.kind === 'reshare') return prepareReshare(job, ctx);
  throw new UnsupportedJobError(`${job.kind} is not a lifecycle job`);
}

async function prepareRefresh(job: Job, ctx: LifecycleContext): Promise<PreparedRun> {
  const local = localKey(job, ctx.keys);
  if (local === undefined) throw new UnknownKeyError(`no key ${job.keyId ?? ''} on this co-signer`);
  const { name, meta } = local;
  const parties = job.participants.map((p) => p.partyId).sort((a, b) => a - b);
  const pending = new PendingShares(ctx.keys);
  const t = new Tracker(pending, name, job.jobId);
  const all = parties;
  const store = (bytes: Uint8Array, confirmation: Uint8Array) => {
    pending.put(name, schemeOf(job.algorithm), bytes, {
      jobId: job.jobId,
      confirmation: hex(confirmation),
      meta,
    });
    t.stored = true;
  };
  const commit = (confirmation: Uint8Array) => () => {
    pending.commit(name, job.jobId, null);
    return { publicKey: meta.publicKey, confirmation: hex(confirmation) };
  };
  const sameCommittee = (keyParties: readonly number[], threshold: number) => {
    if (keyParties.length !== all.length || keyParties.some((p, n) => p !== all[n]))
      throw new UnsupportedJobError('a refresh runs among exactly the parties of the key');
    if (job.threshold !== threshold)
      throw new UnsupportedJobError(`the key's threshold is ${threshold}, not ${job.threshold}`);
    checkOwners(job, meta.schema, all);
  };

  if (job.algorithm === 'ecdsa-secp256k1') {
    const raw = ctx.keys.raw(name, 'cggmp21');
    if (raw === undefined) throw new UnknownKeyError(`no ECDSA share for key ${name}`);
    const share = deserializeKeyShare(raw);
    sameCommittee(share.core.parties, share.core.t);
    const source = ctx.primes;
    if (source === undefined) throw new UnsupportedJobError('no safe-prime source configured');
    const primes = [await source.take(), await source.take()] as const;
    return {
      def: def(ecdsaRefresh),
      config: { share, level: levelByName(source.level), primes },
      onFail: t.onFail,
      finish: () => ({}),
      next: (out) => {
        const fresh = out as EcdsaShare;
        const aux = fresh.aux;
        const confirmation = refreshDigest(
          job.sessionId,
          ecdsaWire(oldKeyPublic(fresh)),
          (aux?.public ?? []).map(
            (a) => `${a.N.toString(16)}|${a.s.toString(16)}|${a.t.toString(16)}`,
          ),
        );
        store(serializeEcdsa(fresh), confirmation);
        return ackStage(t, confirmation, all, all, commit(confirmation));
      },
    };
  }
  const suiteId = SUITES[job.algorithm];
  if (suiteId === undefined) throw new UnsupportedJobError(`${job.algorithm} refresh`);
  const share = ctx.keys.frostShare(name);
  sameCommittee(share.parties, share.threshold);
  return {
    def: def(frostRefresh(suiteId)),
    config: { share },
    onFail: t.onFail,
    finish: () => ({}),
    next: (out) => {
      const fresh = out as FrostShare;
      const confirmation = refreshDigest(
        job.sessionId,
        frostWire(suiteId, frostOldKeyPublic(fresh)),
      );
      store(serializeFrost(fresh), confirmation);
      return ackStage(t, confirmation, all, all, commit(confirmation));
    },
  };
}

async function prepareReshare(job: Job, ctx: LifecycleContext): Promise<PreparedRun> {
  const spec = job.reshare;
  if (spec === undefined) throw new UnsupportedJobError('reshare needs the `reshare` field');
  if (job.keyId === null) throw new UnsupportedJobError('reshare needs a keyId');
  const newThreshold = job.threshold;
  if (newThreshold === null) throw new UnsupportedJobError('reshare needs the new threshold');
  const committee = ctx.committee;
  if (committee === undefined) throw new UnsupportedJobError('reshare without a new committee');
  const parties = job.participants.map((p) => p.partyId).sort((a, b) => a - b);
  const dealers = [...spec.dealers].sort((a, b) => a - b);
  const newParties = [...spec.newParties].sort((a, b) => a - b);
  const union = [...new Set([...dealers, ...newParties])].sort((a, b) => a - b);
  if (union.length !== parties.length || union.some((p, n) => p !== parties[n]))
    throw new UnsupportedJobError('the participants must be exactly the dealers and new parties');
  const self = ctx.self;
  const isDealer = dealers.includes(self);
  const isNew = newParties.includes(self);

  const local = localKey(job, ctx.keys);
  if (isDealer && local === undefined)
    throw new UnknownKeyError(`no key ${job.keyId} on this co-signer`);
  if (!isDealer && local !== undefined)
    throw new UnsupportedJobError(`key ${job.keyId} is held here, but this party does not deal`);
  if (local !== undefined) {
    if (local.meta.publicKey !== spec.publicKey)
      throw new UnsupportedJobError(`key ${job.keyId} has another public key`);
    checkOwners(job, local.meta.schema, dealers);
  }
  const name = local?.name ?? job.keyId;
  const pending = new PendingShares(ctx.keys);
  const t = new Tracker(pending, name, job.jobId);
  const checkKey = (w: WireOldKey) =>
    w.publicKey !== spec.publicKey
      ? 'the announced old key is not the key being reshared'
      : w.threshold !== spec.oldThreshold
        ? `the announced old threshold ${w.threshold} is not ${spec.oldThreshold}`
        : undefined;
  const newMeta = (chainCode: string): KeyMeta => ({
    algorithm: job.algorithm,
    publicKey: spec.publicKey,
    chainCode,
    schema: committee,
  });
  const store = (bytes: Uint8Array, confirmation: Uint8Array, chainCode: string) => {
    pending.put(name, schemeOf(job.algorithm), bytes, {
      jobId: job.jobId,
      confirmation: hex(confirmation),
      meta: newMeta(chainCode),
    });
    t.stored = true;
  };
  const commit = (confirmation: Uint8Array) => () => {
    if (isNew) pending.commit(name, job.jobId, null);
    else pending.commit(name, job.jobId, { publicKey: spec.publicKey });
    return { publicKey: spec.publicKey, confirmation: hex(confirmation) };
  };
  const announce = (mine: WireOldKey | null, check: (w: WireOldKey) => string | undefined) => ({
    def: def(announceOldKey),
    config: {
      mine: mine === null ? null : wireBytes(mine),
      dealers,
      check: (data: Uint8Array) => {
        try {
          return check(parseWire(data));
        } catch (e) {
          return e instanceof Error ? e.message : 'malformed old key data';
        }
      },
    } satisfies AnnounceConfig,
    onFail: t.onFail,
    finish: () => ({}),
  });

  if (job.algorithm === 'ecdsa-secp256k1') {
    const share = local === undefined ? undefined : ecdsaShareOf(ctx.keys, local.name);
    if (share !== undefined && share.core.i !== self)
      throw new UnsupportedJobError(`this co-signer holds party ${share.core.i}, not ${self}`);
    const source = ctx.primes;
    if (isNew && source === undefined)
      throw new UnsupportedJobError('no safe-prime source configured');
    const primes =
      isNew && source !== undefined ? ([await source.take(), await source.take()] as const) : null;
    const mine = share === undefined ? null : ecdsaWire(oldKeyPublic(share));
    return {
      ...announce(mine, checkKey),
      next: (out) => {
        const oldKey = ecdsaOldKey(parseWire(out as Uint8Array));
        return {
          def: def(ecdsaReshare),
          config: {
            oldKey,
            ...(share === undefined ? {} : { oldShare: share }),
            dealers,
            newParties,
            newThreshold,
          },
          onFail: t.onFail,
          finish: () => ({}),
          next: (o) => {
            const r = o as EcdsaReshareOutput;
            const ack = (confirmation: Uint8Array) =>
              ackStage(t, confirmation, newParties, parties, commit(confirmation));
            const chainCode = hex(oldKey.chainCode);
            // The new committee's aux-info (fresh Paillier keys for exactly this party set).
            return {
              def: def(auxInfo),
              config:
                primes === null || source === undefined
                  ? undefined
                  : { level: levelByName(source.level), primes },
              parties: newParties,
              threshold: newThreshold,
              onFail: t.onFail,
              finish: () => ({}),
              skip: () => ack(r.confirmation),
              next: (a) => {
                const full = validateEcdsa({
                  core: (r.share as EcdsaShare).core,
                  aux: a as EcdsaShare['aux'],
                });
                store(serializeEcdsa(full), r.confirmation, chainCode);
                return ack(r.confirmation);
              },
            };
          },
        };
      },
    };
  }

  const suiteId = SUITES[job.algorithm];
  if (suiteId === undefined) throw new UnsupportedJobError(`${job.algorithm} reshare`);
  const share = local === undefined ? undefined : ctx.keys.frostShare(local.name);
  if (share !== undefined && share.self !== self)
    throw new UnsupportedJobError(`this co-signer holds party ${share.self}, not ${self}`);
  const mine = share === undefined ? null : frostWire(suiteId, frostOldKeyPublic(share));
  return {
    ...announce(mine, checkKey),
    next: (out) => {
      const oldKey = frostOldKey(suiteId, parseWire(out as Uint8Array));
      return {
        def: def(frostReshare(suiteId)),
        config: {
          oldKey,
          ...(share === undefined ? {} : { oldShare: share }),
          dealers,
          newParties,
          newThreshold,
        },
        onFail: t.onFail,
        finish: () => ({}),
        next: (o) => {
          const r = o as FrostReshareOutput;
          if (r.share !== null)
            store(serializeFrost(r.share), r.confirmation, hex(oldKey.chainCode));
          return ackStage(t, r.confirmation, newParties, parties, commit(r.confirmation));
        },
      };
    },
  };
}

function ecdsaShareOf(keys: KeyStore, name: string): EcdsaShare {
  const b = keys.raw(name, 'cggmp21');
  if (b === undefined) throw new UnknownKeyError(`no ECDSA share for key ${name}`);
  return deserializeKeyShare(b);
}
