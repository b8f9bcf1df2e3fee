/**
 * The developer stack's saved state (`<data-dir>/dev.json`): which ports it listens on, which API
 * users and co-signers it created, which vaults hold its keys. Written once the first run has
 * provisioned the stack, so a re-run reuses the same hub, co-signers and keys. Untrusted like any
 * file: parsed strictly, and a file that does not parse says how to start over.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const STATE_FILE = 'dev.json';

const id = z.string().min(1).max(128);
const port = z.number().int().min(1).max(65535);

const cosignerSchema = z.strictObject({
  name: z.string().min(1).max(64),
  id,
  role: z.enum(['primary', 'guard']),
  set: z.string().min(1).max(64).nullable(),
  party: z.number().int().min(1).max(64),
  configFile: z.string().min(1),
});

const vaultSchema = z.strictObject({
  vaultId: id,
  accountId: id,
  path: z.string().min(1),
});

export const devStateSchema = z.strictObject({
  version: z.literal(1),
  ports: z.strictObject({ api: port, cosigners: port, callback: port }),
  ownerId: id,
  apiUser: z.strictObject({ id, name: z.string().min(1), keyFile: z.string().min(1) }),
  cosigners: z.array(cosignerSchema).min(1),
  vaults: z.strictObject({ ecdsa: vaultSchema, eddsa: vaultSchema }).nullable(),
});

export type DevState = z.output<typeof devStateSchema>;
export type DevCosigner = z.output<typeof cosignerSchema>;

export class DevStateError extends Error {
  override readonly name = 'DevStateError';
}

export function readDevState(dataDir: string): DevState | null {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new DevStateError(
      `${file} is not valid JSON: remove ${dataDir} to start a fresh developer stack`,
    );
  }
  const r = devStateSchema.safeParse(raw);
  if (!r.success) {
    const field = r.error.issues[0]?.path.join('.') || '(root)';
    throw new DevStateError(
      `${file}: invalid ${field}: remove ${dataDir} to start a fresh developer stack`,
    );
  }
  return r.data;
}

/** Atomic replace: a crash leaves the old file or the new one, never half of one. */
export function writeDevState(dataDir: string, state: DevState): void {
  const file = join(dataDir, STATE_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
