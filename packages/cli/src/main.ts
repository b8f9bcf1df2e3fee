/**
 * `quorate` — the command-line program. Subcommand groups: sim, hub, cosigner, recovery, dev.
 * Each group lives in its own module; this file only dispatches and turns errors into exit codes.
 */
import { ProtocolError } from '@quorate/runtime';
import { processIo, UsageError } from './args.ts';
import type { Io } from './args.ts';
import { simCommand } from './sim.ts';
import { hubCommand } from '@quorate/hub/cli';
import { cosignerCommand } from '@quorate/cosigner/cli';
import { recoveryCommand } from '@quorate/recovery/cli';
import { txCommand } from '@quorate/sdk/cli';
import { devCommand } from './dev/command.ts';

type Group = (argv: readonly string[], io: Io) => Promise<number>;

export const GROUPS: Record<string, { summary: string; run: Group }> = {
  sim: { summary: 'run every party of a protocol in this process', run: simCommand },
  hub: {
    summary: 'the control plane: init, start, api users, pairing tokens, policy',
    run: hubCommand,
  },
  cosigner: {
    summary: 'the co-signer daemon: init, start, pair, callbacks, backups',
    run: (argv, io) => cosignerCommand(argv, io),
  },
  recovery: {
    summary: 'offline recovery: keygen, verify, reconstruct, derive',
    run: recoveryCommand,
  },
  tx: {
    summary: 'transactions and co-signers through the hub API (signed requests)',
    run: (argv, io) => txCommand(argv, io),
  },
  dev: {
    summary: 'developer stack: hub + three co-signers as processes (dev up --demo)',
    run: (argv, io) => devCommand(argv, io),
  },
};

export const USAGE = `Usage: quorate <group> <command> [flags]

${Object.entries(GROUPS)
  .map(([k, g]) => `  ${k.padEnd(10)} ${g.summary}`)
  .join('\n')}

Run "quorate <group> --help" for the commands of a group.`;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [group, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    io.out(USAGE);
    return group === undefined ? 2 : 0;
  }
  const g = GROUPS[group];
  if (!g) {
    io.err(`quorate: unknown command group "${group}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await g.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`quorate ${group}: ${e.message}`);
      return 2;
    }
    if (e instanceof ProtocolError) {
      io.err(`quorate ${group}: ${e.message}`);
      return e.kind === 'aborted' ? 3 : 1;
    }
    io.err(`quorate ${group}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
