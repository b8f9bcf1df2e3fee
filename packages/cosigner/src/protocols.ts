/**
 * Which protocol a job runs, with what configuration, and what is kept afterwards (the relay
 * contract, `Job.kind` × `Job.algorithm`):
 *  - toy / toy: the runtime's coin toss (plumbing tests); output `{}`;
 *  - keygen / eddsa-ed25519 and schnorr-bip340: FROST DKG (@quorate/frost, suites ed25519 and
 *    secp256k1-tr); the share is stored in the secrets store; output publicKey and chainCode;
 *  - sign / eddsa-ed25519 and schnorr-bip340: FROST signing with a nonce preprocessed into the
 *    one-time store, so it is durably consumed before the signature share leaves (nonce-store.ts);
 *    the request's derivation path is applied, and BIP340 signs for the BIP86 Taproot output key;
 *  - ecdsa-secp256k1 (CGGMP21): keygen, aux-info, presign and sign — see ecdsa.ts;
 *  - refresh and reshare of either kind of key — see lifecycle.ts.
 *
 * Keys are stored under a key name: the job's keyId, or for a keygen without one its jobId; the
 * public key (hex) is recorded as an alias, so a later job may name the key either way.
 */
import { coinToss } from '@quorate/runtime';
import type { ProtocolDefinition, Rng } from '@quorate/runtime';
import {
  frostDkg,
  frostSign,
  getSuite,
  parseKeyShare,
  preprocess,
  serializeKeyShare,
} from '@quorate/frost';
import type { KeyShare, SuiteId } from '@quorate/frost';
import type { OneTimeStore, SecretStore } from '@quorate/secrets';
import type { SigningSchema } from './clique.ts';
import type { Job } from './job.ts';
import { DurableNonceStore } from './nonce-store.ts';
import { prepareEcdsa } from './ecdsa.ts';
import { prepareLifecycle } from './lifecycle.ts';
import type { PrimeSource } from './ecdsa.ts';

export class UnsupportedJobError extends Error {
  override readonly name = 'UnsupportedJobError';
}
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
}

export interface KeyMeta {
  readonly algorithm: Job['algorithm'];
  readonly publicKey: string;
  readonly chainCode: string;
  readonly schema: SigningSchema;
}

/** What the daemon runs: a protocol, its config, and what to do with the output. */
export interface PreparedRun {
  readonly def: ProtocolDefinition<unknown, unknown>;
  readonly config: unknown;
  readonly threshold?: number;
  /** Stores what must be kept and returns the public output for `job-result`. */
  readonly finish: (output: unknown) => Record<string, unknown>;
  /**
   * A second protocol in the same job, run on this one's output (ECDSA presign then sign). Its
   * session id is derived from the job's (see jobs.ts); `finish` of the last stage gives the result.
   */
  readonly next?: (output: unknown) => PreparedRun;
  /** The parties of this stage when not every participant takes part (default: all of them). */
  readonly parties?: readonly number[];
  /** For a party not among `parties`: the stage after this one, which it goes to directly. */
  readonly skip?: () => PreparedRun;
  /** Called once if the job fails, times out or is cancelled while this stage is the current one. */
  readonly onFail?: () => void;
}

