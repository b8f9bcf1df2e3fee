/** TOFU pinning of peers' identity keys, and the clique check of a job's participants. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend, PassphraseSeal, SecretStore } from '@quorate/secrets';
import {
  checkClique,
  checkParticipants,
  schemaOfCommittee,
  SigningSchemaError,
} from '../src/clique.ts';
import { PinMismatchError, PinStore } from '../src/pins.ts';
import type { Participant } from '../src/job.ts';

const k = (n: number) => new Uint8Array(32).fill(n);

describe('TOFU pins', async () => {
  const store = await SecretStore.create(
    new MemoryBackend(),
    new PassphraseSeal('p', { scrypt: { N: 1024, r: 8, p: 1 } }),
  );
  const pins = new PinStore(store);

  test('first use pins; the same keys pass again', () => {
    pins.checkAndPin(new Map([['g1', { signing: k(1), encryption: k(2) }]]));
    assert.deepEqual(pins.get('g1'), { signing: k(1), encryption: k(2) });
    pins.checkAndPin(new Map([['g1', { signing: k(1), encryption: k(2) }]]));
  });

  test('a swapped signing or encryption key is refused, and nothing new is pinned', () => {
    const swap = () =>
      pins.checkAndPin(
        new Map([
          ['g2', { signing: k(5), encryption: k(6) }],
          ['g1', { signing: k(9), encryption: k(2) }],
        ]),
      );
    assert.throws(
      swap,
      (e: unknown) => e instanceof PinMismatchError && e.cosignerId === 'g1' && e.key === 'signing',
    );
    assert.equal(pins.get('g2'), undefined); // the whole list or nothing
    assert.throws(
      () => pins.checkAndPin(new Map([['g1', { signing: k(1), encryption: k(7) }]])),
      (e: unknown) => e instanceof PinMismatchError && e.key === 'encryption',
    );
    assert.deepEqual(pins.get('g1'), { signing: k(1), encryption: k(2) });
  });
});

const id = { signing: '00'.repeat(32), encryption: '00'.repeat(32) };
const P = (
  partyId: number,
  cosignerId: string,
  role: 'primary' | 'guard',
  set: string | null,
): Participant => ({
  partyId,
  cosignerId,
  role,
  set,
  identity: id,
});
// Schema: primaries p1, p2; set A: a1, a2; set B: b1.
const committee = [
  P(1, 'p1', 'primary', null),
  P(2, 'p2', 'primary', null),
  P(3, 'a1', 'guard', 'A'),
  P(4, 'a2', 'guard', 'A'),
  P(5, 'b1', 'guard', 'B'),
];

describe('clique check', () => {
  const schema = schemaOfCommittee(committee, 3);

  test('a committee declares a valid schema; a wrong threshold or a set-less guard does not', () => {
    assert.equal(schema.threshold, 3);
    assert.deepEqual(
      schema.sets.map((s) => s.name),
      ['A', 'B'],
    );
    assert.throws(
      () => schemaOfCommittee(committee, 2),
      (e: unknown) => e instanceof SigningSchemaError && e.field === 'threshold',
    );
    assert.throws(
      () => schemaOfCommittee([P(1, 'p1', 'primary', null), P(2, 'g', 'guard', null)], 2),
      (e: unknown) => e instanceof SigningSchemaError && e.field === 'participants.set',
    );
  });

  test('one primary and one guard per set is a clique', () => {
    assert.deepEqual(
      checkParticipants(schema, [committee[0], committee[3], committee[4]] as Participant[]),
      { valid: true },
    );
  });

  test('every way of not being a clique is named', () => {
    const problem = (parties: number[]) => {
      const r = checkClique(schema, parties);
      return r.valid ? 'VALID' : r.problem;
    };
    assert.equal(problem([1, 2, 3, 5]), 'TWO_PRIMARIES');
    assert.equal(problem([3, 5]), 'NO_PRIMARY');
    assert.equal(problem([1, 3, 4, 5]), 'TWO_FROM_SET');
    assert.equal(problem([1, 3]), 'SET_MISSING');
    assert.equal(problem([1, 3, 9]), 'UNKNOWN_PARTY');
    assert.equal(problem([1, 3, 3, 5]), 'DUPLICATE_PARTY');
  });

  test('a party moved to another co-signer is refused', () => {
    const r = checkParticipants(schema, [
      P(1, 'p1', 'primary', null),
      P(3, 'evil', 'guard', 'A'),
      P(5, 'b1', 'guard', 'B'),
    ]);
    assert.equal(r.valid, false);
    assert.equal(r.valid ? '' : r.problem, 'UNKNOWN_PARTY');
  });
});
