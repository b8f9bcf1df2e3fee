/**
 * ECDSA (CGGMP21, @quorate/cggmp21) jobs of the co-signer, as the hub runs them (relay contract,
 * `Job.kind`; hub vaults/service.ts runs `keygen` then `aux-info` for an ECDSA vault):
 *  - keygen: CGGMP21 keygen (Fig. 5); the core share is stored without aux-info; output publicKey
 *    (33-byte compressed) and chainCode;
 *  - aux-info: CGGMP21 aux-info (Fig. 6) with two safe primes from the daemon's prime source (a
 *    SafePrimePool, or committed fixture primes in tests); the share becomes core + aux;
 *  - presign: CGGMP21 presigning (Fig. 7) among exactly t signers; the output is stored in the
 *    one-time store (kind `presignature`, owner = key name, id = the presign job's jobId);
 *  - sign: with `request.presignatureId`, that presignature is consumed from the one-time store
 *    (committed, fsynced, counter advanced) before the partial signature is computed (Fig. 8);
 *    without it, presign then sign run in the same job (a second session with a derived id) and
 *    the presignature never leaves memory. The BIP32 path of the request shifts the key
 *    (packages/hd tweak). Output: compact signature r‖s, r, s and the recovery id.
 */
import {
  auxInfo,
  deserializeKeyShare,
  deserializePresignOutput,
  keygen,
  presign,
  Presignature,
  serializeKeyShare,
  serializePresignOutput,
  sign,
  validateKeyShare,
} from '@quorate/cggmp21';
import type { CoreKeyShare, EcdsaSignature, KeyShare, PresignOutput } from '@quorate/cggmp21';
import { SafePrimePool } from '@quorate/bigint';
import { deriveSecp256k1 } from '@quorate/hd';
import { levelByName } from '@quorate/paillier';
import type { ProtocolDefinition } from '@quorate/runtime';
import { AlreadyConsumedError, NotFoundError } from '@quorate/secrets';
import type { Job } from './job.ts';
import type { KeyStore, PrepareContext, PreparedRun } from './protocols.ts';
import { UnknownKeyError, UnsupportedJobError } from './protocols.ts';

/** Paillier level names the co-signer accepts (bits of N). */
export type EcdsaLevel = '2048' | '3072';

/** Where aux-info gets its two safe primes of level/2 bits each. */
export interface PrimeSource {
  readonly level: EcdsaLevel;
  take(): Promise<bigint>;
  close(): void;
}

/** The daemon's background pool of safe primes (config: level, pool size). */
export function safePrimePool(level: EcdsaLevel = '3072', size = 2): PrimeSource {
  const pool = new SafePrimePool(levelByName(level).paillierBits / 2, size);
  return { level, take: () => pool.take(), close: () => pool.close() };
}

/** TEST ONLY: hands out committed fixture primes (each at most once), never generating. */
export function fixturePrimes(level: EcdsaLevel, pairs: readonly (readonly [bigint, bigint])[]) {
  const list = pairs.flatMap(([p, q]) => [p, q]);
  return {
    level,
    take: () => {
      const p = list.shift();
      return p === undefined
        ? Promise.reject(new Error('no fixture prime left'))
        : Promise.resolve(p);
    },
    close: () => void list.splice(0),
  } satisfies PrimeSource;
}

