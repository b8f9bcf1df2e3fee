// The policy engine (issue 7 "Policy engine (TAP)"): each matcher, first match wins, the
// deciding rule named, default deny, cumulative limits over a rolling 24 h window.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PolicyValidationError,
  describeDecision,
  evaluatePolicy,
  historyWindowMs,
  parsePolicy,
} from '../../src/policy/index.ts';
import type { PolicyDecision } from '../../src/policy/index.ts';

const NOW = 1_800_000_000_000;
const DAY_MS = 24 * 3600 * 1000;

const tx = {
  operation: 'TRANSFER',
  initiator: { type: 'API_USER', id: 'bot', groups: ['traders'] },
  source: { vaultId: 'hot', accountId: 'hot-0' },
  destination: { address: '0xabc', allowlists: ['exchanges'] },
  asset: 'ETH',
  amount: '1',
} as const;

const allow = { action: 'ALLOW', signer: { type: 'API_USER', id: 'signer-bot' } } as const;

function policy(rules: readonly object[]) {
  return parsePolicy({ format: 'quorate.policy/v1', version: 7, rules });
}

function decide(rules: readonly object[], request: object = tx, history: readonly object[] = []) {
  return evaluatePolicy(policy(rules), request, { now: NOW, history });
}

/** Whether the single rule `rule` matches `request`: ALLOW by it, or default deny. */
function matches(rule: object, request: object = tx, history: readonly object[] = []): boolean {
  const d = decide([{ id: 'r', ...allow, ...rule }], request, history);
  if (d.action === 'ALLOW') return true;
  assert.equal(d.action === 'BLOCK' && d.defaultDeny, true);
  return false;
}

function failedMatcher(rule: object, request: object = tx): string | undefined {
  return decide([{ id: 'r', ...allow, ...rule }], request).skipped[0]?.failed;
}

describe('policy matchers', () => {
  test('operation', () => {
    assert.equal(matches({ operations: ['TRANSFER', 'CONTRACT_CALL'] }), true);
    assert.equal(matches({ operations: ['RAW'] }), false);
    assert.equal(failedMatcher({ operations: ['RAW'] }), 'operation');
  });

  test('initiator: user, API user, group', () => {
    assert.equal(matches({ initiator: { apiUsers: ['bot'] } }), true);
    assert.equal(matches({ initiator: { apiUsers: ['other'] } }), false);
    // A user id equal to the API user's id does not match: the type counts.
    assert.equal(matches({ initiator: { users: ['bot'] } }), false);
    assert.equal(matches({ initiator: { groups: ['traders'] } }), true);
    assert.equal(matches({ initiator: { groups: ['ops'], users: ['alice'] } }), false);
    const byAlice = { ...tx, initiator: { type: 'USER', id: 'alice', groups: [] } };
    assert.equal(matches({ initiator: { users: ['alice'] } }, byAlice), true);
    assert.equal(failedMatcher({ initiator: { users: ['alice'] } }), 'initiator');
  });

  test('source: vault or account', () => {
    assert.equal(matches({ source: { vaults: ['hot'] } }), true);
    assert.equal(matches({ source: { accounts: ['hot-0'] } }), true);
    assert.equal(matches({ source: { vaults: ['cold'], accounts: ['cold-0'] } }), false);
    assert.equal(failedMatcher({ source: { vaults: ['cold'] } }), 'source');
  });

  test('destination: allow-listed (by list id or any list), one-time, any', () => {
    const oneTime = { ...tx, destination: { address: '0xdef', allowlists: [] } };
    const none = { ...tx, operation: 'RAW', destination: undefined };
    const { destination: _d, ...noDestination } = none;
    assert.equal(matches({ destination: { type: 'ALLOWLISTED', lists: ['exchanges'] } }), true);
    assert.equal(matches({ destination: { type: 'ALLOWLISTED', lists: ['payroll'] } }), false);
    assert.equal(matches({ destination: { type: 'ALLOWLISTED' } }), true);
    assert.equal(matches({ destination: { type: 'ALLOWLISTED' } }, oneTime), false);
    assert.equal(matches({ destination: { type: 'ONE_TIME' } }, oneTime), true);
    assert.equal(matches({ destination: { type: 'ONE_TIME' } }), false);
    assert.equal(matches({ destination: { type: 'ANY' } }, oneTime), true);
    assert.equal(matches({ destination: { type: 'ANY' } }, noDestination), true);
    assert.equal(matches({ destination: { type: 'ONE_TIME' } }, noDestination), false);
    assert.equal(matches({ destination: { type: 'ALLOWLISTED' } }, noDestination), false);
    assert.equal(failedMatcher({ destination: { type: 'ONE_TIME' } }), 'destination');
  });

  test('asset', () => {
    assert.equal(matches({ assets: ['ETH', 'USDC'] }), true);
    assert.equal(matches({ assets: ['BTC'] }), false);
    const { asset: _a, amount: _m, ...noAsset } = tx;
    assert.equal(matches({ assets: ['ETH'] }, noAsset), false);
    assert.equal(failedMatcher({ assets: ['BTC'] }), 'asset');
  });

  test('amount per transaction: min and max inclusive, exact decimals', () => {
    const eth = { assets: ['ETH'] };
    assert.equal(matches({ ...eth, amount: { max: '1' } }), true);
    assert.equal(matches({ ...eth, amount: { max: '0.999999999999999999' } }), false);
    assert.equal(matches({ ...eth, amount: { min: '1' } }), true);
    assert.equal(matches({ ...eth, amount: { min: '1.000000000000000001' } }), false);
    assert.equal(matches({ ...eth, amount: { min: '0.5', max: '2' } }), true);
    // 0.1 + 0.2 is exactly 0.3 here.
    assert.equal(matches({ ...eth, amount: { max: '0.3' } }, { ...tx, amount: '0.3' }), true);
    const { amount: _m, ...noAmount } = tx;
    assert.equal(matches({ ...eth, amount: { max: '1' } }, noAmount), false);
    assert.equal(failedMatcher({ ...eth, amount: { max: '0.5' } }), 'amount');
  });
});

