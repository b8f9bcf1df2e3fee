/**
 * FROST signing (RFC 9591 §5), two ways:
 *
 *  1. Coordinator API (§5.2–5.3): a signer answers a SigningPackage with `signShare`; the
 *     coordinator runs `aggregate`, which verifies every share (§5.4) and names each cheater.
 *     `signShare` refuses a package whose list misses or changed this signer's own commitment,
 *     names parties outside the key, has fewer than t signers, or differs from the signer set the
 *     signer agreed to. The nonce is consumed before the share is computed.
 *
 *  2. `frostSign(suite)`, a runtime protocol among the signers (ctx.parties is the signer set):
 *     Round 1 (broadcast, reliable): each signer's commitment (D_i, E_i), echoed so everyone
 *             holds the same list — a relay that swaps or drops a commitment is caught there.
 *     Round 2 (broadcast): signature shares z_i; every party verifies each share, aborts naming
 *             the culprits, aggregates and checks the final signature before output.
 */
import { codec as c } from '@quorate/runtime';
import type { Inbox, PartyId, ProtocolDefinition, RoundResult } from '@quorate/runtime';
import {
  aggregateShares,
  signatureShare,
  signingContext,
  sortCommitments,
  sumShares,
  verifyAggregate,
  verifyShare,
} from './core.ts';
import type { CommitmentPair, SigningContext } from './core.ts';
import { FrostEncodingError, SigningPackageError } from './errors.ts';
import type { KeyShare } from './keyshare.ts';
import { preprocess, InMemoryNonceStore } from './nonces.ts';
import type { NonceStore } from './nonces.ts';
import { getSuite } from './suite.ts';
import type { Point, SuiteId } from './suite.ts';
import { signingKey } from './taproot.ts';
import type { SigningKey, SigningKeyOptions } from './taproot.ts';

export interface SigningPackage {
  readonly message: Uint8Array;
  readonly commitments: ReadonlyMap<PartyId, CommitmentPair>;
}

export interface SignShareOptions {
  /** The signer set this signer agreed to sign with (a dropped commitment is then refused). */
  readonly signers?: readonly PartyId[];
}

function checkPackage(key: SigningKey, pkg: SigningPackage, opts: SignShareOptions): void {
  const ids = [...pkg.commitments.keys()];
  if (ids.length < key.threshold)
    throw new SigningPackageError(
      'commitments',
      `${ids.length} signers, the key needs ${key.threshold}`,
    );
  for (const id of ids)
    if (!key.parties.includes(id))
      throw new SigningPackageError(`commitments[${id}]`, 'not a party of this key');
  if (opts.signers) {
    const want = new Set(opts.signers);
    for (const p of want)
      if (!pkg.commitments.has(p))
        throw new SigningPackageError(
          `commitments[${p}]`,
          'the commitment of an agreed signer is missing',
        );
    for (const id of ids)
      if (!want.has(id))
        throw new SigningPackageError(`commitments[${id}]`, 'not an agreed signer');
  }
}

/**
 * One signer's signature share for a coordinator's package. Refuses (SigningPackageError) before
 * touching the nonce if the package is wrong; consumes the nonce (NonceError on reuse) first.
 */
export function signShare(
  key: SigningKey,
  store: NonceStore,
  nonceId: string,
  pkg: SigningPackage,
  opts: SignShareOptions = {},
): bigint {
  return signShareWithContext(key, store, nonceId, pkg, opts).share;
}

/** signShare, also returning the signing context (so a signer that aggregates reuses it). */
export function signShareWithContext(
  key: SigningKey,
  store: NonceStore,
  nonceId: string,
  pkg: SigningPackage,
  opts: SignShareOptions = {},
): { share: bigint; context: SigningContext } {
  checkPackage(key, pkg, opts);
  const own = pkg.commitments.get(key.self);
  if (!own)
    throw new SigningPackageError(
      `commitments[${key.self}]`,
      'this signer’s commitment is missing',
    );
  const mine = store.commitmentOf(nonceId);
  if (!own.hiding.equals(mine.hiding) || !own.binding.equals(mine.binding))
    throw new SigningPackageError(
      `commitments[${key.self}]`,
      'does not match the commitment of this nonce',
    );
  const context = signingContext(
    key.suite,
    key.publicKey,
    sortCommitments(pkg.commitments),
    pkg.message,
  );
  // Marked used before the share exists: a crash from here on loses the nonce, never reuses it.
  const { nonces } = store.consume(nonceId);
  return { share: signatureShare(key.suite, context, key.self, key.secretShare, nonces), context };
}