/** The referenced presignature is unknown or already consumed: the job is refused. */
export class PresignatureUnavailableError extends Error {
  override readonly name = 'PresignatureUnavailableError';
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');
const def = <O, C>(d: ProtocolDefinition<O, C>) =>
  d as unknown as ProtocolDefinition<unknown, unknown>;

export function ecdsaShare(keys: KeyStore, name: string): KeyShare {
  const b = keys.raw(name, 'cggmp21');
  if (b === undefined) throw new UnknownKeyError(`no ECDSA share for key ${name}`);
  return deserializeKeyShare(b);
}

function keyOf(job: Job, keys: KeyStore): { name: string; share: KeyShare } {
  if (job.keyId === null) throw new UnsupportedJobError(`${job.kind} needs a keyId`);
  const name = keys.resolve(job.keyId);
  if (name === undefined) throw new UnknownKeyError(`no key ${job.keyId} on this co-signer`);
  if (keys.meta(name)?.algorithm !== job.algorithm)
    throw new UnsupportedJobError(`key ${job.keyId} is not a ${job.algorithm} key`);
  return { name, share: ecdsaShare(keys, name) };
}

function withAux(share: KeyShare, keyId: string): KeyShare {
  if (share.aux === null)
    throw new UnsupportedJobError(`key ${keyId} has no aux-info yet: run aux-info first`);
  return share;
}

export async function prepareEcdsa(job: Job, ctx: PrepareContext): Promise<PreparedRun> {
  if (job.kind === 'keygen') {
    if (job.threshold === null) throw new UnsupportedJobError('keygen needs a threshold');
    const name = job.keyId ?? job.jobId;
    if (ctx.keys.resolve(name) !== undefined)
      throw new UnsupportedJobError(`key ${name} already exists`);
    const committee = ctx.committee;
    if (committee === undefined) throw new UnsupportedJobError('keygen without a committee');
    return {
      def: def(keygen),
      config: { t: job.threshold },
      threshold: job.threshold,
      finish: (out) => {
        const share = validateKeyShare({ core: out as CoreKeyShare, aux: null });
        const publicKey = hex(share.core.publicKey.toBytes(true));
        const chainCode = hex(share.core.chainCode);
        ctx.keys.save(name, 'cggmp21', serializeKeyShare(share), {
          algorithm: job.algorithm,
          publicKey,
          chainCode,
          schema: committee,
        });
        return { publicKey, chainCode };
      },
    };
  }
  if (job.kind === 'aux-info') {
    const { name, share } = keyOf(job, ctx.keys);
    if (share.aux !== null)
      throw new UnsupportedJobError(`key ${job.keyId ?? name} already has aux-info`);
    const source = ctx.primes;
    if (source === undefined) throw new UnsupportedJobError('no safe-prime source configured');
    const p = await source.take();
    const q = await source.take();
    return {
      def: def(auxInfo),
      config: { level: levelByName(source.level), primes: [p, q] as const },
      finish: (out) => {
        const full = validateKeyShare({ core: share.core, aux: out as KeyShare['aux'] });
        ctx.keys.replaceShare(name, 'cggmp21', serializeKeyShare(full));
        return {};
      },
    };
  }
  if (job.kind === 'presign') {
    const { name, share } = keyOf(job, ctx.keys);
    withAux(share, name);
    return {
      def: def(presign),
      config: { share },
      finish: (out) => {
        ctx.oneTime.add(
          'presignature',
          name,
          job.jobId,
          serializePresignOutput(out as PresignOutput),
        );
        return {};
      },
    };
  }
  if (job.kind === 'sign') {
    const req = job.request;
    if (req === null) throw new UnsupportedJobError('sign needs a request');
    if (req.digest.length !== 64)
      throw new UnsupportedJobError('ECDSA signs a 32-byte digest (64 hex digits)');
    const { name, share } = keyOf(job, ctx.keys);
    withAux(share, name);
    const digest = Uint8Array.from(Buffer.from(req.digest, 'hex'));
    const path = req.derivationPath;
    const shift =
      path === null || path === 'm'
        ? 0n
        : deriveSecp256k1(share.core.publicKey.toBytes(true), share.core.chainCode, path).tweak;
    const signRun = (presignature: Presignature): PreparedRun => ({
      def: def(sign),
      config: { presignature, digest, shift },
      finish: (out) => {
        const sig = out as EcdsaSignature;
        return {
          signature: hex32(sig.r) + hex32(sig.s),
          r: hex32(sig.r),
          s: hex32(sig.s),
          recoveryId: sig.recoveryId,
        };
      },
    });
    const id = req.presignatureId;
    if (id === undefined) {
      // No presignature from a pool: presign, then sign with it in a second session.
      return {
        def: def(presign),
        config: { share },
        finish: () => ({}),
        next: (out) => signRun(new Presignature(out as PresignOutput)),
      };
    }
    let bytes: Uint8Array;
    try {
      // Durably consumed (commit + fsync + external counter) before σ_i is computed or sent.
      bytes = ctx.oneTime.consume('presignature', name, id);
    } catch (e) {
      if (e instanceof AlreadyConsumedError)
        throw new PresignatureUnavailableError(`presignature ${id} was already consumed`);
      if (e instanceof NotFoundError)
        throw new PresignatureUnavailableError(`no presignature ${id} for key ${job.keyId}`);
      throw e;
    }
    return signRun(new Presignature(deserializePresignOutput(bytes)));
  }
  throw new UnsupportedJobError(`${job.algorithm} ${job.kind} is not supported by this co-signer`);
}
