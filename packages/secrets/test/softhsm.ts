/**
 * Test helper: a throw-away SoftHSM2 installation in a temp dir (its own softhsm2.conf and token
 * directory, selected through SOFTHSM2_CONF), with tokens initialized by softhsm2-util. Nothing
 * outside the temp dir is touched; cleanup() removes it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
];

export interface SoftHsm {
  readonly dir: string;
  readonly library: string;
  readonly conf: string;
  /** Serial number softhsm2-util reports for each token label. */
  readonly serials: Map<string, string>;
  cleanup(): void;
}

export function softHsm(tokens: { label: string; pin: string; soPin: string }[]): SoftHsm {
  const library = CANDIDATES.find((p) => existsSync(p));
  if (library === undefined)
    throw new Error('SoftHSM2 is not installed (apt-get install softhsm2; .ci/run installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'quorate-softhsm-'));
  mkdirSync(join(dir, 'tokens'), { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  for (const t of tokens)
    execFileSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', t.label, '--pin', t.pin, '--so-pin', t.soPin],
      { env, stdio: 'pipe' },
    );
  const serials = new Map<string, string>();
  const slots = execFileSync('softhsm2-util', ['--show-slots'], { env, encoding: 'utf8' });
  for (const block of slots.split(/^Slot /m)) {
    const serial = /Serial number:[ \t]*(\S+)/.exec(block)?.[1];
    const label = /Label:[ \t]*(\S+)/.exec(block)?.[1];
    if (serial !== undefined && label !== undefined) serials.set(label, serial);
  }
  return {
    dir,
    library,
    conf,
    serials,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
