/**
 * `quorate sim <protocol>`: runs every party of a protocol in this process, as a developer tool.
 * Protocol issues register their simulations here (ecdsa, eddsa, schnorr); `toy` runs the
 * runtime's coin toss.
 */
import { coinToss } from '@quorate/runtime';
import { simulate } from '@quorate/runtime/harness';
import { intFlag, parseFlags, UsageError } from './args.ts';
import type { Io } from './args.ts';
import { FROST_USAGE, simFrost } from './sim-frost.ts';
import { ECDSA_USAGE, simEcdsa } from './sim-ecdsa.ts';

const USAGE = `Usage: quorate sim <protocol> [flags]

Protocols:
  ecdsa    CGGMP21 threshold ECDSA (secp256k1): keygen, aux-info, presign, sign
  toy      commit–reveal coin toss on the protocol runtime (exercises echo broadcast)
  eddsa    FROST Ed25519 (RFC 9591): DKG then threshold signing
  schnorr  FROST BIP340/Taproot: DKG then threshold signing

Flags (toy):
  --parties N   number of parties, 2..64 (default 3)
  --json        print one JSON object on stdout
  -h, --help    show this help

${ECDSA_USAGE}

${FROST_USAGE}`;

export async function simCommand(argv: readonly string[], io: Io): Promise<number> {
  const [protocol, ...rest] = argv;
  if (protocol === undefined || protocol === '--help' || protocol === '-h') {
    io.out(USAGE);
    return protocol === undefined ? 2 : 0;
  }
  if (protocol === 'ecdsa') return simEcdsa(rest, io, USAGE);
  if (protocol === 'eddsa' || protocol === 'schnorr') return simFrost(protocol, rest, io, USAGE);
  if (protocol !== 'toy') throw new UsageError(`unknown protocol "${protocol}"\n\n${USAGE}`);
  const { values } = parseFlags(rest, { parties: { type: 'string' } }, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const n = intFlag(values.parties as string | undefined, 'parties', 2, 64, 3);
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  const t0 = performance.now();
  const result = simulate(coinToss, { parties, config: () => undefined });
  const ms = performance.now() - t0;
  const first = result.errors.values().next();
  if (!first.done) throw first.value;
  const coins = new Set([...result.outputs.values()].map((o) => o.coin));
  if (coins.size !== 1) throw new Error('parties disagree on the coin (this is a bug)');
  const summary = {
    protocol: coinToss.id,
    parties,
    coin: [...coins][0],
    messages: result.sent.length,
    timingsMs: { total: Math.round(ms * 100) / 100 },
  };
  if (values.json) io.out(JSON.stringify(summary));
  else
    io.out(
      `coin toss among ${n} parties: ${summary.coin}\n${summary.messages} messages, ${summary.timingsMs.total} ms`,
    );
  return 0;
}
