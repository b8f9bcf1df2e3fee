// The policy document format: valid documents parse (frozen, defaults filled in), and every
// invalid document is rejected with the field named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyValidationError, parsePolicy } from '../../src/policy/index.ts';

const good = {
  format: 'quorate.policy/v1',
  version: 1,
  rules: [
    {
      id: 'small',
      operations: ['TRANSFER'],
      initiator: { apiUsers: ['bot'] },
      source: { vaults: ['hot'] },
      destination: { type: 'ALLOWLISTED', lists: ['exchanges'] },
      assets: ['ETH'],
      amount: { max: '1' },
      cumulative: { windowSeconds: 86400, scope: 'INITIATOR', max: '10' },
      action: 'ALLOW',
      signer: { type: 'API_USER', id: 'bot' },
    },
    {
      id: 'big',
      action: 'REQUIRE_APPROVAL',
      signer: { type: 'INITIATOR' },
      approvals: { groups: [{ name: 'finance', approvers: ['carol', 'dave'], quorum: 2 }] },
    },
    { id: 'rest', action: 'BLOCK' },
  ],
};

type Doc = typeof good & Record<string, unknown>;

function fieldOf(mutate: (doc: Doc) => void): string {
  const doc = structuredClone(good) as Doc;
  mutate(doc);
  try {
    parsePolicy(doc);
  } catch (e) {
    assert.ok(e instanceof PolicyValidationError, String(e));
    return e.field;
  }
  assert.fail('policy accepted');
}

// Loosely typed access for mutations.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rule = (doc: Doc, i: number): any => doc.rules[i];

