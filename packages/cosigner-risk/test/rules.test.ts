// Embedded rules: each rule refuses for its own reason and names itself; order is fixed; the
// engine records admitted requests for rate and amount windows and releases on a later denial.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RiskEngine, parseRiskRules, RiskConfigError } from '../src/rules/index.ts';
import type { RiskRequest, RiskRulesInput } from '../src/rules/index.ts';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0); // a Wednesday, 12:00 UTC
const sign = (over: Partial<RiskRequest> = {}): RiskRequest => ({
  requestId: 'r',
  apiUserId: 'u1',
  operation: 'sign',
  keyId: 'k1',
  participants: ['c1', 'c2'],
  threshold: 2,
  transfers: [
    { destination: '0xAbC0000000000000000000000000000000000001', amount: '100', asset: 'ETH' },
  ],
  ...over,
});
const engine = (rules: RiskRulesInput) => new RiskEngine(parseRiskRules(rules));
const decide = (rules: RiskRulesInput, req = sign(), now = T0) => {
  const d = engine(rules).evaluate(req, now);
  return [d.approved, d.rule] as const;
};
const allowSign = { operations: { sign: {} } };

describe('embedded rules', () => {
  test('default deny: an operation not listed is refused', () => {
    assert.deepEqual(decide({}), [false, 'operation']);
    assert.deepEqual(decide({ operations: { keygen: {} } }), [false, 'operation']);
    assert.deepEqual(decide(allowSign), [true, 'default-approve']);
  });

  test('reject-all wins over everything', () => {
    assert.deepEqual(decide({ ...allowSign, rejectAll: true }), [false, 'reject-all']);
  });

  test('allow lists per operation: API users, keys, participants, thresholds', () => {
    assert.deepEqual(decide({ operations: { sign: { apiUsers: ['u2'] } } }), [false, 'operation']);
    assert.deepEqual(decide({ operations: { sign: { apiUsers: ['u1'] } } }), [
      true,
      'default-approve',
    ]);
    assert.deepEqual(decide({ operations: { sign: { keyIds: ['k2'] } } }), [false, 'operation']);
    assert.deepEqual(decide({ operations: { sign: { participants: ['c1'] } } }), [
      false,
      'operation',
    ]);
    assert.deepEqual(decide({ operations: { sign: { participants: ['c1', 'c2', 'c3'] } } }), [
      true,
      'default-approve',
    ]);
    assert.deepEqual(decide({ operations: { sign: { thresholds: [3] } } }), [false, 'operation']);
    const keygen = sign({ operation: 'keygen', transfers: [] });
    assert.deepEqual(decide({ operations: { keygen: { thresholds: [2] } } }, keygen), [
      true,
      'default-approve',
    ]);
    assert.deepEqual(decide({ operations: { reshare: {} } }, sign({ operation: 'reshare' })), [
      true,
      'default-approve',
    ]);
    assert.deepEqual(decide({ operations: { reshare: {} } }, sign({ operation: 'refresh' })), [
      false,
      'operation',
    ]);
  });

  test('asset allow-list', () => {
    assert.deepEqual(decide({ ...allowSign, assets: ['BTC'] }), [false, 'asset-allow-list']);
    assert.deepEqual(decide({ ...allowSign, assets: ['ETH'] }), [true, 'default-approve']);
  });

  test('destination allow-list: EVM addresses case-insensitive, optional asset', () => {
    const addr = '0xabc0000000000000000000000000000000000001';
    assert.deepEqual(decide({ ...allowSign, destinations: [{ address: addr }] }), [
      true,
      'default-approve',
    ]);
    assert.deepEqual(decide({ ...allowSign, destinations: [{ address: addr, asset: 'BTC' }] }), [
      false,
      'destination-allow-list',
    ]);
    assert.deepEqual(decide({ ...allowSign, destinations: [{ address: '0xdef' }] }), [
      false,
      'destination-allow-list',
    ]);
  });

  test('with value rules configured, a signature without decoded transfers is refused', () => {
    assert.deepEqual(decide({ ...allowSign, assets: ['ETH'] }, sign({ transfers: [] })), [
      false,
      'decoded-transfers',
    ]);
    assert.deepEqual(decide(allowSign, sign({ transfers: [] })), [true, 'default-approve']);
  });

  test('amount per request sums the transfers of an asset', () => {
    const rules = { ...allowSign, amountLimits: [{ asset: 'ETH', maxPerRequest: '150' }] };
    assert.deepEqual(decide(rules), [true, 'default-approve']);
    const two = sign({
      transfers: [
        { destination: 'a', amount: '100', asset: 'ETH' },
        { destination: 'b', amount: '51', asset: 'ETH' },
      ],
    });
    assert.deepEqual(decide(rules, two), [false, 'amount-per-request']);
  });

  test('amount per window counts admitted requests; release gives the budget back', () => {
    const e = engine({
      ...allowSign,
      amountLimits: [{ asset: 'ETH', maxPerWindow: { amount: '250', windowSeconds: 3600 } }],
    });
    assert.equal(e.admit(sign(), T0).decision.approved, true);
    const second = e.admit(sign(), T0 + 1000);
    assert.equal(second.decision.approved, true);
    const third = e.admit(sign(), T0 + 2000);
    assert.deepEqual([third.decision.approved, third.decision.rule], [false, 'amount-per-window']);
    second.release();
    assert.equal(e.admit(sign(), T0 + 3000).decision.approved, true);
    // An hour after the first, it leaves the window.
    assert.equal(e.admit(sign(), T0 + 3600_000 + 1).decision.approved, true);
  });

  test('time windows: inside, outside, other day, spanning midnight, UTC offset', () => {
    const w = (start: string, end: string, extra = {}) => ({
      ...allowSign,
      timeWindows: [{ start, end, ...extra }],
    });
    assert.deepEqual(decide(w('09:00', '17:00')), [true, 'default-approve']);
    assert.deepEqual(decide(w('13:00', '17:00')), [false, 'time-window']);
    assert.deepEqual(decide(w('09:00', '17:00', { days: ['mon', 'tue'] })), [false, 'time-window']);
    assert.deepEqual(decide(w('22:00', '06:00'), sign(), Date.UTC(2025, 0, 16, 3, 0)), [
      true,
      'default-approve',
    ]);
    // 22:00-06:00 starting Tuesdays only: Thursday 03:00 belongs to Wednesday's night.
    assert.deepEqual(
      decide(w('22:00', '06:00', { days: ['tue'] }), sign(), Date.UTC(2025, 0, 16, 3, 0)),
      [false, 'time-window'],
    );
    // 12:00 UTC is 14:00 at UTC+2.
    assert.deepEqual(decide(w('13:30', '14:30', { utcOffsetMinutes: 120 })), [
      true,
      'default-approve',
    ]);
  });

  test('rate limits: per operation, per API user, sliding window', () => {
    const e = engine({
      operations: { sign: {}, keygen: {} },
      rateLimits: [{ operation: 'sign', max: 2, windowSeconds: 60, perApiUser: true }],
    });
    assert.equal(e.admit(sign(), T0).decision.approved, true);
    assert.equal(e.admit(sign(), T0 + 1).decision.approved, true);
    const third = e.admit(sign(), T0 + 2).decision;
    assert.deepEqual([third.approved, third.rule], [false, 'rate-limit']);
    assert.equal(e.admit(sign({ apiUserId: 'u2' }), T0 + 3).decision.approved, true);
    assert.equal(
      e.admit(sign({ operation: 'keygen', transfers: [] }), T0 + 4).decision.approved,
      true,
    );
    assert.equal(e.admit(sign(), T0 + 60_001).decision.approved, true);
  });

  test('the first refusing rule decides, in the documented order', () => {
    const rules: RiskRulesInput = {
      ...allowSign,
      assets: ['BTC'],
      destinations: [{ address: 'x' }],
      timeWindows: [{ start: '00:00', end: '01:00' }],
    };
    assert.deepEqual(decide(rules), [false, 'time-window']);
    assert.deepEqual(decide({ ...rules, timeWindows: [{ start: '00:00', end: '23:59' }] }), [
      false,
      'asset-allow-list',
    ]);
  });

  test('the same input always gives the same decision', () => {
    const e = engine({
      ...allowSign,
      assets: ['ETH'],
      rateLimits: [{ max: 5, windowSeconds: 10 }],
    });
    assert.deepEqual(e.evaluate(sign(), T0), e.evaluate(sign(), T0));
  });

  test('configuration errors name the field; unknown fields are refused', () => {
    assert.throws(
      () =>
        parseRiskRules({
          operations: { sign: {} },
          amountLimits: [{ asset: 'ETH', maxPerRequest: '1.5' }],
        }),
      (e: unknown) => e instanceof RiskConfigError && e.field === 'amountLimits.0.maxPerRequest',
    );
    assert.throws(
      () => parseRiskRules({ rejectAl: true }),
      (e: unknown) => e instanceof RiskConfigError && e.field === 'rejectAl',
    );
    assert.throws(
      () => parseRiskRules({ timeWindows: [{ start: '24:00', end: '01:00' }] }),
      (e: unknown) => e instanceof RiskConfigError && e.field === 'timeWindows.0.start',
    );
  });
});