describe('policy: cumulative amount over a rolling 24 h window', () => {
  const rule = {
    assets: ['ETH'],
    cumulative: { windowSeconds: 86400, scope: 'INITIATOR', max: '10' },
  };
  const earlier = (at: number, amount: string, over: object = {}) => ({
    ...tx,
    at,
    amount,
    ...over,
  });

  test('the total includes this transaction; the limit is inclusive', () => {
    const d = decide([{ id: 'r', ...allow, ...rule }], tx, [earlier(NOW - 1000, '9')]);
    assert.equal(d.action, 'ALLOW');
    assert.deepEqual(d.cumulative, { total: '10', counted: 1, windowSeconds: 86400 });
    assert.equal(matches(rule, tx, [earlier(NOW - 1000, '9.000000000000000001')]), false);
  });

  test('just inside the window counts, just outside does not', () => {
    const inside = earlier(NOW - DAY_MS + 1, '9.5');
    const outside = earlier(NOW - DAY_MS, '9.5');
    assert.equal(matches(rule, tx, [inside]), false);
    assert.equal(failedMatcher(rule) ?? 'matched', 'matched');
    assert.equal(
      decide([{ id: 'r', ...allow, ...rule }], tx, [inside]).skipped[0]?.failed,
      'cumulative',
    );
    assert.equal(matches(rule, tx, [outside]), true);
  });

  test('scope: other initiators, sources, assets and non-matching transactions do not count', () => {
    const big = '100';
    const otherInitiator = earlier(NOW - 1, big, {
      initiator: { type: 'USER', id: 'alice', groups: [] },
    });
    const otherAsset = earlier(NOW - 1, big, { asset: 'USDC' });
    const otherSource = earlier(NOW - 1, big, { source: { vaultId: 'hot', accountId: 'hot-1' } });
    assert.equal(matches(rule, tx, [otherInitiator, otherAsset]), true);
    assert.equal(matches(rule, tx, [otherSource]), false); // same initiator
    const perSource = { ...rule, cumulative: { ...rule.cumulative, scope: 'SOURCE' } };
    assert.equal(matches(perSource, tx, [otherSource]), true);
    assert.equal(matches(perSource, tx, [otherInitiator]), false); // same source
    const perRule = { ...rule, cumulative: { ...rule.cumulative, scope: 'RULE' } };
    assert.equal(matches(perRule, tx, [otherInitiator]), false);
    // Only transactions the rule itself would match count (here: allow-listed destinations).
    const listed = { ...perRule, destination: { type: 'ALLOWLISTED' } };
    const toOneTime = earlier(NOW - 1, big, { destination: { address: '0x1', allowlists: [] } });
    assert.equal(matches(listed, tx, [toOneTime]), true);
  });

  test('a cumulative minimum: block once the day total is large', () => {
    const rules = [
      {
        id: 'block-big-days',
        action: 'BLOCK',
        assets: ['ETH'],
        cumulative: { windowSeconds: 86400, scope: 'RULE', min: '50' },
      },
      { id: 'rest', ...allow },
    ];
    assert.equal(decide(rules, tx, [earlier(NOW - 5, '48')]).rule?.id, 'rest');
    const d = decide(rules, tx, [earlier(NOW - 5, '49')]);
    assert.equal(d.action, 'BLOCK');
    assert.equal(d.rule?.id, 'block-big-days');
  });

  test('the history needed reaches back the longest window', () => {
    assert.equal(historyWindowMs(policy([{ id: 'r', ...allow, ...rule }])), DAY_MS);
    assert.equal(historyWindowMs(policy([{ id: 'r', ...allow }])), 0);
  });

  test('a bad history entry is refused, naming it', () => {
    assert.throws(
      () => decide([{ id: 'r', ...allow, ...rule }], tx, [earlier(NOW, '1e3')]),
      (e: unknown) => e instanceof PolicyValidationError && e.field === 'history[0].amount',
    );
  });
});