describe('policy document', () => {
  test('a valid document parses, frozen, with defaults', () => {
    const p = parsePolicy(good);
    assert.equal(p.rules.length, 3);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.rules[0]) && Object.isFrozen(p.rules));
    assert.deepEqual(p.rules[1]?.approvals, {
      groups: [{ name: 'finance', approvers: ['carol', 'dave'], quorum: 2 }],
      anyRejectionDenies: true,
      initiatorMayApprove: false,
    });
  });

  test('an empty rule list is valid (everything is denied)', () => {
    assert.equal(parsePolicy({ ...good, rules: [] }).rules.length, 0);
  });

  const cases: [string, string, (d: Doc) => void][] = [
    ['wrong format', 'format', (d) => (d.format = 'quorate.policy/v2')],
    ['version 0', 'version', (d) => (d.version = 0)],
    ['unknown top-level field', 'extra', (d) => (d.extra = 1)],
    ['rules not a list', 'rules', (d) => (d.rules = {} as never)],
    ['unknown rule field (a typo)', 'rules[0].asset', (d) => (rule(d, 0).asset = 'ETH')],
    ['bad rule id', 'rules[2].id', (d) => (rule(d, 2).id = 'has space')],
    ['duplicate rule id', 'rules[2].id', (d) => (rule(d, 2).id = 'small')],
    ['unknown action', 'rules[2].action', (d) => (rule(d, 2).action = 'MAYBE')],
    ['unknown operation', 'rules[0].operations[0]', (d) => (rule(d, 0).operations = ['STEAL'])],
    ['empty operations', 'rules[0].operations', (d) => (rule(d, 0).operations = [])],
    ['empty initiator', 'rules[0].initiator', (d) => (rule(d, 0).initiator = {})],
    [
      'bad initiator id',
      'rules[0].initiator.apiUsers[0]',
      (d) => (rule(d, 0).initiator.apiUsers = ['']),
    ],
    ['empty source', 'rules[0].source', (d) => (rule(d, 0).source = {})],
    [
      'unknown destination type',
      'rules[0].destination.type',
      (d) => (rule(d, 0).destination = { type: 'MOON' }),
    ],
    [
      'ONE_TIME with lists',
      'rules[0].destination.lists',
      (d) => (rule(d, 0).destination = { type: 'ONE_TIME', lists: ['x'] }),
    ],
    ['bad asset', 'rules[0].assets[0]', (d) => (rule(d, 0).assets = ['$$'])],
    ['float amount', 'rules[0].amount.max', (d) => (rule(d, 0).amount = { max: 1 })],
    ['exponent amount', 'rules[0].amount.max', (d) => (rule(d, 0).amount = { max: '1e3' })],
    [
      'too many decimals',
      'rules[0].amount.min',
      (d) => (rule(d, 0).amount = { min: '0.0000000000000000001' }),
    ],
    ['empty amount', 'rules[0].amount', (d) => (rule(d, 0).amount = {})],
    ['min > max', 'rules[0].amount.min', (d) => (rule(d, 0).amount = { min: '2', max: '1.5' })],
    ['amount without assets', 'rules[0].assets', (d) => delete rule(d, 0).assets],
    [
      'cumulative without bounds',
      'rules[0].cumulative.max',
      (d) => (rule(d, 0).cumulative = { windowSeconds: 60, scope: 'RULE' }),
    ],
    [
      'cumulative min > max',
      'rules[0].cumulative.min',
      (d) => Object.assign(rule(d, 0).cumulative, { min: '11' }),
    ],
    [
      'window too long',
      'rules[0].cumulative.windowSeconds',
      (d) => (rule(d, 0).cumulative.windowSeconds = 32 * 86400),
    ],
    [
      'window not an integer',
      'rules[0].cumulative.windowSeconds',
      (d) => (rule(d, 0).cumulative.windowSeconds = 1.5),
    ],
    ['unknown scope', 'rules[0].cumulative.scope', (d) => (rule(d, 0).cumulative.scope = 'WORLD')],
    ['ALLOW without signer', 'rules[0].signer', (d) => delete rule(d, 0).signer],
    [
      'unknown signer type',
      'rules[0].signer.type',
      (d) => (rule(d, 0).signer = { type: 'ANYONE' }),
    ],
    ['signer without id', 'rules[0].signer.id', (d) => (rule(d, 0).signer = { type: 'USER' })],
    [
      'ALLOW with approvals',
      'rules[0].approvals',
      (d) => (rule(d, 0).approvals = rule(d, 1).approvals),
    ],
    ['BLOCK with signer', 'rules[2].signer', (d) => (rule(d, 2).signer = { type: 'INITIATOR' })],
    [
      'BLOCK with approvals',
      'rules[2].approvals',
      (d) => (rule(d, 2).approvals = rule(d, 1).approvals),
    ],
    [
      'REQUIRE_APPROVAL without approvals',
      'rules[1].approvals',
      (d) => delete rule(d, 1).approvals,
    ],
    ['REQUIRE_APPROVAL without signer', 'rules[1].signer', (d) => delete rule(d, 1).signer],
    ['no approval groups', 'rules[1].approvals.groups', (d) => (rule(d, 1).approvals.groups = [])],
    [
      'quorum above approvers',
      'rules[1].approvals.groups[0].quorum',
      (d) => (rule(d, 1).approvals.groups[0].quorum = 3),
    ],
    [
      'quorum 0',
      'rules[1].approvals.groups[0].quorum',
      (d) => (rule(d, 1).approvals.groups[0].quorum = 0),
    ],
    [
      'duplicate approver',
      'rules[1].approvals.groups[0].approvers',
      (d) => (rule(d, 1).approvals.groups[0].approvers = ['carol', 'carol']),
    ],
    [
      'duplicate group name',
      'rules[1].approvals.groups[1].name',
      (d) => rule(d, 1).approvals.groups.push({ name: 'finance', approvers: ['erin'], quorum: 1 }),
    ],
  ];
  for (const [what, field, mutate] of cases)
    test(`rejects ${what}: ${field}`, () => {
      assert.equal(fieldOf(mutate), field);
    });

  test('a non-object is rejected at the root', () => {
    assert.throws(
      () => parsePolicy('rules'),
      (e: unknown) => e instanceof PolicyValidationError && e.field === 'policy',
    );
  });
});
