/**
 * `quorate recovery …`: the offline recovery tool. No command touches the network.
 *
 *   keygen       create the recovery key pair (private key file 0600, optional passphrase)
 *   verify       check backups against the group's public key; prints nothing secret
 *   reconstruct  rebuild the root private key from ≥ t backups (printed only with --print-private-key)
 *   derive       child keys at non-hardened paths, with EVM / Bitcoin / Solana addresses
 *
 * Same shape as the other groups (`recoveryCommand(argv, io)` → exit code): --help and --json on
 * every command; 0 = success, 1 = a recovery error (typed, `code` in --json), 2 = bad usage.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DerivationPathError } from '@quorate/hd';
import type { BitcoinNetwork } from './addresses.ts';
import { RecoveryError } from './errors.ts';
import { deriveChild, privateKeyHex, reconstruct, verifyBackups } from './recover.ts';
import type { BackupFile } from './recover.ts';
import { generateRecoveryKeyPair, parseRecoveryPrivateKey } from './recovery-key.ts';
import type { RecoveryPrivateKey } from './recovery-key.ts';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON = `Common flags:
  --key FILE               recovery private key (PEM, from "recovery keygen")
  --passphrase-file FILE   read the private key's passphrase from FILE (first line)
  --passphrase-env NAME    read it from environment variable NAME
  --network mainnet|testnet  Bitcoin addresses (default mainnet)
  --json                   one JSON object on stdout
  -h, --help               this help`;

const USAGE = `Usage: quorate recovery <command> [flags]

Offline recovery of threshold keys from share backups (no network is used).

Commands:
  keygen       create the offline recovery key pair
  verify       check backups are consistent with the public key (prints nothing secret)
  reconstruct  rebuild the root private key from at least t backups
  derive       derive child keys (non-hardened paths) and their addresses

Run "quorate recovery <command> --help" for its flags.`;

const HELP: Record<string, string> = {
  keygen: `Usage: quorate recovery keygen --out DIR [--passphrase-file FILE | --passphrase-env NAME] [--force] [--json]

Creates DIR/recovery-key.pem (X25519 private key, PKCS#8, mode 0600; encrypted when a passphrase
is given) and DIR/recovery-key.pub.pem (the public key co-signers encrypt backups to).
Keep the private key offline. Existing files are not overwritten without --force.`,
  verify: `Usage: quorate recovery verify --key FILE [flags] BACKUP...

Decrypts each backup and checks: one key, no party twice, each share x_i matches its public
share x_i·G, the public shares interpolate to the public key, and at least t backups are present.
Prints the key id, public key, parties and addresses; never a share or the private key.

${COMMON}`,
  reconstruct: `Usage: quorate recovery reconstruct --key FILE [--print-private-key] [flags] BACKUP...

Rebuilds the root private key from at least t backups and checks it against the public key.
Prints the public key and root addresses; the private key only with --print-private-key.

${COMMON}
  --print-private-key      also print the root private key (hex) — handle the output as a secret`,
  derive: `Usage: quorate recovery derive --key FILE --path m/44/60/0/0/0 [--path …] [--print-private-key] [flags] BACKUP...

Derives child keys below the reconstructed root with the MPC chain code: BIP32 non-hardened
for secp256k1 keys (ECDSA, BIP340), the additive scheme quorate-ed25519-add-v1 for Ed25519.
Prints each child's public key and EVM / Bitcoin P2WPKH (and P2TR for BIP340) or Solana
address; the child private keys only with --print-private-key.

${COMMON}
  --path PATH              non-hardened derivation path (repeat for several)
  --print-private-key      also print the child private keys (hex)`,
};

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  key: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  'passphrase-env': { type: 'string' },
  network: { type: 'string' },
  path: { type: 'string', multiple: true },
  'print-private-key': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: readonly string[], usage: string) {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${usage}`);
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
}

function passphrase(v: Values): string | undefined {
  const file = v['passphrase-file'];
  const env = v['passphrase-env'];
  if (file !== undefined && env !== undefined)
    throw new UsageError('give --passphrase-file or --passphrase-env, not both');
  if (file !== undefined) {
    const line = readText(file, 'passphrase file').split(/\r?\n/)[0] ?? '';
    if (line.length === 0) throw new UsageError(`passphrase file ${file} is empty`);
    return line;
  }
  if (env !== undefined) {
    const p = process.env[env];
    if (p === undefined || p.length === 0)
      throw new UsageError(`environment variable ${env} is not set`);
    return p;
  }
  return undefined;
}

function network(v: Values): BitcoinNetwork {
  const n = v.network ?? 'mainnet';
  if (n !== 'mainnet' && n !== 'testnet')
    throw new UsageError(`--network must be mainnet or testnet (got "${n}")`);
  return n;
}

function loadKey(v: Values): RecoveryPrivateKey {
  if (v.key === undefined)
    throw new UsageError('--key FILE (the recovery private key) is required');
  return parseRecoveryPrivateKey(readText(v.key, 'recovery key'), passphrase(v), v.key);
}

function backups(positionals: readonly string[]): BackupFile[] {
  if (positionals.length === 0) throw new UsageError('give the backup files to use');
  return positionals.map((f) => ({ text: readText(f, 'backup'), source: f }));
}

function lines(obj: Record<string, unknown>, indent = ''): string {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? `${indent}${k}:\n${lines(v as Record<string, unknown>, indent + '  ')}`
        : `${indent}${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`,
    )
    .join('\n');
}

function emit(io: Io, json: boolean, obj: Record<string, unknown>): void {
  io.out(json ? JSON.stringify(obj) : lines(obj));
}

function keygen(v: Values, io: Io): number {
  if (v.out === undefined) throw new UsageError(`--out DIR is required\n\n${HELP.keygen}`);
  const dir = v.out;
  const privPath = join(dir, 'recovery-key.pem');
  const pubPath = join(dir, 'recovery-key.pub.pem');
  if (!v.force && (existsSync(privPath) || existsSync(pubPath)))
    throw new UsageError(`${privPath} or ${pubPath} exists; use --force to replace it`);
  const pair = generateRecoveryKeyPair(passphrase(v));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(privPath, pair.privateKeyPem, { mode: 0o600 });
  chmodSync(privPath, 0o600); // an existing file keeps its old mode with writeFileSync
  writeFileSync(pubPath, pair.publicKeyPem, { mode: 0o644 });
  emit(io, v.json ?? false, {
    privateKeyFile: privPath,
    publicKeyFile: pubPath,
    fingerprint: pair.publicKey.fingerprint,
    publicKey: Buffer.from(pair.publicKey.raw).toString('hex'),
    encrypted: v['passphrase-file'] !== undefined || v['passphrase-env'] !== undefined,
  });
  return 0;
}

function verify(v: Values, positionals: readonly string[], io: Io): number {
  const r = verifyBackups(backups(positionals), loadKey(v), { network: network(v) });
  emit(io, v.json ?? false, {
    ok: true,
    ...r,
    participants: [...r.participants],
    present: [...r.present],
  });
  return 0;
}

function reconstructCmd(v: Values, positionals: readonly string[], io: Io): number {
  const net = network(v);
  const root = reconstruct(backups(positionals), loadKey(v));
  const top = deriveChild(root, 'm', { network: net });
  emit(io, v.json ?? false, {
    keyId: root.keyId,
    algorithm: root.algorithm,
    publicKey: Buffer.from(root.publicKey).toString('hex'),
    chainCode: Buffer.from(root.chainCode).toString('hex'),
    addresses: top.addresses,
    ...(v['print-private-key'] ? { privateKey: privateKeyHex(root.curve, root.privateKey) } : {}),
  });
  return 0;
}

function deriveCmd(v: Values, positionals: readonly string[], io: Io): number {
  const paths = v.path ?? [];
  if (paths.length === 0) throw new UsageError(`--path is required\n\n${HELP.derive}`);
  const net = network(v);
  const root = reconstruct(backups(positionals), loadKey(v));
  const children = paths.map((p) => {
    let d;
    try {
      d = deriveChild(root, p, { network: net });
    } catch (e) {
      if (e instanceof DerivationPathError) throw new UsageError(`--path ${p}: ${e.message}`);
      throw e;
    }
    return {
      path: d.path,
      publicKey: Buffer.from(d.publicKey).toString('hex'),
      addresses: d.addresses,
      ...(v['print-private-key'] ? { privateKey: privateKeyHex(root.curve, d.privateKey) } : {}),
    };
  });
  const out = {
    keyId: root.keyId,
    algorithm: root.algorithm,
    publicKey: Buffer.from(root.publicKey).toString('hex'),
    children,
  };
  if (v.json) io.out(JSON.stringify(out));
  else
    io.out(
      [
        lines({ keyId: out.keyId, algorithm: out.algorithm, publicKey: out.publicKey }),
        ...children.map((c) => lines(c)),
      ].join('\n\n'),
    );
  return 0;
}

export async function recoveryCommand(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const help = HELP[cmd];
  if (help === undefined) {
    io.err(`quorate recovery: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  let json = rest.includes('--json');
  try {
    const { values, positionals } = parse(rest, help);
    json = values.json ?? false;
    if (values.help) {
      io.out(help);
      return 0;
    }
    if (cmd !== 'keygen' && cmd !== 'verify' && cmd !== 'reconstruct' && cmd !== 'derive')
      throw new UsageError(help);
    if (cmd === 'keygen') {
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      return keygen(values, io);
    }
    if (cmd === 'verify') return verify(values, positionals, io);
    if (cmd === 'reconstruct') return reconstructCmd(values, positionals, io);
    return deriveCmd(values, positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`quorate recovery ${cmd}: ${e.message}`);
      return 2;
    }
    if (e instanceof RecoveryError) {
      if (json)
        io.out(
          JSON.stringify({ ok: false, error: { code: e.code, name: e.name, message: e.message } }),
        );
      io.err(`quorate recovery ${cmd}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
