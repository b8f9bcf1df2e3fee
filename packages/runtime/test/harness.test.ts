// The simulation harness and its hooks, exercised on the toy coin toss; plus reliable broadcast.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  delayWhere,
  deterministicRng,
  dropWhere,
  duplicateWhere,
  flipHex,
  simulate,
  tamperField,
} from '../src/harness.ts';
import type { Delivery } from '../src/harness.ts';
import { coinToss } from '../src/toy/coin-toss.ts';

const parties = [1, 2, 3];
const run = (opts: Partial<Parameters<typeof simulate<ReturnType<never>, undefined>>[1]> = {}) =>
  simulate(coinToss, { parties, config: () => undefined, seed: 'harness', ...opts });

function agreed(r: ReturnType<typeof run>) {
  assert.equal(r.errors.size, 0, [...r.errors.values()].map((e) => e.message).join('; '));
  assert.equal(r.outputs.size, parties.length);
  assert.equal(new Set([...r.outputs.values()].map((o) => o.coin)).size, 1);
}

describe('harness: honest runs', () => {
  test('FIFO, seeded: deterministic coin', () => {
    const a = run();
    const b = run();
    agreed(a);
    assert.equal(a.outputs.get(1)?.coin, b.outputs.get(1)?.coin);
  });

  test('random delivery order over several seeds, five parties', () => {
    for (let i = 0; i < 8; i++) {
      const r = simulate(coinToss, {
        parties: [1, 2, 3, 4, 5],
        config: () => undefined,
        seed: `order-${i}`,
        order: 'random',
      });
      assert.equal(r.errors.size, 0);
      assert.equal(new Set([...r.outputs.values()].map((o) => o.coin)).size, 1);
    }
  });

  test('without a seed the CSPRNG is used and runs differ', () => {
    const a = simulate(coinToss, { parties, config: () => undefined });
    const b = simulate(coinToss, { parties, config: () => undefined });
    assert.notEqual(a.outputs.get(1)?.coin, b.outputs.get(1)?.coin);
  });
});

describe('harness: network faults', () => {
  test('duplicated messages are dropped as duplicates and the run completes', () => {
    const r = run({ interceptors: [duplicateWhere({ from: 2 })] });
    agreed(r);
    // Party 2 sends 6 deliveries (broadcast, echo, 2 reveals); each copy is dropped exactly once:
    // as a duplicate, or as late when the original had just completed the receiver's round.
    assert.equal(r.dropped.length, 6);
    const reasons = r.dropped.map((d) =>
      d.result.status === 'dropped' ? d.result.reason : 'accepted',
    );
    assert.ok(r.dropped.every((d) => d.delivery.from === 2));
    assert.ok(reasons.includes('duplicate'));
    assert.ok(
      reasons.every((x) => x === 'duplicate' || x === 'past-round' || x === 'finished'),
      reasons.join(),
    );
  });

  test('delayed messages are queued and the run completes', () => {
    const r = run({ interceptors: [delayWhere({ from: 1, round: 1, phase: 'main' }, 20)] });
    agreed(r);
  });

  test('a dropped message ends in a time-out naming the silent party, with no blame', () => {
    const r = run({ interceptors: [dropWhere({ from: 3, to: 1, round: 2 })] });
    const err = r.errors.get(1);
    assert.equal(err?.kind, 'io');
    assert.deepEqual(err?.missing, [3]);
    assert.deepEqual(err?.blame, []);
    assert.equal(r.outputs.has(1), false);
  });

  test('a replay from an old session is dropped as wrong-session and does not disturb the run', () => {
    const old = run({ sessionId: new Uint8Array(32).fill(9) });
    const replays: Delivery[] = old.sent.filter((d) => d.to === 1);
    const r = run({ sessionId: new Uint8Array(32).fill(10), inject: replays });
    agreed(r);
    const reasons = r.dropped.map((d) => (d.result.status === 'dropped' ? d.result.reason : ''));
    assert.equal(reasons.length, replays.length);
    assert.ok(reasons.every((x) => x === 'wrong-session'));
  });
});

describe('harness: tampering and reliable broadcast', () => {
  test('equivocation (different round-1 broadcasts to different parties) names the sender', () => {
    const r = run({
      interceptors: [tamperField({ from: 2, to: 3, round: 1, phase: 'main' }, 'C', flipHex)],
    });
    assert.equal(r.outputs.size, 0);
    for (const honest of [1, 3]) {
      const err = r.errors.get(honest);
      assert.equal(err?.kind, 'aborted');
      assert.deepEqual(err?.culprits, [2]);
      assert.match(
        err?.blame[0]?.reason ?? '',
        /^equivocation: party 2's round 1 broadcast differs/,
      );
      assert.equal(err?.blame[0]?.evidence.length, 3);
    }
  });

  test('a tampered reveal names its sender at every receiver that got it', () => {
    const r = run({ interceptors: [tamperField({ from: 1, to: 2, round: 2 }, 'r', flipHex)] });
    assert.deepEqual(r.errors.get(2)?.culprits, [1]);
    assert.equal(r.errors.get(2)?.blame[0]?.reason, 'reveal does not open the round-1 commitment');
    assert.equal(r.outputs.has(2), false);
  });

  test('a tampered echo names the echoer when it misreports our own message', () => {
    const r = run({
      interceptors: [
        tamperField({ from: 3, to: 1, phase: 'echo' }, 'digests', (d) => {
          const list = d as { party: number; id: string }[];
          return list.map((x) => (x.party === 1 ? { ...x, id: flipHex(x.id) as string } : x));
        }),
      ],
    });
    assert.deepEqual(r.errors.get(1)?.culprits, [3]);
  });
});

describe('deterministicRng', () => {
  test('same seed, same bytes; different seeds differ', () => {
    const a = deterministicRng('x').bytes(100);
    const b = deterministicRng('x').bytes(100);
    const c = deterministicRng('y').bytes(100);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