const SUITES: Partial<Record<Job['algorithm'], SuiteId>> = {
  'eddsa-ed25519': 'ed25519',
  'schnorr-bip340': 'secp256k1-tr',
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = new TextEncoder();
const dec = new TextDecoder();

export class KeyStore {
  constructor(readonly store: SecretStore) {}

  /** Resolves a key id, a keygen job id, or a public key (hex) to the stored key name. */
  resolve(keyId: string): string | undefined {
    if (this.store.get('key-meta', keyId, 'meta') !== undefined) return keyId;
    const alias = this.store.get('key-alias', 'pub', keyId);
    return alias === undefined ? undefined : dec.decode(alias);
  }

  meta(name: string): KeyMeta | undefined {
    const m = this.store.get('key-meta', name, 'meta');
    return m === undefined ? undefined : (JSON.parse(dec.decode(m)) as KeyMeta);
  }

  frostShare(name: string): KeyShare {
    const b = this.store.get('key-share', name, 'frost');
    if (b === undefined) throw new UnknownKeyError(`no share for key ${name}`);
    return parseKeyShare(b);
  }

  /** Share, metadata and alias in one transaction: all present or none. */
  saveFrost(name: string, share: KeyShare, meta: KeyMeta): void {
    this.save(name, 'frost', serializeKeyShare(share), meta);
  }

  /** A serialized share of another scheme (`cggmp21`). */
  raw(name: string, scheme: string): Uint8Array | undefined {
    return this.store.get('key-share', name, scheme);
  }

  /** Replaces a stored share (CGGMP21 aux-info completes the share). */
  replaceShare(name: string, scheme: string, bytes: Uint8Array): void {
    if (this.raw(name, scheme) === undefined) throw new UnknownKeyError(`no share for key ${name}`);
    this.store.put('key-share', name, scheme, bytes);
  }

  save(name: string, scheme: string, bytes: Uint8Array, meta: KeyMeta): void {
    this.store.transaction((tx) => {
      tx.put('key-share', name, scheme, bytes);
      tx.put('key-meta', name, 'meta', enc.encode(JSON.stringify(meta)));
      tx.put('key-alias', 'pub', meta.publicKey, enc.encode(name));
    });
  }

  list(): { name: string; meta: KeyMeta | undefined }[] {
    return this.store.list('key-meta').map((r) => ({ name: r.owner, meta: this.meta(r.owner) }));
  }
}

export interface PrepareContext {
  readonly keys: KeyStore;
  readonly oneTime: OneTimeStore;
  readonly store: SecretStore;
  readonly rng: Rng;
  /** The schema of the committee (keygen) as checked by the daemon. */
  readonly committee?: SigningSchema;
  /** Safe primes for CGGMP21 aux-info. */
  readonly primes?: PrimeSource;
  /** This co-signer's party id in the job. */
  readonly self?: number;
}

export async function prepareRun(job: Job, ctx: PrepareContext): Promise<PreparedRun> {
  if (job.kind === 'toy' || job.algorithm === 'toy') {
    if (job.kind !== 'toy' || job.algorithm !== 'toy')
      throw new UnsupportedJobError(`kind ${job.kind} with algorithm ${job.algorithm}`);
    return {
      def: coinToss as ProtocolDefinition<unknown, unknown>,
      config: undefined,
      finish: () => ({}),
    };
  }
  if (job.kind === 'refresh' || job.kind === 'reshare') {
    if (ctx.self === undefined) throw new UnsupportedJobError(`${job.kind} needs the party id`);
    return prepareLifecycle(job, { ...ctx, self: ctx.self });
  }
  if (job.algorithm === 'ecdsa-secp256k1') return prepareEcdsa(job, ctx);
  const suiteId = SUITES[job.algorithm];
  if (suiteId === undefined)
    throw new UnsupportedJobError(
      `${job.algorithm} ${job.kind} is not supported by this co-signer`,
    );
  if (job.kind === 'keygen') {
    if (job.threshold === null) throw new UnsupportedJobError('keygen needs a threshold');
    const name = job.keyId ?? job.jobId;
    if (ctx.keys.resolve(name) !== undefined)
      throw new UnsupportedJobError(`key ${name} already exists`);
    const committee = ctx.committee;
    if (committee === undefined) throw new UnsupportedJobError('keygen without a committee');
    const suite = getSuite(suiteId);
    return {
      def: frostDkg(suiteId) as ProtocolDefinition<unknown, unknown>,
      config: undefined,
      threshold: job.threshold,
      finish: (out) => {
        const share = out as KeyShare;
        const publicKey = hex(suite.encodePoint(share.publicKey));
        const chainCode = hex(share.chainCode);
        ctx.keys.saveFrost(name, share, {
          algorithm: job.algorithm,
          publicKey,
          chainCode,
          schema: committee,
        });
        return { publicKey, chainCode };
      },
    };
  }
  if (job.kind === 'sign') {
    if (job.keyId === null || job.request === null)
      throw new UnsupportedJobError('sign needs a keyId and a request');
    const name = ctx.keys.resolve(job.keyId);
    if (name === undefined) throw new UnknownKeyError(`no key ${job.keyId} on this co-signer`);
    const meta = ctx.keys.meta(name);
    if (meta?.algorithm !== job.algorithm)
      throw new UnsupportedJobError(`key ${job.keyId} is not a ${job.algorithm} key`);
    const share = ctx.keys.frostShare(name);
    const suite = getSuite(suiteId);
    const nonces = new DurableNonceStore(ctx.oneTime, ctx.store, suite, name);
    // Preprocessed into the one-time store: FROST consumes it (durably) before computing the share.
    const nonceId = (preprocess(suite, share.secretShare, nonces, ctx.rng)[0] as { id: string }).id;
    const path = job.request.derivationPath;
    // BIP340 keys sign for the Taproot output key: BIP32 derivation, then the BIP341 key-path
    // tweak with no script tree (BIP86), as the hub derives addresses (vaults/derivation.ts).
    const key = {
      ...(path === null || path === 'm' ? {} : { path }),
      ...(suiteId === 'secp256k1-tr' ? { merkleRoot: new Uint8Array(0) } : {}),
    };
    return {
      def: frostSign(suiteId) as ProtocolDefinition<unknown, unknown>,
      config: {
        share,
        message: Uint8Array.from(Buffer.from(job.request.digest, 'hex')),
        key,
        nonce: { store: nonces, id: nonceId },
      },
      finish: (out) => ({ signature: hex((out as { signature: Uint8Array }).signature) }),
    };
  }
  throw new UnsupportedJobError(`${job.algorithm} ${job.kind} is not supported by this co-signer`);
}

/** The committee schema stored with a key (for clique checks of later sessions). */
export function keySchema(keys: KeyStore, keyId: string): SigningSchema | undefined {
  const name = keys.resolve(keyId);
  return name === undefined ? undefined : keys.meta(name)?.schema;
}