describe('policy: ordering and outcomes', () => {
  const rules = [
    {
      id: 'block-sanctioned',
      action: 'BLOCK',
      destination: { type: 'ALLOWLISTED', lists: ['sanctioned'] },
    },
    {
      id: 'small-auto',
      action: 'ALLOW',
      assets: ['ETH'],
      amount: { max: '1' },
      signer: { type: 'INITIATOR' },
    },
    {
      id: 'big-needs-approval',
      action: 'REQUIRE_APPROVAL',
      assets: ['ETH'],
      signer: { type: 'API_USER', id: 'treasury-cosigner' },
      approvals: { groups: [{ name: 'finance', approvers: ['carol', 'dave'], quorum: 1 }] },
    },
    { id: 'unreachable-allow-all', ...allow },
  ];

  test('first match wins, and the decision names the rule', () => {
    const d = decide(rules);
    assert.deepEqual(d, {
      policyVersion: 7,
      skipped: [{ rule: { id: 'block-sanctioned', index: 0 }, failed: 'destination' }],
      action: 'ALLOW',
      rule: { id: 'small-auto', index: 1 },
      signer: { type: 'API_USER', id: 'bot' },
    });
    assert.equal(describeDecision(d), 'policy v7 rule #1 small-auto: ALLOW, signer API_USER bot');
  });

  test('an earlier BLOCK beats a later ALLOW', () => {
    const sanctioned = {
      ...tx,
      destination: { address: '0xbad', allowlists: ['sanctioned', 'exchanges'] },
    };
    const d = decide(rules, sanctioned);
    assert.equal(d.action, 'BLOCK');
    assert.deepEqual(d.rule, { id: 'block-sanctioned', index: 0 });
    assert.equal(d.action === 'BLOCK' && d.defaultDeny, false);
  });

  test('REQUIRE_APPROVAL carries the groups and the designated signer', () => {
    const d: PolicyDecision = decide(rules, { ...tx, amount: '5' });
    assert.equal(d.action, 'REQUIRE_APPROVAL');
    if (d.action !== 'REQUIRE_APPROVAL') return;
    assert.deepEqual(d.rule, { id: 'big-needs-approval', index: 2 });
    assert.deepEqual(d.signer, { type: 'API_USER', id: 'treasury-cosigner' });
    assert.deepEqual(d.approvals, {
      groups: [{ name: 'finance', approvers: ['carol', 'dave'], quorum: 1 }],
      anyRejectionDenies: true,
      initiatorMayApprove: false,
    });
  });

  test('swapping two rules changes the winner (order is the semantics)', () => {
    const swapped = [rules[0]!, rules[3]!, rules[1]!, rules[2]!];
    assert.equal(decide(swapped).rule?.id, 'unreachable-allow-all');
  });

  test('nothing matches: default deny, every rule listed as skipped', () => {
    const d = decide(rules.slice(0, 3), { ...tx, asset: 'BTC' });
    assert.deepEqual(d, {
      policyVersion: 7,
      skipped: [
        { rule: { id: 'block-sanctioned', index: 0 }, failed: 'destination' },
        { rule: { id: 'small-auto', index: 1 }, failed: 'asset' },
        { rule: { id: 'big-needs-approval', index: 2 }, failed: 'asset' },
      ],
      action: 'BLOCK',
      rule: null,
      defaultDeny: true,
    });
    assert.equal(describeDecision(d), 'policy v7: no rule matched (default deny)');
    assert.equal(decide([]).action, 'BLOCK');
  });

  test('deterministic: the same inputs give the same decision', () => {
    const history = [{ ...tx, at: NOW - 10, amount: '0.5' }];
    assert.deepEqual(decide(rules, tx, history), decide(rules, tx, history));
  });

  test('a bad request is refused naming the field', () => {
    const field = (request: object, now = NOW): string => {
      try {
        evaluatePolicy(policy(rules), request, { now, history: [] });
      } catch (e) {
        assert.ok(e instanceof PolicyValidationError);
        return e.field;
      }
      assert.fail('accepted');
    };
    assert.equal(field({ ...tx, amount: '-1' }), 'amount');
    assert.equal(field({ ...tx, operation: 'STEAL' }), 'operation');
    assert.equal(field({ ...tx, initiator: { type: 'ROBOT', id: 'x' } }), 'initiator.type');
    assert.equal(field({ ...tx, source: { vaultId: 'hot' } }), 'source.accountId');
    assert.equal(field({ ...tx, extra: true }), 'extra');
    assert.equal(field(tx, -1), 'now');
  });
});