export interface AggregateResult {
  readonly signature: Uint8Array;
}

/** Shares that failed §5.4 verification, by party. */
export class CheaterError extends Error {
  override readonly name = 'CheaterError';
  constructor(readonly culprits: readonly PartyId[]) {
    super(
      `invalid signature share from part${culprits.length === 1 ? 'y' : 'ies'} ${culprits.join(', ')}`,
    );
  }
}

/**
 * The coordinator's checks on a context computed for this very package (by `signingContext`, or
 * by `signShareWithContext` when the coordinator is also a signer): one aggregate check
 * z·G = R + c·PK, and only if it fails the per-share checks of §5.4 to name the culprits.
 */
export function aggregateWithContext(
  key: Pick<SigningKey, 'suite' | 'publicKey' | 'verifyingShares'>,
  ctx: SigningContext,
  commitments: ReadonlyMap<PartyId, CommitmentPair>,
  shares: ReadonlyMap<PartyId, bigint>,
): { readonly signature: Uint8Array } | { readonly culprits: readonly PartyId[] } {
  const suite = key.suite;
  const missing = ctx.ids.filter((id) => !shares.has(id) || !key.verifyingShares.has(id));
  if (missing.length > 0) return { culprits: missing };
  const zs = ctx.ids.map((id) => shares.get(id) as bigint);
  if (verifyAggregate(suite, ctx, key.publicKey, sumShares(suite, zs)))
    return { signature: aggregateShares(suite, ctx, zs) };
  const culprits = ctx.ids.filter((id) => {
    const Y = key.verifyingShares.get(id) as Point;
    const D = commitments.get(id) as CommitmentPair;
    return !verifyShare(suite, ctx, id, D, Y, shares.get(id) as bigint);
  });
  if (culprits.length === 0)
    throw new Error('aggregate check failed but every share verified (bug)');
  return { culprits };
}

/** Coordinator: verifies every share, names cheaters (CheaterError), aggregates and checks the signature. */
export function aggregate(
  key: Pick<SigningKey, 'suite' | 'publicKey' | 'verifyingShares'>,
  pkg: SigningPackage,
  shares: ReadonlyMap<PartyId, bigint>,
): Uint8Array {
  const ctx = signingContext(
    key.suite,
    key.publicKey,
    sortCommitments(pkg.commitments),
    pkg.message,
  );
  const r = aggregateWithContext(key, ctx, pkg.commitments, shares);
  if ('culprits' in r) throw new CheaterError(r.culprits);
  return r.signature;
}

// ---- runtime protocol ------------------------------------------------------------------------

export interface SignConfig {
  readonly share: KeyShare;
  readonly message: Uint8Array;
  /** HD path and Taproot tweak (see taproot.ts). */
  readonly key?: SigningKeyOptions;
  /** A preprocessed nonce to use; otherwise a fresh one is made and consumed in this run. */
  readonly nonce?: { readonly store: NonceStore; readonly id: string };
}

export interface SignOutput {
  readonly signature: Uint8Array;
  /** The key the signature verifies under, in the suite's encoding. */
  readonly publicKey: Point;
}

const commitMsg = c.object({ D: c.bytes({ max: 33 }), E: c.bytes({ max: 33 }) });
const shareMsg = c.object({ z: c.bytes({ len: 32 }) });
type CommitMsg = c.Infer<typeof commitMsg>;
type ShareMsg = c.Infer<typeof shareMsg>;

const cache = new Map<SuiteId, ProtocolDefinition<SignOutput, SignConfig>>();

