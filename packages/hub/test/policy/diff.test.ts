// Policy changes: the diff the owner approves, the change-request payload, versioning, and
// applying exactly the approved document (never a stale one).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PolicyChangeError,
  PolicyValidationError,
  applyApprovedPolicyChange,
  diffPolicies,
  parsePolicy,
  policyChangeRequest,
  policyDigest,
  summarizeRule,
} from '../../src/policy/index.ts';

const v1 = parsePolicy({
  format: 'quorate.policy/v1',
  version: 1,
  rules: [
    {
      id: 'block-bad',
      action: 'BLOCK',
      destination: { type: 'ALLOWLISTED', lists: ['sanctioned'] },
    },
    {
      id: 'small',
      action: 'ALLOW',
      assets: ['ETH'],
      amount: { max: '1' },
      signer: { type: 'API_USER', id: 'bot' },
    },
    { id: 'old', action: 'BLOCK', operations: ['RAW'] },
  ],
});

const v2doc = {
  format: 'quorate.policy/v1',
  version: 2,
  rules: [
    {
      id: 'small',
      action: 'ALLOW',
      assets: ['ETH'],
      amount: { max: '2' },
      signer: { type: 'API_USER', id: 'bot' },
    },
    {
      id: 'block-bad',
      action: 'BLOCK',
      destination: { type: 'ALLOWLISTED', lists: ['sanctioned'] },
    },
    {
      id: 'big',
      action: 'REQUIRE_APPROVAL',
      signer: { type: 'INITIATOR' },
      approvals: { groups: [{ name: 'finance', approvers: ['carol', 'dave'], quorum: 2 }] },
    },
  ],
};
const owner = { type: 'USER', id: 'alice' } as const;

describe('policy diff', () => {
  test('added, removed, changed and moved rules', () => {
    const d = diffPolicies(v1, parsePolicy(v2doc));
    assert.deepEqual(
      d.added.map((a) => a.id),
      ['big'],
    );
    assert.deepEqual(
      d.removed.map((a) => a.id),
      ['old'],
    );
    assert.deepEqual(d.changed, [
      { id: 'small', changes: [{ field: 'amount', before: { max: '1' }, after: { max: '2' } }] },
    ]);
    assert.deepEqual(d.moved, [
      { id: 'small', from: 1, to: 0 },
      { id: 'block-bad', from: 0, to: 1 },
    ]);
    assert.deepEqual(d.lines, [
      'policy v1 → v2: 3 rules',
      '+ #2 big: REQUIRE_APPROVAL any operation → signer INITIATOR after 2 of finance[carol,dave]',
      '- #2 old: BLOCK RAW',
      '~ small.amount: {"max":"1"} → {"max":"2"}',
      '↕ small: position 1 → 0',
      '↕ block-bad: position 0 → 1',
    ]);
  });

  test('rule summaries name every condition', () => {
    const p = parsePolicy({
      format: 'quorate.policy/v1',
      version: 1,
      rules: [
        {
          id: 'r',
          operations: ['TRANSFER'],
          initiator: { users: ['u'], groups: ['g'] },
          source: { vaults: ['v'] },
          destination: { type: 'ONE_TIME' },
          assets: ['ETH', 'USDC'],
          amount: { min: '0.5', max: '3' },
          cumulative: { windowSeconds: 86400, scope: 'SOURCE', max: '10' },
          action: 'ALLOW',
          signer: { type: 'USER', id: 'u' },
        },
      ],
    });
    assert.equal(
      summarizeRule(p.rules[0]!, 0),
      '#0 r: ALLOW TRANSFER by users[u] or groups[g] from vaults[v] to ONE_TIME asset ETH|USDC ' +
        'amount ≥ 0.5 amount ≤ 3 total per SOURCE over 86400s ≤ 10 → signer USER u',
    );
  });

  test('the first policy diffs against nothing', () => {
    const d = diffPolicies(null, v1);
    assert.equal(d.fromVersion, null);
    assert.equal(d.added.length, 3);
    assert.equal(d.lines[0], 'policy v(none) → v1: 3 rules');
  });
});

describe('policy change requests (owner approval)', () => {
  test('a new policy becomes a POLICY_UPDATE request for the owner', () => {
    const req = policyChangeRequest(v1, v2doc, { requestedBy: owner, at: 1234 });
    assert.equal(req.type, 'POLICY_UPDATE');
    assert.equal(req.requiredApprover, 'OWNER');
    assert.deepEqual(req.requestedBy, owner);
    assert.equal(req.createdAt, 1234);
    assert.equal(req.fromVersion, 1);
    assert.equal(req.toVersion, 2);
    assert.equal(req.baseDigest, policyDigest(v1));
    assert.equal(req.policyDigest, policyDigest(parsePolicy(v2doc)));
    assert.match(req.policyDigest, /^[0-9a-f]{64}$/);
    assert.equal(req.summary, req.diff.lines.join('\n'));
    // The payload is plain JSON: it survives storage.
    assert.deepEqual(
      JSON.parse(JSON.stringify(req)).policy,
      JSON.parse(JSON.stringify(req.policy)),
    );
  });

  test('the version must be the current one + 1', () => {
    assert.throws(
      () => policyChangeRequest(v1, { ...v2doc, version: 3 }, { requestedBy: owner, at: 1 }),
      (e: unknown) => e instanceof PolicyValidationError && e.field === 'version',
    );
    assert.throws(
      () => policyChangeRequest(null, { ...v2doc, version: 2 }, { requestedBy: owner, at: 1 }),
      (e: unknown) => e instanceof PolicyValidationError && e.field === 'version',
    );
    assert.equal(
      policyChangeRequest(null, { ...v2doc, version: 1 }, { requestedBy: owner, at: 1 })
        .fromVersion,
      null,
    );
  });

  test('an invalid proposal names its field; a no-op change is refused', () => {
    const bad = structuredClone(v2doc);
    (bad.rules[0] as { amount: unknown }).amount = { max: 'lots' };
    assert.throws(
      () => policyChangeRequest(v1, bad, { requestedBy: owner, at: 1 }),
      (e: unknown) => e instanceof PolicyValidationError && e.field === 'rules[0].amount.max',
    );
    assert.throws(
      () => policyChangeRequest(v1, { ...v1, version: 2 }, { requestedBy: owner, at: 1 }),
      (e: unknown) => e instanceof PolicyChangeError && e.field === 'rules',
    );
  });

  test('applying: exactly the approved document, and only on the base it was made against', () => {
    const req = policyChangeRequest(v1, v2doc, { requestedBy: owner, at: 1 });
    const roundTripped = JSON.parse(JSON.stringify(req));
    const applied = applyApprovedPolicyChange(v1, roundTripped);
    assert.equal(applied.version, 2);
    assert.equal(policyDigest(applied), req.policyDigest);

    const tampered = structuredClone(roundTripped);
    tampered.policy.rules[0].amount.max = '2000';
    assert.throws(
      () => applyApprovedPolicyChange(v1, tampered),
      (e: unknown) => e instanceof PolicyChangeError && e.field === 'policyDigest',
    );
    // Another change landed first: this one is stale.
    assert.throws(
      () => applyApprovedPolicyChange(applied, roundTripped),
      (e: unknown) => e instanceof PolicyChangeError && e.field === 'baseDigest',
    );
  });
});
