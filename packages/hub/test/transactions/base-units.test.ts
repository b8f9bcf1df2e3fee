import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBaseUnits } from '../../src/transactions/base-units.ts';

test('decimal asset units become base units for the native assets', () => {
  assert.equal(toBaseUnits('ETH', '1.5'), '1500000000000000000');
  assert.equal(toBaseUnits('eth', '0.01'), '10000000000000000');
  assert.equal(toBaseUnits('BTC', '0.00000001'), '1');
  assert.equal(toBaseUnits('SOL', '2'), '2000000000');
  assert.equal(toBaseUnits('ETH', '0'), '0');
});

test('no guess: unknown assets, missing values and sub-unit precision give null', () => {
  assert.equal(toBaseUnits('USDC', '1'), null);
  assert.equal(toBaseUnits(null, '1'), null);
  assert.equal(toBaseUnits('ETH', null), null);
  assert.equal(toBaseUnits('BTC', '0.000000001'), null);
  assert.equal(toBaseUnits('ETH', '1e3'), null);
});
