// The runtime's message-handling rules, each with its exact outcome (docs/ARCHITECTURE.md).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../src/codec.ts';
import { decodeEnvelope, encodeEnvelope } from '../src/envelope.ts';
import type { Envelope } from '../src/envelope.ts';
import { ProtocolError } from '../src/errors.ts';
import { deterministicRng } from '../src/harness.ts';
import type { ProtocolDefinition } from '../src/protocol.ts';
import { Session } from '../src/session.ts';
import type { SentMessage } from '../src/session.ts';
import { coinToss } from '../src/toy/coin-toss.ts';
import type { CoinTossOutput } from '../src/toy/coin-toss.ts';

const SID = new Uint8Array(32).fill(1);

function makeParties(n = 3, sid = SID) {
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  const sessions = new Map<number, Session<CoinTossOutput>>();
  const outbox = new Map<number, SentMessage[]>();
  for (const p of parties) {
    const s = Session.create(coinToss, {
      sessionId: sid,
      self: p,
      parties,
      rng: deterministicRng(`p${p}`),
      config: undefined,
    });
    s.start();
    sessions.set(p, s);
    outbox.set(p, s.takeOutgoing());
  }
  const get = (p: number) => sessions.get(p) as Session<CoinTossOutput>;
  const msgs = (p: number) => outbox.get(p) as SentMessage[];
  /** Delivers everything pending until quiet, FIFO. */
  const pump = (filter: (from: number, to: number, m: SentMessage) => boolean = () => true) => {
    let progress = true;
    while (progress) {
      progress = false;
      for (const from of parties) {
        const pending = outbox.get(from) as SentMessage[];
        outbox.set(from, []);
        for (const m of pending) {
          const targets =
            m.envelope.to === null ? parties.filter((q) => q !== from) : [m.envelope.to];
          for (const to of targets) {
            if (!filter(from, to, m)) continue;
            progress = true;
            get(to).receive(m.bytes);
            outbox.set(to, [...(outbox.get(to) as SentMessage[]), ...get(to).takeOutgoing()]);
          }
        }
      }
    }
  };
  return { parties, get, msgs, pump, outbox };
}

const reencode = (m: SentMessage, edit: Partial<Envelope>) =>
  encodeEnvelope({ ...m.envelope, ...edit });

describe('Session: honest runs', () => {
  test('three parties agree on the coin', () => {
    const { get, pump } = makeParties();
    pump();
    const coins = [1, 2, 3].map((p) => get(p).output?.coin);
    assert.equal(get(1).status, 'done');
    assert.equal(new Set(coins).size, 1);
    assert.match(coins[0] as string, /^[0-9a-f]{64}$/);
  });
});

describe('Session: dropped with no state change', () => {
  const cases: [string, (m: SentMessage) => Uint8Array, string][] = [
    ['wrong session', (m) => reencode(m, { session: '22'.repeat(32) }), 'wrong-session'],
    ['wrong protocol id', (m) => reencode(m, { protocol: 'toy/other' }), 'wrong-protocol'],
    ['wrong protocol version', (m) => reencode(m, { version: 2 }), 'wrong-protocol'],
    ['unknown sender', (m) => reencode(m, { from: 9 }), 'unknown-sender'],
    ['sender claims to be the receiver', (m) => reencode(m, { from: 2 }), 'unknown-sender'],
    ['addressed to another party', (m) => reencode(m, { to: 3 }), 'not-addressed-to-me'],
    ['p2p message in a broadcast round', (m) => reencode(m, { to: 2 }), 'wrong-kind'],
    ['unknown round', (m) => reencode(m, { round: 3 }), 'unknown-round'],
    ['malformed bytes', () => new TextEncoder().encode('{"v":1'), 'malformed'],
    [
      'non-canonical envelope',
      (m) => new TextEncoder().encode(' ' + new TextDecoder().decode(m.bytes)),
      'malformed',
    ],
  ];
  for (const [name, make, reason] of cases) {
    test(name, () => {
      const { get, msgs } = makeParties();
      const m = msgs(1)[0] as SentMessage;
      const before = get(2).snapshot();
      const r = get(2).receive(make(m));
      assert.equal(r.status, 'dropped');
      assert.equal(r.status === 'dropped' && r.reason, reason);
      assert.deepEqual(get(2).snapshot(), before);
      assert.deepEqual(get(2).takeOutgoing(), []);
    });
  }

  test('a second message from the same sender for the same round', () => {
    const { get, msgs } = makeParties();
    const m = msgs(1)[0] as SentMessage;
    assert.deepEqual(get(2).receive(m.bytes), { status: 'accepted' });
    const before = get(2).snapshot();
    const r = get(2).receive(reencode(m, { payload: { C: '00'.repeat(32) } }));
    assert.deepEqual(r, { status: 'dropped', reason: 'duplicate' });
    assert.deepEqual(get(2).snapshot(), before);
  });

  test('a past round', () => {
    const { get, msgs, pump } = makeParties();
    const old = msgs(1)[0] as SentMessage;
    pump((_f, _t, m) => m.envelope.round === 1);
    assert.equal(get(2).round, 2);
    const before = get(2).snapshot();
    assert.deepEqual(get(2).receive(old.bytes), { status: 'dropped', reason: 'past-round' });
    assert.deepEqual(get(2).snapshot(), before);
  });

  test('echo for a round that is not reliable', () => {
    const { get, msgs } = makeParties();
    const m = msgs(1)[0] as SentMessage;
    const r = get(2).receive(reencode(m, { round: 2, phase: 'echo' }));
    assert.deepEqual(r, { status: 'dropped', reason: 'unknown-round' });
  });

  test('anything after the session ended', () => {
    const { get, msgs, pump } = makeParties();
    const m = msgs(1)[0] as SentMessage;
    pump();
    assert.deepEqual(get(2).receive(m.bytes), { status: 'dropped', reason: 'finished' });
  });
});

