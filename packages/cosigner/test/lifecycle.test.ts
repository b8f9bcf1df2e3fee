/**
 * The pieces of lifecycle.ts on their own: the ack stage (the commit rule over E2E-authenticated
 * broadcasts), the announcement of the old key, and the pending-share store (commit, drop).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '@quorate/runtime/harness';
import { MemoryBackend, PassphraseSeal, SecretStore } from '@quorate/secrets';
import { announceOldKey, commitAck, PendingShares } from '../src/lifecycle.ts';
import { KeyStore } from '../src/protocols.ts';
import type { KeyMeta } from '../src/protocols.ts';

const digest = (b: number) => new Uint8Array(32).fill(b);

describe('ack stage (commit rule)', () => {
  test('every new party acknowledges the same digest: everyone commits, leavers included', () => {
    const r = simulate(commitAck, {
      parties: [1, 2, 3, 4],
      config: () => ({ confirmation: digest(7), newParties: [1, 3, 4] }),
      seed: 'ack-ok',
    });
    assert.equal(r.errors.size, 0);
    for (const p of [1, 2, 3, 4]) assert.deepEqual(r.outputs.get(p), { decision: 'commit' });
  });

  test('a new party that computed another result is named, and nobody commits', () => {
    const r = simulate(commitAck, {
      parties: [1, 2, 3],
      config: (p) => ({ confirmation: digest(p === 3 ? 9 : 7), newParties: [1, 2, 3] }),
      seed: 'ack-differs',
    });
    assert.equal(r.outputs.size, 0);
    for (const p of [1, 2]) {
      const e = r.errors.get(p);
      assert.equal(e?.kind, 'aborted');
      assert.deepEqual(
        e?.blame.map((b) => b.party),
        [3],
      );
    }
  });
});

describe('announcement of the old key', () => {
  const data = (s: string) => new TextEncoder().encode(s);
  test('dealers agree: every party, new members included, gets the data', () => {
    const r = simulate(announceOldKey, {
      parties: [1, 2, 5],
      config: (p) => ({
        mine: p === 5 ? null : data('key-A'),
        dealers: [1, 2],
        check: () => undefined,
      }),
      seed: 'announce-ok',
    });
    assert.equal(r.errors.size, 0);
    for (const p of [1, 2, 5]) assert.deepEqual(r.outputs.get(p), data('key-A'));
  });

  test('a dealer announcing another key is named by the other dealer', () => {
    const r = simulate(announceOldKey, {
      parties: [1, 2, 5],
      config: (p) => ({
        mine: p === 5 ? null : data(p === 2 ? 'key-B' : 'key-A'),
        dealers: [1, 2],
        check: () => undefined,
      }),
      seed: 'announce-differs',
    });
    assert.equal(r.outputs.size, 0);
    assert.deepEqual(
      r.errors.get(1)?.blame.map((b) => b.party),
      [2],
    );
  });

  test('agreed data that is not the job’s key aborts, blaming the dealers', () => {
    const r = simulate(announceOldKey, {
      parties: [1, 2, 5],
      config: (p) => ({
        mine: p === 5 ? null : data('key-A'),
        dealers: [1, 2],
        check: () => 'the announced old key is not the key being reshared',
      }),
      seed: 'announce-wrong-key',
    });
    assert.equal(r.outputs.size, 0);
    const e = r.errors.get(5);
    assert.equal(e?.kind, 'aborted');
    assert.deepEqual(
      e?.blame.map((b) => [b.party, b.reason]),
      [
        [1, 'the announced old key is not the key being reshared'],
        [2, 'the announced old key is not the key being reshared'],
      ],
    );
  });
});

describe('pending shares', () => {
  async function keys() {
    const store = await SecretStore.create(
      new MemoryBackend(),
      new PassphraseSeal('test passphrase', { scrypt: { N: 1024, r: 8, p: 1 } }),
    );
    return new KeyStore(store);
  }
  const meta = (threshold: number): KeyMeta => ({
    algorithm: 'eddsa-ed25519',
    publicKey: 'aa'.repeat(32),
    chainCode: 'bb'.repeat(32),
    schema: { version: 1, threshold, primaries: [], sets: [] } as unknown as KeyMeta['schema'],
  });
  const bytes = (s: string) => new TextEncoder().encode(s);

  test('commit swaps the pending share in and deletes the key’s presignatures', async () => {
    const k = await keys();
    k.save('key', 'frost', bytes('old'), meta(2));
    k.store.put('presignature', 'key', 'pre-1', bytes('p'));
    const pending = new PendingShares(k);
    pending.put('key', 'frost', bytes('new'), {
      jobId: 'job-1',
      confirmation: '00',
      meta: meta(3),
    });
    assert.deepEqual(k.raw('key', 'frost'), bytes('old'), 'the old share stays active');
    pending.commit('key', 'job-1', null);
    assert.deepEqual(k.raw('key', 'frost'), bytes('new'));
    assert.equal(k.meta('key')?.schema.threshold, 3);
    assert.equal(pending.get('key'), undefined);
    assert.deepEqual(k.store.list('presignature', 'key'), []);
    k.store.close();
  });

  test('drop removes only the pending share of that job; a leaver erases the key', async () => {
    const k = await keys();
    k.save('key', 'frost', bytes('old'), meta(2));
    const pending = new PendingShares(k);
    pending.put('key', 'frost', bytes('new'), {
      jobId: 'job-1',
      confirmation: '00',
      meta: meta(3),
    });
    pending.drop('key', 'job-other');
    assert.notEqual(pending.get('key'), undefined);
    pending.drop('key', 'job-1');
    assert.equal(pending.get('key'), undefined);
    assert.deepEqual(k.raw('key', 'frost'), bytes('old'));
    assert.throws(() => pending.commit('key', 'job-1', null), /no pending share of this job/);
    pending.commit('key', 'job-2', { publicKey: 'aa'.repeat(32) });
    assert.equal(k.raw('key', 'frost'), undefined);
    assert.equal(k.meta('key'), undefined);
    assert.equal(k.resolve('aa'.repeat(32)), undefined);
    k.store.close();
  });
});
