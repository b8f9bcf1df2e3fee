// The transaction lifecycle of issue 7: every legal transition, refusal of every illegal one
// (table-driven over all status × event pairs), terminal statuses final, input checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVENT_TARGET,
  IllegalTransitionError,
  TERMINAL_STATUSES,
  TRANSACTION_EVENTS,
  TRANSACTION_STATUSES,
  TRANSITIONS,
  TransitionInputError,
  applyEvent,
  canTransition,
  replay,
} from '../../src/transactions/state-machine.ts';
import type {
  TransactionEventType,
  TransactionStatus,
} from '../../src/transactions/state-machine.ts';

const actor = { type: 'SYSTEM', id: 'policy-engine' } as const;
const AT = 1_700_000_000_000;

// The expected table, written out independently of the implementation.
const EXPECTED: ReadonlyArray<[TransactionStatus, TransactionEventType, TransactionStatus]> = [
  ['SUBMITTED', 'REQUIRE_APPROVAL', 'PENDING_AUTHORIZATION'],
  ['SUBMITTED', 'AUTHORIZE', 'QUEUED'],
  ['PENDING_AUTHORIZATION', 'AUTHORIZE', 'QUEUED'],
  ['SUBMITTED', 'BLOCK', 'BLOCKED'],
  ['PENDING_AUTHORIZATION', 'REJECT', 'REJECTED'],
  ['PENDING_SIGNATURE', 'REJECT', 'REJECTED'],
  ['QUEUED', 'START_SIGNING', 'PENDING_SIGNATURE'],
  ['PENDING_SIGNATURE', 'REQUEUE', 'QUEUED'],
  ['PENDING_SIGNATURE', 'COMPLETE', 'COMPLETED'],
  ['SUBMITTED', 'FAIL', 'FAILED'],
  ['PENDING_AUTHORIZATION', 'FAIL', 'FAILED'],
  ['QUEUED', 'FAIL', 'FAILED'],
  ['PENDING_SIGNATURE', 'FAIL', 'FAILED'],
  ['SUBMITTED', 'CANCEL', 'CANCELLED'],
  ['PENDING_AUTHORIZATION', 'CANCEL', 'CANCELLED'],
  ['QUEUED', 'CANCEL', 'CANCELLED'],
  ['PENDING_SIGNATURE', 'CANCEL', 'CANCELLED'],
  ['PENDING_AUTHORIZATION', 'TIME_OUT', 'TIMEOUT'],
  ['QUEUED', 'TIME_OUT', 'TIMEOUT'],
  ['PENDING_SIGNATURE', 'TIME_OUT', 'TIMEOUT'],
];
const legal = new Map(EXPECTED.map(([f, e, t]) => [`${f}/${e}`, t]));

describe('transaction state machine: the table', () => {
  test('has exactly the expected rows', () => {
    assert.deepEqual(
      new Set(TRANSITIONS.map((r) => `${r.from}/${r.event}/${r.to}`)),
      new Set(EXPECTED.map((r) => r.join('/'))),
    );
    assert.equal(TRANSITIONS.length, EXPECTED.length);
  });

  test('terminal statuses have no outgoing row', () => {
    for (const s of TERMINAL_STATUSES)
      assert.equal(
        TRANSITIONS.some((r) => r.from === s),
        false,
        s,
      );
    assert.deepEqual([...TERMINAL_STATUSES].sort(), [
      'BLOCKED',
      'CANCELLED',
      'COMPLETED',
      'FAILED',
      'REJECTED',
      'TIMEOUT',
    ]);
  });
});

describe('transaction state machine: every status × event pair', () => {
  for (const from of TRANSACTION_STATUSES) {
    for (const type of TRANSACTION_EVENTS) {
      const expected = legal.get(`${from}/${type}`);
      if (expected !== undefined) {
        test(`${from} --${type}--> ${expected}`, () => {
          const r = applyEvent(from, { type, reason: `because ${type}`, actor }, AT);
          assert.equal(r.status, expected);
          assert.deepEqual(r.record, {
            from,
            to: expected,
            event: type,
            reason: `because ${type}`,
            at: AT,
            actor,
          });
          assert.ok(Object.isFrozen(r.record));
        });
      } else {
        test(`${from} --${type}--> refused`, () => {
          assert.throws(
            () => applyEvent(from, { type, reason: 'try', actor }, AT),
            (e: unknown) => {
              assert.ok(e instanceof IllegalTransitionError);
              assert.equal(e.from, from);
              assert.equal(e.to, EVENT_TARGET[type]);
              assert.equal(e.event, type);
              assert.equal(e.terminal, TERMINAL_STATUSES.has(from));
              assert.match(e.message, new RegExp(`${from} → ${EVENT_TARGET[type]}`));
              return true;
            },
          );
        });
      }
    }
  }
});

describe('transaction state machine: every status pair', () => {
  const pairs = new Set(EXPECTED.map(([f, , t]) => `${f}>${t}`));
  for (const from of TRANSACTION_STATUSES)
    for (const to of TRANSACTION_STATUSES)
      test(`canTransition(${from}, ${to}) = ${pairs.has(`${from}>${to}`)}`, () => {
        assert.equal(canTransition(from, to), pairs.has(`${from}>${to}`));
      });
});

describe('transaction state machine: inputs and replay', () => {
  test('a transition needs a reason', () => {
    assert.throws(
      () => applyEvent('SUBMITTED', { type: 'AUTHORIZE', reason: '  ', actor }, AT),
      (e: unknown) => e instanceof TransitionInputError && e.field === 'event.reason',
    );
  });

  test('a transition needs an actor id', () => {
    assert.throws(
      () =>
        applyEvent(
          'SUBMITTED',
          { type: 'AUTHORIZE', reason: 'r', actor: { type: 'USER', id: '' } },
          AT,
        ),
      (e: unknown) => e instanceof TransitionInputError && e.field === 'event.actor.id',
    );
  });

  test('time must be integer milliseconds', () => {
    assert.throws(
      () => applyEvent('SUBMITTED', { type: 'AUTHORIZE', reason: 'r', actor }, 1.5),
      (e: unknown) => e instanceof TransitionInputError && e.field === 'at',
    );
  });

  test('an unknown status or event is refused', () => {
    assert.throws(
      () => applyEvent('DONE' as TransactionStatus, { type: 'AUTHORIZE', reason: 'r', actor }, AT),
      (e: unknown) => e instanceof TransitionInputError && e.field === 'from',
    );
    assert.throws(
      () =>
        applyEvent('SUBMITTED', { type: 'SIGN' as TransactionEventType, reason: 'r', actor }, AT),
      (e: unknown) => e instanceof TransitionInputError && e.field === 'event.type',
    );
  });

  test('replay of a failover history ends COMPLETED; a broken chain names the record', () => {
    let s: TransactionStatus = 'SUBMITTED';
    const records = [];
    for (const type of [
      'AUTHORIZE',
      'START_SIGNING',
      'REQUEUE',
      'START_SIGNING',
      'COMPLETE',
    ] as const) {
      const r = applyEvent(s, { type, reason: type, actor }, AT);
      records.push(r.record);
      s = r.status;
    }
    assert.equal(replay(records), 'COMPLETED');
    const broken = [records[0]!, records[2]!];
    assert.throws(
      () => replay(broken),
      (e: unknown) => e instanceof TransitionInputError && e.field === 'records[1].from',
    );
  });
});