describe('Session: future rounds are queued', () => {
  test('a round-2 message that arrives before round 1 completes is queued, then used', () => {
    const { get, pump, outbox } = makeParties();
    // Party 2 does not get party 3's echo yet, so it stays in round 1's echo phase while party 1
    // moves on and sends its round-2 reveal; both messages are held back here.
    let reveal: SentMessage | undefined;
    let echo: SentMessage | undefined;
    pump((from, to, m) => {
      if (from === 1 && to === 2 && m.envelope.round === 2) reveal = m;
      else if (from === 3 && to === 2 && m.envelope.phase === 'echo') echo = m;
      else return true;
      return false;
    });
    assert.ok(reveal && echo);
    assert.equal(get(2).phase, 'echo');
    const queuedBefore = get(2).snapshot().queued;
    assert.deepEqual(get(2).receive(reveal.bytes), { status: 'queued' });
    assert.equal(get(2).snapshot().queued, queuedBefore + 1);
    assert.deepEqual(get(2).receive(reveal.bytes), { status: 'dropped', reason: 'duplicate' });
    // The echo completes round 1; round 2 starts with the queued reveal already counted.
    assert.deepEqual(get(2).receive(echo.bytes), { status: 'accepted' });
    assert.equal(get(2).round, 2);
    assert.ok(get(2).snapshot().received.includes(1));
    assert.equal(get(2).snapshot().queued, 0);
    outbox.set(2, [...(outbox.get(2) ?? []), ...get(2).takeOutgoing()]);
    pump();
    assert.equal(get(2).status, 'done');
    assert.equal(get(2).output?.coin, get(1).output?.coin);
  });
});

describe('Session: blame', () => {
  test('a reveal that does not open its commitment names the sender, with the message id as evidence', () => {
    const { get, pump } = makeParties();
    let evidence = '';
    pump((from, to, m) => {
      if (from === 3 && to === 1 && m.envelope.round === 2) {
        const bad = reencode(m, {
          payload: { r: 'ab'.repeat(32), salt: (m.envelope.payload as { salt: string }).salt },
        });
        const r = get(1).receive(bad);
        assert.deepEqual(r, { status: 'accepted' });
        evidence = Buffer.from(require_sha256(bad)).toString('hex');
        return false;
      }
      return true;
    });
    const err = get(1).error;
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.kind, 'aborted');
    assert.deepEqual(err.culprits, [3]);
    assert.equal(err.blame[0]?.reason, 'reveal does not open the round-1 commitment');
    assert.deepEqual(err.blame[0]?.evidence, [evidence]);
    assert.equal(err.retryable, false);
    assert.equal(get(1).status, 'failed');
    assert.deepEqual(get(1).takeOutgoing(), [], 'nothing is released after an abort');
  });

  test('every culprit of a round is collected before aborting', () => {
    const { get, pump } = makeParties();
    pump((from, to, m) => {
      if (to === 1 && m.envelope.round === 2) {
        get(1).receive(reencode(m, { payload: { r: 'cd'.repeat(32), salt: 'ef'.repeat(32) } }));
        return false;
      }
      return true;
    });
    assert.deepEqual(get(1).error?.culprits, [2, 3]);
  });

  test('a payload that fails its schema blames the sender and names the field', () => {
    const { get, pump } = makeParties();
    pump((from, to, m) => {
      if (from === 2 && to === 1 && m.envelope.round === 1 && m.envelope.phase === 'main') {
        get(1).receive(reencode(m, { payload: { C: '00'.repeat(32), extra: 1 } }));
        return false;
      }
      return true;
    });
    const err = get(1).error;
    assert.equal(err?.kind, 'aborted');
    assert.deepEqual(err?.culprits, [2]);
    assert.equal(
      err?.blame[0]?.reason,
      'malformed message: invalid payload.extra: expected no such field',
    );
  });
});

