// The examples in docs/policy-language.md are valid policies and decide as the text says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluatePolicy, parsePolicy } from '../../src/policy/index.ts';

const doc = readFileSync(
  fileURLToPath(new URL('../../../../docs/policy-language.md', import.meta.url)),
  'utf8',
);
const examples = [...doc.matchAll(/```json policy\n([\s\S]*?)```/g)].map((m) =>
  parsePolicy(JSON.parse(m[1] ?? '')),
);

test('every policy example in the docs parses', () => {
  assert.equal(examples.length, 2);
});

test('the first example decides as described', () => {
  const policy = examples[0]!;
  const tx = {
    operation: 'TRANSFER',
    initiator: { type: 'API_USER', id: 'trading-bot', groups: [] },
    source: { vaultId: 'hot', accountId: 'hot-0' },
    destination: { address: '0xexchange', allowlists: ['exchanges'] },
    asset: 'ETH',
    amount: '2.5',
  };
  const now = 1_800_000_000_000;
  const history = [{ ...tx, at: now - 3_600_000, amount: '10' }];
  const d = evaluatePolicy(policy, tx, { now, history });
  assert.equal(d.action, 'ALLOW');
  assert.equal(d.rule?.id, 'bot-small-transfers');
  assert.deepEqual(d.cumulative, { total: '12.5', counted: 1, windowSeconds: 86400 });
  const sanctioned = { ...tx, destination: { address: '0xbad', allowlists: ['sanctioned'] } };
  assert.equal(
    evaluatePolicy(policy, sanctioned, { now, history: [] }).rule?.id,
    'block-sanctioned',
  );
  const byTreasury = { ...tx, initiator: { type: 'USER', id: 'tom', groups: ['treasury'] } };
  assert.equal(evaluatePolicy(policy, byTreasury, { now, history: [] }).action, 'REQUIRE_APPROVAL');
});
