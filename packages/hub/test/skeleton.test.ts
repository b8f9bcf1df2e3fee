import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUB_PACKAGE } from '../src/index.ts';

test('the hub package loads', () => {
  assert.equal(HUB_PACKAGE, '@quorate/hub');
});
