import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentMap } from '../src/recent.ts';

test('RecentMap keeps at most max entries, dropping the least recently used', () => {
  const m = new RecentMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  assert.equal(m.get('a'), 1); // a is now the most recent
  m.set('c', 3); // drops b
  assert.equal(m.size, 2);
  assert.equal(m.get('b'), undefined);
  assert.equal(m.get('a'), 1);
  assert.equal(m.get('c'), 3);
  m.set('c', 4); // replacing keeps one entry
  assert.equal(m.size, 2);
  assert.equal(m.get('c'), 4);
});

test('remember makes a value once; a throwing make keeps nothing', () => {
  const m = new RecentMap<string, { n: number } | null>(4);
  let made = 0;
  const first = m.remember('k', () => ({ n: ++made }));
  assert.equal(
    m.remember('k', () => ({ n: ++made })),
    first,
  );
  assert.equal(made, 1);
  assert.equal(
    m.remember('none', () => null),
    null,
  ); // null is a value, kept
  assert.equal(
    m.remember('none', () => ({ n: 99 })),
    null,
  );
  assert.throws(
    () =>
      m.remember('bad', () => {
        throw new Error('refused');
      }),
    /refused/,
  );
  assert.equal(m.get('bad'), undefined);
  assert.throws(() => new RecentMap(0), RangeError);
});