describe('Session: time-outs are I/O errors, not blame', () => {
  test('missing parties are named and the error is retryable', () => {
    const { get, pump } = makeParties();
    pump((from) => from !== 3);
    get(1).timeout();
    const err = get(1).error;
    assert.equal(err?.kind, 'io');
    assert.equal(err?.timeout, true);
    assert.deepEqual(err?.missing, [3]);
    assert.deepEqual(err?.blame, []);
    assert.equal(err?.retryable, true);
  });
});

describe('Session: construction and protocol bugs', () => {
  test('invalid construction parameters are refused', () => {
    assert.throws(
      () =>
        Session.create(coinToss, {
          sessionId: new Uint8Array(31),
          self: 1,
          parties: [1, 2],
          config: undefined,
        }),
      /sessionId/,
    );
    assert.throws(
      () =>
        Session.create(coinToss, { sessionId: SID, self: 3, parties: [1, 2], config: undefined }),
      /self/,
    );
    assert.throws(
      () =>
        Session.create(coinToss, {
          sessionId: SID,
          self: 1,
          parties: [1, 1, 2],
          config: undefined,
        }),
      /twice/,
    );
    assert.throws(
      () => Session.create(coinToss, { sessionId: SID, self: 1, parties: [1], config: undefined }),
      /at least 2/,
    );
  });

  test('a protocol that breaks the round shape fails with kind "bug"', () => {
    const broken: ProtocolDefinition<number> = {
      id: 'test/broken',
      version: 1,
      rounds: [{ name: 'r1', kind: 'p2p', payload: c.object({}) }],
      create: () => ({ start: () => [{ to: 'all', payload: {} }], finish: () => ({ output: 1 }) }),
    };
    const s = Session.create(broken, {
      sessionId: SID,
      self: 1,
      parties: [1, 2],
      config: undefined,
    });
    s.start();
    assert.equal(s.status, 'failed');
    assert.equal(s.error?.kind, 'bug');
    assert.match(s.error?.message ?? '', /p2p round sends one message to each other party/);
  });

  test('an exception inside a protocol becomes a bug error, not a crash', () => {
    const throwing: ProtocolDefinition<number> = {
      id: 'test/throwing',
      version: 1,
      rounds: [{ name: 'r1', kind: 'broadcast', payload: c.object({}) }],
      create: () => ({
        start: () => [{ to: 'all', payload: {} }],
        finish: () => {
          throw new TypeError('boom');
        },
      }),
    };
    const a = Session.create(throwing, {
      sessionId: SID,
      self: 1,
      parties: [1, 2],
      config: undefined,
    });
    const b = Session.create(throwing, {
      sessionId: SID,
      self: 2,
      parties: [1, 2],
      config: undefined,
    });
    a.start();
    b.start();
    const m = b.takeOutgoing()[0] as SentMessage;
    assert.deepEqual(a.receive(m.bytes), { status: 'accepted' });
    assert.equal(a.error?.kind, 'bug');
    assert.match(a.error?.message ?? '', /boom/);
  });
});

describe('ProtocolError', () => {
  test('an abort must name a culprit', () => {
    assert.throws(
      () => ProtocolError.aborted([]),
      (e: unknown) => e instanceof ProtocolError && e.kind === 'bug',
    );
  });
  test('culprits are sorted and unique', () => {
    const e = ProtocolError.aborted([
      { party: 3, reason: 'x', evidence: [] },
      { party: 1, reason: 'y', evidence: [] },
      { party: 3, reason: 'z', evidence: [] },
    ]);
    assert.deepEqual(e.culprits, [1, 3]);
    assert.equal(e.kind, 'aborted');
  });
});

describe('Envelope', () => {
  test('round trip and strict fields', () => {
    const e: Envelope = {
      v: 1,
      session: 'ab'.repeat(32),
      protocol: 'toy/coin-toss',
      version: 1,
      round: 1,
      phase: 'main',
      from: 1,
      to: null,
      payload: { a: 1 },
    };
    assert.deepEqual(decodeEnvelope(encodeEnvelope(e)), e);
    const bad = (patch: Record<string, unknown>) =>
      new TextEncoder().encode(c.canonicalJson({ ...e, ...patch } as c.Json));
    assert.throws(() => decodeEnvelope(bad({ round: 0 })), /invalid round/);
    assert.throws(() => decodeEnvelope(bad({ from: 0 })), /invalid from/);
    assert.throws(() => decodeEnvelope(bad({ session: 'AB'.repeat(32) })), /invalid session/);
    assert.throws(() => decodeEnvelope(bad({ phase: 'other' })), /invalid phase/);
    assert.throws(() => decodeEnvelope(bad({ v: 2 })), /invalid v/);
    assert.throws(() => decodeEnvelope(bad({ sig: 'x' })), /invalid sig/);
    assert.throws(() => decodeEnvelope(encodeEnvelope(e), 10), /at most 10 bytes/);
  });
});

import { sha256 } from '@noble/hashes/sha2.js';
function require_sha256(b: Uint8Array): Uint8Array {
  return sha256(b);
}
