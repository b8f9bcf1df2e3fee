// The commit rule of a committee change: commit only when every new party acknowledged the same digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitDecision } from '../src/commit-rule.ts';

const confirmation = Uint8Array.of(1, 2, 3);
const output = { confirmation, newParties: [1, 2, 3] };

test('every new party acknowledged the same digest: commit', () => {
  assert.deepEqual(
    commitDecision(
      output,
      new Map([
        [1, confirmation],
        [2, confirmation],
        [3, confirmation],
      ]),
    ),
    { decision: 'commit' },
  );
});

test('an acknowledgement is missing: wait, naming who', () => {
  assert.deepEqual(
    commitDecision(
      output,
      new Map([
        [1, confirmation],
        [3, confirmation],
      ]),
    ),
    { decision: 'wait', missing: [2] },
  );
});

test('a different digest: abort, naming who, even while others are missing', () => {
  assert.deepEqual(commitDecision(output, new Map([[2, Uint8Array.of(1, 2, 4)]])), {
    decision: 'abort',
    reason: 'acknowledged a different reshare result',
    parties: [2],
  });
});

test('acknowledgements from parties outside the new committee do not count', () => {
  assert.deepEqual(
    commitDecision(
      output,
      new Map([
        [1, confirmation],
        [2, confirmation],
        [9, confirmation],
      ]),
    ),
    { decision: 'wait', missing: [3] },
  );
});
