// Transcript injectivity (TSSHOCK lesson): distinct item sequences never collide.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Transcript, bigintBytes } from '../src/transcript.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sid = new Uint8Array(32).fill(7);
const ctx = { sessionId: sid, protocol: 'p', parties: [1, 2, 3], threshold: 2 };

function challengeOf(build: (t: Transcript) => void, domain = 'd'): string {
  const t = Transcript.create(domain);
  build(t);
  return hex(t.challengeBytes('c', 32));
}

describe('Transcript framing is injective', () => {
  test('["ab","c"] and ["a","bc"] differ', () => {
    const a = challengeOf((t) => t.appendString('x', 'ab').appendString('x', 'c'));
    const b = challengeOf((t) => t.appendString('x', 'a').appendString('x', 'bc'));
    assert.notEqual(a, b);
  });

  test('label/data boundary cannot shift', () => {
    const a = challengeOf((t) => t.appendString('ab', 'c'));
    const b = challengeOf((t) => t.appendString('a', 'bc'));
    assert.notEqual(a, b);
  });

  test('leading zeros of byte strings are kept', () => {
    const a = challengeOf((t) => t.appendBytes('x', Uint8Array.of(0, 1)));
    const b = challengeOf((t) => t.appendBytes('x', Uint8Array.of(1)));
    assert.notEqual(a, b);
  });

  test('negative and positive integers differ, and sign is encoded', () => {
    assert.notEqual(
      challengeOf((t) => t.appendBigInt('x', 5n)),
      challengeOf((t) => t.appendBigInt('x', -5n)),
    );
    assert.deepEqual([...bigintBytes(-5n)], [1, 5]);
    assert.deepEqual([...bigintBytes(5n)], [0, 5]);
    assert.deepEqual([...bigintBytes(0n)], [0]);
    assert.deepEqual([...bigintBytes(256n)], [0, 1, 0]);
  });

  test('an integer never passes for the same bytes', () => {
    assert.notEqual(
      challengeOf((t) => t.appendBigInt('x', 1n)),
      challengeOf((t) => t.appendBytes('x', Uint8Array.of(0, 1))),
    );
  });

  test('a list of integers differs from its concatenation or a split', () => {
    assert.notEqual(
      challengeOf((t) => t.appendBigInts('x', [1n, 2n])),
      challengeOf((t) => t.appendBigInts('x', [258n])),
    );
    assert.notEqual(
      challengeOf((t) => t.appendBigInts('x', [1n, 2n])),
      challengeOf((t) => t.appendBigInt('x[0]', 1n).appendBigInt('x[1]', 2n)),
    );
  });

  test('domain tags separate transcripts', () => {
    assert.notEqual(
      challengeOf(() => {}, 'a'),
      challengeOf(() => {}, 'b'),
    );
  });

  test('the same items give the same challenge (deterministic)', () => {
    const f = (t: Transcript) => t.appendBigInt('x', 123n).appendString('y', 'z');
    assert.equal(challengeOf(f), challengeOf(f));
  });
});

describe('Transcript session binding and forks', () => {
  const base = () => Transcript.forSession('dom', ctx);

  test('session id, protocol, party set and threshold each change the challenge', () => {
    const c0 = hex(base().challengeBytes('c', 32));
    const variants = [
      { ...ctx, sessionId: new Uint8Array(32).fill(8) },
      { ...ctx, protocol: 'q' },
      { ...ctx, parties: [1, 2, 4] },
      { ...ctx, threshold: 3 },
    ];
    for (const v of variants)
      assert.notEqual(hex(Transcript.forSession('dom', v).challengeBytes('c', 32)), c0);
  });

  test('forks per prover differ from each other and leave the parent unchanged', () => {
    const t = base();
    const before = hex(base().challengeBytes('c', 32));
    const f1 = t.fork('prove', 1).challengeBytes('c', 32);
    const f2 = t.fork('prove', 2).challengeBytes('c', 32);
    assert.notEqual(hex(f1), hex(f2));
    assert.equal(hex(t.challengeBytes('c', 32)), before);
  });

  test('successive challenges differ (each is absorbed)', () => {
    const t = base();
    assert.notEqual(hex(t.challengeBytes('c', 32)), hex(t.challengeBytes('c', 32)));
  });

  test('challengeBelow stays in range and challengeSigned in [-q, q]', () => {
    const t = base();
    for (let i = 0; i < 200; i++) {
      const q = 1000n + BigInt(i);
      const x = t.challengeBelow('e', q);
      assert.ok(x >= 0n && x < q);
      const y = t.challengeSigned('e', q);
      assert.ok(y >= -q && y <= q);
    }
    assert.throws(() => t.challengeBelow('e', 0n), RangeError);
  });
});