export function frostSign(suiteId: SuiteId): ProtocolDefinition<SignOutput, SignConfig> {
  const hit = cache.get(suiteId);
  if (hit) return hit;
  const suite = getSuite(suiteId);
  // verify() decodes each received commitment (for Ed25519 the prime-order check is a full
  // multiplication per point) and finish() needs the same points: remember them per payload.
  const decoded = new WeakMap<CommitMsg, CommitmentPair>();
  const decodeCommitment = (m: CommitMsg): CommitmentPair => {
    let pair = decoded.get(m);
    if (!pair) {
      pair = {
        hiding: suite.decodePoint(m.D, 'payload.D'),
        binding: suite.decodePoint(m.E, 'payload.E'),
      };
      decoded.set(m, pair);
    }
    return pair;
  };
  const def: ProtocolDefinition<SignOutput, SignConfig> = {
    id: `frost-${suiteId}/sign`,
    version: 1,
    rounds: [
      { name: 'commit', kind: 'broadcast', payload: commitMsg, reliable: true },
      { name: 'share', kind: 'broadcast', payload: shareMsg },
    ],
    // The echo round lists one message id per signer (~90 bytes each, up to 1024 signers).
    maxMessageBytes: 1 << 17,
    create(ctx, config) {
      if (config.share.suite !== suiteId) throw new RangeError(`share: not a ${suiteId} key share`);
      if (config.share.self !== ctx.self) throw new RangeError('share: belongs to another party');
      const key = signingKey(config.share, config.key ?? {});
      for (const p of ctx.parties)
        if (!key.parties.includes(p))
          throw new RangeError(`parties: ${p} is not a party of this key`);
      if (ctx.parties.length < key.threshold)
        throw new RangeError(
          `parties: ${ctx.parties.length} signers, the key needs ${key.threshold}`,
        );
      let store: NonceStore;
      let nonceId: string;
      if (config.nonce) {
        store = config.nonce.store;
        nonceId = config.nonce.id;
      } else {
        store = new InMemoryNonceStore();
        nonceId = (preprocess(suite, key.secretShare, store, ctx.rng)[0] as { id: string }).id;
      }
      // Refuses a consumed or unknown nonce before anything is sent. Asked once: a durable store
      // may decode (and for Ed25519 prime-order check) the stored points on every call.
      const commitments = new Map<PartyId, CommitmentPair>([
        [ctx.self, store.commitmentOf(nonceId)],
      ]);
      let signing: ReturnType<typeof signingContext> | undefined;
      let myShare = 0n;
      return {
        start() {
          const own = commitments.get(ctx.self) as CommitmentPair;
          return [
            {
              to: 'all',
              payload: {
                D: suite.encodePoint(own.hiding),
                E: suite.encodePoint(own.binding),
              } satisfies CommitMsg,
            },
          ];
        },
        verify(round, _from, payload) {
          try {
            if (round === 1) decodeCommitment(payload as CommitMsg);
            else suite.decodeScalar((payload as ShareMsg).z, 'payload.z');
          } catch (e) {
            if (e instanceof FrostEncodingError) return e.message;
            throw e;
          }
          return undefined;
        },
        finish(round, inbox: Inbox): RoundResult<SignOutput> {
          if (round === 1) {
            for (const [p, m] of inbox) commitments.set(p, decodeCommitment(m as CommitMsg));
            const pkg = { message: config.message, commitments };
            const r = signShareWithContext(key, store, nonceId, pkg, { signers: ctx.parties });
            myShare = r.share;
            signing = r.context;
            return {
              next: [{ to: 'all', payload: { z: suite.encodeScalar(myShare) } satisfies ShareMsg }],
            };
          }
          const ctxS = signing as NonNullable<typeof signing>;
          const zs = new Map<PartyId, bigint>([[ctx.self, myShare]]);
          for (const [p, m] of inbox) zs.set(p, suite.decodeScalar((m as ShareMsg).z, 'payload.z'));
          const r = aggregateWithContext(key, ctxS, commitments, zs);
          if ('culprits' in r) {
            // Our own share was computed here; a failure of it would be a bug, not blame.
            const culprits = r.culprits.filter((p) => p !== ctx.self);
            if (culprits.length === 0) throw new Error('own signature share fails verification');
            return {
              abort: culprits.map((party) => ({
                party,
                reason: 'signature share fails verification (RFC 9591 §5.4)',
              })),
            };
          }
          return { output: { signature: r.signature, publicKey: key.publicKey } };
        },
      };
    },
  };
  cache.set(suiteId, def);
  return def;
}
