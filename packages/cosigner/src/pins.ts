/**
 * Trust on first use of peers' identity keys (the relay contract, "E2E protection"): the first
 * time a co-signer id appears in a job, its Ed25519 and X25519 keys are pinned in the secrets
 * store; afterwards a job in which that id shows other keys is refused, so a compromised hub
 * cannot swap a peer's keys to read or forge its messages. Pins are records of type `peer-pin`
 * (owner `peers`, id = co-signer id) whose value is signing ‖ encryption (64 bytes).
 */
import { timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '@quorate/secrets';
import type { PeerKeys } from './e2e.ts';

const TYPE = 'peer-pin';
const OWNER = 'peers';

export class PinMismatchError extends Error {
  override readonly name = 'PinMismatchError';
  constructor(
    readonly cosignerId: string,
    readonly key: 'signing' | 'encryption',
  ) {
    super(`co-signer ${cosignerId} presents a ${key} key other than the one pinned for it`);
  }
}

export class PinStore {
  constructor(private readonly store: SecretStore) {}

  get(cosignerId: string): PeerKeys | undefined {
    const v = this.store.get(TYPE, OWNER, cosignerId);
    if (v === undefined || v.length !== 64) return undefined;
    return { signing: v.slice(0, 32), encryption: v.slice(32) };
  }

  /**
   * Checks every peer against its pin, then pins the new ones, in one transaction: either the
   * whole participant list is consistent with the pins and they are recorded, or nothing changes.
   */
  checkAndPin(peers: ReadonlyMap<string, PeerKeys>): void {
    this.store.transaction((tx) => {
      const fresh: [string, Uint8Array][] = [];
      for (const [id, keys] of peers) {
        const v = tx.get(TYPE, OWNER, id);
        if (v === undefined) {
          const value = new Uint8Array(64);
          value.set(keys.signing, 0);
          value.set(keys.encryption, 32);
          fresh.push([id, value]);
          continue;
        }
        if (!same(v.subarray(0, 32), keys.signing)) throw new PinMismatchError(id, 'signing');
        if (!same(v.subarray(32, 64), keys.encryption))
          throw new PinMismatchError(id, 'encryption');
      }
      for (const [id, value] of fresh) tx.put(TYPE, OWNER, id, value);
    });
  }

  /** Forgets a pin (operator action after a peer legitimately re-initialized). */
  forget(cosignerId: string): boolean {
    return this.store.delete(TYPE, OWNER, cosignerId);
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
