/**
 * Operator commands on the keys this co-signer holds (`quorate cosigner keys …`), for the cases
 * the protocols leave to a human (docs/recovery.md "Resharing and its commit rule"):
 *
 *  - list: every key with its committee, and a pending share if one waits (a refresh or reshare
 *    whose ack stage failed leaves it "in doubt": this co-signer acknowledged, but did not see
 *    every new party's acknowledgement, so it cannot tell whether the others committed);
 *  - resolve: commit or discard an in-doubt pending share, once the operator has learnt the
 *    outcome elsewhere (the hub records the new committee only when every participant reported
 *    done: `GET /v1/vaults/{id}/committee`; or the other co-signers' `keys list`). The operator
 *    names the confirmation digest `keys list` shows, so the share resolved is the one checked;
 *  - remove: erase a key this co-signer should no longer hold (it was replaced while offline and
 *    is not in the key's committee any more), naming its public key as a confirmation.
 *
 * Each change is one store transaction and is written to the audit log. The co-signer must be
 * stopped meanwhile (the commands say so in their help): the daemon does not expect its keys to
 * change under it.
 */
import type { AuditLog } from '@quorate/cosigner-risk/audit';
import { PendingShares } from './lifecycle.ts';
import type { KeyMeta, KeyStore } from './protocols.ts';

export class KeyAdminError extends Error {
  override readonly name = 'KeyAdminError';
}

export interface KeyListing {
  readonly keyId: string;
  readonly algorithm: string | null;
  readonly publicKey: string | null;
  /** The committee of the active share: threshold and party ids. */
  readonly threshold: number | null;
  readonly parties: readonly number[];
  /** A pending share waiting for its commit (in doubt once its job has ended). */
  readonly pending: {
    readonly jobId: string;
    readonly confirmation: string;
    readonly threshold: number;
    readonly parties: readonly number[];
  } | null;
}

const committeeOf = (m: KeyMeta) => ({
  threshold: m.schema.threshold,
  parties: [...m.schema.primaries, ...m.schema.sets.flatMap((s) => s.guards)]
    .map((x) => x.party)
    .sort((a, b) => a - b),
});

/** Every key with an active or a pending share, by key id. */
export function listKeys(keys: KeyStore): KeyListing[] {
  const pending = new PendingShares(keys);
  const names = new Set([
    ...keys.list().map((k) => k.name),
    ...keys.store.list('key-meta-pending').map((r) => r.owner),
  ]);
  return [...names].sort().map((name) => {
    const meta = keys.meta(name);
    const p = pending.get(name);
    const pm = p === undefined ? undefined : pending.meta(name);
    return {
      keyId: name,
      algorithm: meta?.algorithm ?? pm?.algorithm ?? null,
      publicKey: meta?.publicKey ?? pm?.publicKey ?? null,
      threshold: meta === undefined ? null : committeeOf(meta).threshold,
      parties: meta === undefined ? [] : committeeOf(meta).parties,
      pending:
        p === undefined || pm === undefined
          ? null
          : { jobId: p.jobId, confirmation: p.confirmation, ...committeeOf(pm) },
    };
  });
}

/** Commits (pending share becomes active) or discards an in-doubt pending share. */
export async function resolvePending(opts: {
  readonly keys: KeyStore;
  readonly keyId: string;
  readonly decision: 'commit' | 'discard';
  readonly confirmation: string;
  readonly audit: AuditLog;
}): Promise<{ keyId: string; jobId: string; decision: 'commit' | 'discard' }> {
  const pending = new PendingShares(opts.keys);
  const p = pending.get(opts.keyId);
  if (p === undefined)
    throw new KeyAdminError(
      `key ${opts.keyId} has no pending share (see "quorate cosigner keys list")`,
    );
  if (p.confirmation !== opts.confirmation.toLowerCase())
    throw new KeyAdminError(
      `the pending share of key ${opts.keyId} has confirmation ${p.confirmation}, not ` +
        `${opts.confirmation}: check which reshare or refresh you mean ("keys list")`,
    );
  // Audited first: if the log cannot be written, nothing changes.
  await opts.audit.append('key.resolve', {
    keyId: opts.keyId,
    jobId: p.jobId,
    confirmation: p.confirmation,
    decision: opts.decision,
  });
  if (opts.decision === 'commit') pending.commit(opts.keyId, p.jobId, null);
  else pending.drop(opts.keyId, p.jobId);
  return { keyId: opts.keyId, jobId: p.jobId, decision: opts.decision };
}

/** Erases a key's active share (and any pending one) and its presignatures. */
export async function removeKey(opts: {
  readonly keys: KeyStore;
  readonly keyId: string;
  readonly publicKey: string;
  readonly audit: AuditLog;
}): Promise<{ keyId: string; publicKey: string }> {
  const meta = opts.keys.meta(opts.keyId);
  if (meta === undefined)
    throw new KeyAdminError(`no key ${opts.keyId} on this co-signer (see "keys list")`);
  if (meta.publicKey !== opts.publicKey.toLowerCase())
    throw new KeyAdminError(
      `key ${opts.keyId} has public key ${meta.publicKey}, not ${opts.publicKey}: nothing removed`,
    );
  await opts.audit.append('key.remove', { keyId: opts.keyId, publicKey: meta.publicKey });
  const pending = new PendingShares(opts.keys);
  const p = pending.get(opts.keyId);
  if (p !== undefined) pending.drop(opts.keyId, p.jobId);
  pending.erase(opts.keyId, meta.publicKey);
  return { keyId: opts.keyId, publicKey: meta.publicKey };
}
