/**
 * `quorate sim ecdsa`: CGGMP21 threshold ECDSA with every party in this process — keygen,
 * aux-info (fresh safe primes), presign, one-round sign — then the signature is verified.
 * One JSON object on stdout (--json), progress on stderr.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { generateSafePrime } from '@quorate/bigint';
import {
  auxInfo,
  keygen,
  presign,
  Presignature,
  sign,
  toDer,
  validateKeyShare,
} from '@quorate/cggmp21';
import type { KeyShare } from '@quorate/cggmp21';
import { deriveSecp256k1, DerivationPathError, parsePath } from '@quorate/hd';
import { levelByName } from '@quorate/paillier';
import { simulate } from '@quorate/runtime/harness';
import type { ProtocolError } from '@quorate/runtime';
import { intFlag, parseFlags, parseSigners, printSummary, UsageError } from './args.ts';
import type { Io } from './args.ts';

export const ECDSA_USAGE = `Flags (ecdsa):
  --threshold T                  signers needed, 2..parties (default 2)
  --parties N                    key holders, 2..16 (default 3)
  --message TEXT                 the message (UTF-8); with --hash none, 32 bytes as hex
  --hash sha256|keccak256|none   digest of the message that is signed (default sha256)
  --path m/0/5                   sign under a BIP32 non-hardened child of the key
  --level 2048|3072              Paillier modulus size (default 3072, 128-bit security)
  --signers 1,3                  exactly T signers (default: the first T parties)
  --json                         print one JSON object on stdout`;

const FLAGS = {
  threshold: { type: 'string' },
  parties: { type: 'string' },
  message: { type: 'string' },
  hash: { type: 'string' },
  path: { type: 'string' },
  level: { type: 'string' },
  signers: { type: 'string' },
} as const;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');

function firstError(errors: ReadonlyMap<number, ProtocolError>): void {
  const e = errors.values().next();
  if (!e.done) throw e.value;
}

export async function simEcdsa(argv: readonly string[], io: Io, usage: string): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, usage);
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const n = intFlag(values.parties as string | undefined, 'parties', 2, 16, 3);
  const t = intFlag(values.threshold as string | undefined, 'threshold', 2, n, 2);
  const text = values.message as string | undefined;
  if (text === undefined) throw new UsageError('--message is required');
  const hashName = (values.hash as string | undefined) ?? 'sha256';
  if (!['sha256', 'keccak256', 'none'].includes(hashName))
    throw new UsageError(`--hash must be sha256, keccak256 or none (got "${hashName}")`);
  const levelName = (values.level as string | undefined) ?? '3072';
  if (levelName !== '2048' && levelName !== '3072')
    throw new UsageError(`--level must be 2048 or 3072 (got "${levelName}")`);
  const level = levelByName(levelName);
  const signers = parseSigners(values.signers as string | undefined, t, n);
  if (signers.length !== t)
    throw new UsageError(
      `--signers: CGGMP21 presigning needs exactly ${t} signers (got ${signers.length})`,
    );
  const pathText = values.path as string | undefined;
  if (pathText !== undefined) {
    try {
      parsePath(pathText, '--path');
    } catch (e) {
      if (e instanceof DerivationPathError) throw new UsageError(e.message);
      throw e;
    }
  }
  let message: Uint8Array;
  let digest: Uint8Array;
  if (hashName === 'none') {
    if (!/^[0-9a-fA-F]{64}$/.test(text))
      throw new UsageError('--hash none: --message must be the 32-byte digest as 64 hex digits');
    message = Uint8Array.from(Buffer.from(text, 'hex'));
    digest = message;
  } else {
    message = new TextEncoder().encode(text);
    digest = hashName === 'sha256' ? sha256(message) : keccak_256(message);
  }
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  const timings: Record<string, number> = {};

  // 1. Safe primes: two per party, generated natively in parallel.
  const bits = level.paillierBits / 2;
  let done = 0;
  io.err(`primes: generating ${2 * n} safe primes of ${bits} bits (this is the slow part) …`);
  let t0 = performance.now();
  const primes = await Promise.all(
    Array.from({ length: 2 * n }, async () => {
      const p = await generateSafePrime(bits);
      io.err(`primes: ${++done}/${2 * n}`);
      return p;
    }),
  );
  timings.primes = ms(t0);

  io.err(`keygen: ${t}-of-${n} …`);
  t0 = performance.now();
  const kg = simulate(keygen, { parties, threshold: t, config: () => ({ t }) });
  firstError(kg.errors);
  timings.keygen = ms(t0);

  io.err(`aux-info: Paillier-${level.paillierBits}, Π^mod, Π^prm, Π^fac …`);
  t0 = performance.now();
  const aux = simulate(auxInfo, {
    parties,
    config: (p) => ({
      level,
      primes: [primes[2 * p - 2] as bigint, primes[2 * p - 1] as bigint] as const,
    }),
  });
  firstError(aux.errors);
  timings.auxInfo = ms(t0);
  const shares = new Map<number, KeyShare>(
    parties.map((p) => [
      p,
      validateKeyShare({ core: kg.outputs.get(p)!, aux: aux.outputs.get(p)! }),
    ]),
  );

  io.err(`presign: signers ${signers.join(',')} …`);
  t0 = performance.now();
  const pre = simulate(presign, {
    parties: signers,
    config: (p) => ({ share: shares.get(p) as KeyShare }),
  });
  firstError(pre.errors);
  timings.presign = ms(t0);

  const root = shares.get(1) as KeyShare;
  const derived =
    pathText !== undefined
      ? deriveSecp256k1(root.core.publicKey.toBytes(true), root.core.chainCode, pathText)
      : undefined;
  io.err('sign: one round …');
  t0 = performance.now();
  const presigs = new Map([...pre.outputs].map(([p, o]) => [p, new Presignature(o)]));
  const sg = simulate(sign, {
    parties: signers,
    config: (p) => ({
      presignature: presigs.get(p) as Presignature,
      digest,
      shift: derived?.tweak ?? 0n,
    }),
  });
  firstError(sg.errors);
  timings.sign = ms(t0);
  const sig = sg.outputs.get(signers[0] as number);
  if (!sig) throw new Error('no signature was produced (this is a bug)');
  timings.total = Math.round(Object.values(timings).reduce((a, b) => a + b, 0) * 10) / 10;

  const summary = {
    algorithm: 'ecdsa-secp256k1',
    threshold: t,
    parties: n,
    signers,
    level: level.paillierBits,
    publicKey: hex(root.core.publicKey.toBytes(true)),
    chainCode: hex(root.core.chainCode),
    path: pathText ?? null,
    derivedPublicKey: derived ? hex(derived.publicKey) : null,
    message: hex(message),
    hash: hashName,
    digest: hex(digest),
    r: hex32(sig.r),
    s: hex32(sig.s),
    recoveryId: sig.recoveryId,
    der: hex(toDer(sig)),
    timingsMs: timings,
  };
  printSummary(io, summary, values.json === true);
  return 0;
}
