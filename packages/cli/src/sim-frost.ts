/**
 * `quorate sim eddsa|schnorr`: FROST (RFC 9591) DKG then signing with every party in this
 * process — Ed25519 (`eddsa`) or BIP340/Taproot (`schnorr`). Mirrors `sim ecdsa`: same flags
 * where they apply, one JSON object on stdout, progress on stderr.
 */
import { createHash } from 'node:crypto';
import { externalKey, frostDkg, frostSign, getSuite, signingKey } from '@quorate/frost';
import type { KeyShare, SigningKeyOptions, SuiteId } from '@quorate/frost';
import { DerivationPathError, parsePath } from '@quorate/hd';
import { simulate } from '@quorate/runtime/harness';
import { intFlag, parseFlags, parseSigners, printSummary, UsageError } from './args.ts';
import type { Io } from './args.ts';

export const FROST_USAGE = `Flags (eddsa, schnorr):
  --threshold T        signers needed, 1..parties (default 2)
  --parties N          key holders, 2..100 (default 3)
  --message TEXT       the message (UTF-8), required
  --hash sha256|none   what is signed: the SHA-256 digest or the message itself
                       (default: none for eddsa, sha256 for schnorr)
  --path m/0/5         non-hardened derivation below the key (Ed25519: additive scheme)
  --signers 1,3        who signs (default: the first T parties)
  --taproot            schnorr only: BIP86 key-path tweak (empty merkle root)
  --merkle-root HEX    schnorr only: BIP341 tweak with this 32-byte script tree root
  --json               print one JSON object on stdout`;

const FLAGS = {
  threshold: { type: 'string' },
  parties: { type: 'string' },
  message: { type: 'string' },
  hash: { type: 'string' },
  path: { type: 'string' },
  signers: { type: 'string' },
  taproot: { type: 'boolean' },
  'merkle-root': { type: 'string' },
} as const;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const round = (ms: number) => Math.round(ms * 100) / 100;

export async function simFrost(
  protocol: 'eddsa' | 'schnorr',
  argv: readonly string[],
  io: Io,
  usage: string,
): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, usage);
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const n = intFlag(values.parties as string | undefined, 'parties', 2, 100, 3);
  const t = intFlag(values.threshold as string | undefined, 'threshold', 1, n, 2);
  const text = values.message as string | undefined;
  if (text === undefined) throw new UsageError('--message is required');
  const hashName =
    (values.hash as string | undefined) ?? (protocol === 'eddsa' ? 'none' : 'sha256');
  if (hashName !== 'sha256' && hashName !== 'none')
    throw new UsageError(`--hash must be sha256 or none (got "${hashName}")`);
  const signers = parseSigners(values.signers as string | undefined, t, n);
  const pathText = values.path as string | undefined;
  if (pathText !== undefined) {
    try {
      parsePath(pathText, '--path');
    } catch (e) {
      if (e instanceof DerivationPathError) throw new UsageError(e.message);
      throw e;
    }
  }
  const keyOpts: { path?: string; merkleRoot?: Uint8Array } = {};
  if (pathText !== undefined) keyOpts.path = pathText;
  const rootHex = values['merkle-root'] as string | undefined;
  if (protocol === 'eddsa' && (values.taproot || rootHex !== undefined))
    throw new UsageError('--taproot and --merkle-root apply to schnorr only');
  if (rootHex !== undefined) {
    if (!/^[0-9a-f]{64}$/.test(rootHex))
      throw new UsageError('--merkle-root must be 32 bytes as lowercase hex');
    keyOpts.merkleRoot = Uint8Array.from(Buffer.from(rootHex, 'hex'));
  } else if (values.taproot) keyOpts.merkleRoot = new Uint8Array(0);

  const suiteId: SuiteId = protocol === 'eddsa' ? 'ed25519' : 'secp256k1-tr';
  const suite = getSuite(suiteId);
  const message = new TextEncoder().encode(text);
  const digest =
    hashName === 'sha256'
      ? new Uint8Array(createHash('sha256').update(message).digest())
      : undefined;
  const signed = digest ?? message;
  const parties = Array.from({ length: n }, (_, i) => i + 1);

  io.err(`dkg: ${suiteId} ${t}-of-${n} …`);
  const t0 = performance.now();
  const dkg = simulate(frostDkg(suiteId), { parties, threshold: t, config: () => undefined });
  const dkgMs = performance.now() - t0;
  const dkgErr = dkg.errors.values().next();
  if (!dkgErr.done) throw dkgErr.value;
  const shares = dkg.outputs as ReadonlyMap<number, KeyShare>;
  const root = shares.get(1) as KeyShare;
  io.err(`dkg: done in ${round(dkgMs)} ms; signing with parties ${signers.join(',')} …`);

  const t1 = performance.now();
  const sign = simulate(frostSign(suiteId), {
    parties: signers,
    config: (p) => ({
      share: shares.get(p) as KeyShare,
      message: signed,
      key: keyOpts as SigningKeyOptions,
    }),
  });
  const signMs = performance.now() - t1;
  const signErr = sign.errors.values().next();
  if (!signErr.done) throw signErr.value;
  const out = sign.outputs.get(signers[0] as number);
  if (!out) throw new Error('no signature was produced (this is a bug)');
  if (!suite.verify(out.signature, signed, out.publicKey))
    throw new Error('the signature does not verify (this is a bug)');
  io.err(`sign: done in ${round(signMs)} ms`);

  const derived = pathText !== undefined ? signingKey(root, { path: pathText }) : undefined;
  const summary: Record<string, unknown> = {
    algorithm: protocol === 'eddsa' ? 'eddsa-ed25519' : 'schnorr-bip340',
    threshold: t,
    parties: n,
    signers,
    publicKey: hex(
      externalKey(suite, suiteId === 'secp256k1-tr' ? signingKey(root).publicKey : root.publicKey),
    ),
    chainCode: hex(root.chainCode),
    path: pathText ?? null,
    derivedPublicKey: derived ? hex(externalKey(suite, derived.publicKey)) : null,
    ...(protocol === 'schnorr'
      ? { taprootOutputKey: keyOpts.merkleRoot ? hex(externalKey(suite, out.publicKey)) : null }
      : {}),
    message: hex(message),
    ...(digest ? { digest: hex(digest) } : {}),
    signature: hex(out.signature),
    timingsMs: { dkg: round(dkgMs), sign: round(signMs), total: round(dkgMs + signMs) },
  };
  printSummary(io, summary, values.json === true);
  return 0;
}
