/**
 * `quorate cosigner keys list | resolve | remove` (keys-admin.ts) on an initialized data dir
 * (key-file seal) holding a FROST key with an in-doubt pending share: list shows both committees
 * and the confirmation; resolve refuses a wrong confirmation and then commits or discards; remove
 * refuses a wrong public key and then erases; every change is in the audit log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dealerSplit, getSuite, parseKeyShare, serializeKeyShare } from '@quorate/frost';
import { deterministicRng } from '@quorate/runtime/harness';
import { cosignerCommand } from '../src/cli.ts';
import { writeKeyFileConfig } from './helpers/config-file.ts';
import { loadConfig } from '../src/config.ts';
import { PendingShares } from '../src/lifecycle.ts';
import { KeyStore } from '../src/protocols.ts';
import { auditPath, openStore, sealFromConfig } from '../src/state.ts';
import { schemaOfCommittee } from '../src/clique.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function run(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cosignerCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const committee = (parties: number[]) =>
  schemaOfCommittee(
    parties.map((partyId, n) => ({
      partyId,
      cosignerId: `cs-${partyId}`,
      role: n === 0 ? ('primary' as const) : ('guard' as const),
      set: n === 0 ? null : 'A',
      identity: { signing: '00'.repeat(32), encryption: '00'.repeat(32) },
    })),
    2,
  );

describe('quorate cosigner keys', () => {
  let dir: string;
  let cfgFile: string;
  /** Party 1's share of one fixed Ed25519 key, dealt among `parties` (another polynomial each). */
  const shareOf1 = (parties: number[]) =>
    dealerSplit({
      suite: 'ed25519',
      threshold: 2,
      parties,
      secret: 0x5eed5eed5eedn,
      chainCode: new Uint8Array(32).fill(9),
      rng: deterministicRng(`cosigner/keys-admin-${parties.join('')}`),
    }).get(1)!;
  const old = shareOf1([1, 2, 3]);
  // The share a reshare to parties 1, 2, 4 would have left pending (same key and party 1,
  // another polynomial; a dealer split of the same secret stands in for it here).
  const next = shareOf1([1, 2, 4]);
  const pub = hex(getSuite('ed25519').encodePoint(old.publicKey));
  const CONFIRMATION = 'ab'.repeat(32);
  /** `quorate cosigner keys <sub> --config … [args]`. */
  const keysCmd = (sub: string, ...args: string[]) =>
    run(['keys', sub, '--config', cfgFile, ...args]);
  /** `keys resolve --key vault-sol --confirmation <digest> [flags]`. */
  const resolveCmd = (confirmation: string, ...flags: string[]) =>
    keysCmd('resolve', '--key', 'vault-sol', '--confirmation', confirmation, ...flags);

  async function withKeys<T>(f: (keys: KeyStore) => T): Promise<T> {
    const cfg = loadConfig(cfgFile, {});
    const opened = await openStore(cfg, sealFromConfig(cfg, {}));
    try {
      return f(new KeyStore(opened.store));
    } finally {
      opened.close();
    }
  }
  async function seed(): Promise<void> {
    await withKeys((keys) => {
      keys.saveFrost('vault-sol', old, {
        algorithm: 'eddsa-ed25519',
        publicKey: pub,
        chainCode: hex(old.chainCode),
        schema: committee([1, 2, 3]),
      });
      new PendingShares(keys).put('vault-sol', 'frost', serializeKeyShare(next), {
        jobId: 'reshare-job-1',
        confirmation: CONFIRMATION,
        meta: {
          algorithm: 'eddsa-ed25519',
          publicKey: pub,
          chainCode: hex(old.chainCode),
          schema: committee([1, 2, 4]),
        },
      });
    });
  }
  const audit = () =>
    readFileSync(auditPath(loadConfig(cfgFile, {})), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorate-cosigner-keys-'));
    cfgFile = writeKeyFileConfig(dir);
    const init = await run(['init', '--config', cfgFile, '--generate-key-file']);
    assert.equal(init.code, 0, init.err);
    await seed();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('list: the active committee and the pending share with its confirmation', async () => {
    const r = await keysCmd('list', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), {
      keys: [
        {
          keyId: 'vault-sol',
          algorithm: 'eddsa-ed25519',
          publicKey: pub,
          threshold: 2,
          parties: [1, 2, 3],
          pending: {
            jobId: 'reshare-job-1',
            confirmation: CONFIRMATION,
            threshold: 2,
            parties: [1, 2, 4],
          },
        },
      ],
    });
    const text = await keysCmd('list');
    assert.match(text.out, new RegExp(`confirmation ${CONFIRMATION}`));
  });

  test('resolve: a wrong confirmation or no decision changes nothing; --discard drops it', async () => {
    const wrong = await resolveCmd('cd'.repeat(32), '--commit');
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /has confirmation (ab){32}, not (cd){32}:/);
    const both = await keysCmd('resolve', '--key', 'vault-sol');
    assert.equal(both.code, 2);
    assert.match(both.err, /exactly one of --commit, --discard/);
    assert.equal(
      await withKeys((k) => new PendingShares(k).get('vault-sol')?.jobId),
      'reshare-job-1',
    );

    const r = await resolveCmd(CONFIRMATION, '--discard', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), {
      keyId: 'vault-sol',
      jobId: 'reshare-job-1',
      decision: 'discard',
    });
    await withKeys((k) => {
      assert.equal(new PendingShares(k).get('vault-sol'), undefined);
      assert.deepEqual(k.frostShare('vault-sol').parties, [1, 2, 3]);
    });
    const last = audit().at(-1)!;
    assert.equal(last.type, 'key.resolve');
    assert.equal(last.data['decision'], 'discard');
  });

  test('resolve --commit: the pending share becomes the active one, with its committee', async () => {
    await seed();
    const r = await resolveCmd(CONFIRMATION, '--commit');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /is now the active share/);
    await withKeys((k) => {
      assert.equal(new PendingShares(k).get('vault-sol'), undefined);
      const active = parseKeyShare(k.store.get('key-share', 'vault-sol', 'frost')!);
      assert.deepEqual(active.parties, [1, 2, 4]);
      assert.deepEqual(
        [...k.meta('vault-sol')!.schema.sets[0]!.guards.map((g) => g.party)],
        [2, 4],
      );
    });
    assert.equal(audit().at(-1)!.data['decision'], 'commit');
  });

  test('remove: a wrong public key changes nothing; the right one erases the key', async () => {
    const wrong = await keysCmd('remove', '--key', 'vault-sol', '--public-key', '00'.repeat(32));
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /nothing removed/);
    assert.notEqual(await withKeys((k) => k.meta('vault-sol')), undefined);
    const r = await keysCmd('remove', '--key', 'vault-sol', '--public-key', pub);
    assert.equal(r.code, 0, r.err);
    await withKeys((k) => {
      assert.equal(k.meta('vault-sol'), undefined);
      assert.equal(k.store.get('key-share', 'vault-sol', 'frost'), undefined);
      assert.equal(k.resolve(pub), undefined);
    });
    assert.equal(audit().at(-1)!.type, 'key.remove');
    const empty = await keysCmd('list');
    assert.equal(empty.out, 'no key on this co-signer');
    const missing = await keysCmd('remove', '--key', 'vault-sol', '--public-key', pub);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no key vault-sol on this co-signer/);
  });
});
