// Signing schema (SYSTEM.md "Roles, sets and cliques"; seed 003 "Sets and Cliques Explained"):
// validation, clique enumeration, the co-signer-side clique check, selection by health, the
// designated signer, failover with a fresh session, quarantine until released, pool planning.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  EMPTY_QUARANTINE,
  FailoverError,
  PoolPlanError,
  QuarantineError,
  SigningSchemaError,
  checkClique,
  cliqueKey,
  countCliques,
  enumerateCliques,
  failover,
  firstAttempt,
  isQuarantined,
  isValidClique,
  planPresignatureRefill,
  quarantineCulprits,
  releaseFromQuarantine,
  selectClique,
  validateSigningSchema,
} from '../../src/signing-schema/index.ts';
import type { HealthTable, SigningAttempt } from '../../src/signing-schema/index.ts';

// Two primaries, two sets of two guards (the topology of seed 003): 2 × 2 × 2 = 8 cliques.
const RAW = {
  version: 1,
  threshold: 3,
  primaries: [
    { cosignerId: 'p1', party: 1 },
    { cosignerId: 'p2', party: 2 },
  ],
  sets: [
    {
      name: 'set-1',
      guards: [
        { cosignerId: 'g1a', party: 3 },
        { cosignerId: 'g1b', party: 4 },
      ],
    },
    {
      name: 'set-2',
      guards: [
        { cosignerId: 'g2a', party: 5 },
        { cosignerId: 'g2b', party: 6 },
      ],
    },
  ],
};
const schema = validateSigningSchema(RAW);
const ALL = ['p1', 'p2', 'g1a', 'g1b', 'g2a', 'g2b'];
const allOnline: HealthTable = Object.fromEntries(ALL.map((id) => [id, { online: true }]));
const S1 = 'a'.repeat(64);
const S2 = 'b'.repeat(64);
const S3 = 'c'.repeat(64);

function schemaField(mutate: (raw: typeof RAW) => unknown): string {
  const raw = structuredClone(RAW);
  const input = mutate(raw) ?? raw;
  try {
    validateSigningSchema(input);
  } catch (e) {
    assert.ok(e instanceof SigningSchemaError);
    return e.field;
  }
  assert.fail('schema accepted');
}

describe('signing schema validation', () => {
  test('a valid schema is frozen', () => {
    assert.ok(Object.isFrozen(schema) && Object.isFrozen(schema.sets[0]!.guards));
  });

  test('each invalid field is named', () => {
    assert.equal(
      schemaField((r) => ({ ...r, threshold: 2 })),
      'threshold',
    );
    assert.equal(
      schemaField((r) => ({ ...r, version: 0 })),
      'version',
    );
    assert.equal(
      schemaField((r) => ({ ...r, primaries: [] })),
      'primaries',
    );
    assert.equal(
      schemaField((r) => ({ ...r, sets: [] })),
      'sets',
    );
    assert.equal(
      schemaField((r) => {
        r.sets[1]!.guards = [];
      }),
      'sets[1].guards',
    );
    assert.equal(
      schemaField((r) => {
        r.sets[1]!.name = 'set-1';
      }),
      'sets[1].name',
    );
    assert.equal(
      schemaField((r) => {
        r.sets[1]!.guards[0]!.cosignerId = 'p1';
      }),
      'sets[1].guards[0].cosignerId',
    );
    assert.equal(
      schemaField((r) => {
        r.sets[0]!.guards[1]!.party = 1;
      }),
      'sets[0].guards[1].party',
    );
    assert.equal(
      schemaField((r) => {
        r.primaries[0]!.party = 0;
      }),
      'primaries[0].party',
    );
    assert.equal(
      schemaField((r) => {
        r.primaries[1]!.cosignerId = 'bad|id';
      }),
      'primaries[1].cosignerId',
    );
    assert.equal(
      schemaField((r) => ({ ...r, extra: 1 })),
      'schema.extra',
    );
  });
});

describe('clique enumeration', () => {
  test('exactly one primary and one guard per set, every combination', () => {
    const keys = enumerateCliques(schema).map(cliqueKey);
    assert.deepEqual(keys, [
      'p1|g1a|g2a',
      'p1|g1a|g2b',
      'p1|g1b|g2a',
      'p1|g1b|g2b',
      'p2|g1a|g2a',
      'p2|g1a|g2b',
      'p2|g1b|g2a',
      'p2|g1b|g2b',
    ]);
    assert.equal(countCliques(schema), 8);
    for (const c of enumerateCliques(schema))
      assert.ok(isValidClique(schema, [c.primary.party, ...c.guards.map((g) => g.party)]));
  });
});

describe('isValidClique (the co-signer-side check)', () => {
  test('@quorate/clique imports nothing, so the hub and the co-signers can share it', () => {
    const src = readFileSync(new URL('../../../clique/src/index.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(src, /^\s*(import|export .* from)\b/m);
  });
  const problem = (parties: readonly unknown[]): string | undefined => {
    const r = checkClique(schema, parties);
    return r.valid ? undefined : r.problem;
  };
  test('accepts a clique in any order', () => {
    assert.equal(isValidClique(schema, [6, 1, 3]), true);
    assert.equal(problem([2, 4, 5]), undefined);
  });
  test('rejects two guards of the same set', () => {
    assert.equal(isValidClique(schema, [1, 3, 4]), false);
    assert.equal(problem([1, 3, 4]), 'TWO_FROM_SET');
    assert.equal(problem([1, 3, 4, 5]), 'TWO_FROM_SET');
  });
  test('rejects a missing set', () => {
    assert.equal(isValidClique(schema, [1, 3]), false);
    assert.equal(problem([1, 3]), 'SET_MISSING');
    assert.equal(problem([1]), 'SET_MISSING');
  });
  test('rejects no primary', () => {
    assert.equal(isValidClique(schema, [3, 5]), false);
    assert.equal(problem([3, 5]), 'NO_PRIMARY');
    assert.equal(problem([3, 4, 5]), 'NO_PRIMARY');
    assert.equal(problem([]), 'NO_PRIMARY');
  });
  test('rejects two primaries', () => {
    assert.equal(isValidClique(schema, [1, 2, 3, 5]), false);
    assert.equal(problem([1, 2, 3, 5]), 'TWO_PRIMARIES');
  });
  test('rejects unknown parties, non-numbers, duplicates and non-lists', () => {
    assert.equal(problem([1, 3, 9]), 'UNKNOWN_PARTY');
    assert.equal(problem([1, 3, '5']), 'UNKNOWN_PARTY');
    assert.equal(problem([1, 3, 3, 5]), 'DUPLICATE_PARTY');
    assert.equal(problem('1,3,5' as unknown as unknown[]), 'NOT_A_LIST');
  });
  test('the check follows the schema it is given', () => {
    const three = validateSigningSchema({
      ...RAW,
      sets: [...RAW.sets, { name: 'set-3', guards: [{ cosignerId: 'g3', party: 7 }] }],
      threshold: 4,
    });
    assert.equal(isValidClique(three, [1, 3, 5, 7]), true);
    assert.equal(isValidClique(three, [1, 3, 5]), false);
    assert.equal(isValidClique(schema, [1, 3, 5, 7]), false);
  });
});

describe('clique selection by health', () => {
  test('all healthy: the first clique in schema order', () => {
    const s = selectClique(schema, { health: allOnline, quarantine: EMPTY_QUARANTINE });
    assert.equal(s.ok && s.key, 'p1|g1a|g2a');
  });

  test('offline co-signers are avoided', () => {
    const health = { ...allOnline, g1a: { online: false }, p1: { online: false } };
    const s = selectClique(schema, { health, quarantine: EMPTY_QUARANTINE });
    assert.equal(s.ok && s.key, 'p2|g1b|g2a');
  });

  test('a co-signer without a health entry counts as offline', () => {
    const { g2a: _gone, ...health } = allOnline;
    const s = selectClique(schema, { health, quarantine: EMPTY_QUARANTINE });
    assert.equal(s.ok && s.key, 'p1|g1a|g2b');
  });

  test('least recently failed first', () => {
    const health = {
      ...allOnline,
      g1a: { online: true, lastFailureAt: 5000 },
      g1b: { online: true, lastFailureAt: 3000 },
    };
    const s = selectClique(schema, { health, quarantine: EMPTY_QUARANTINE });
    assert.equal(s.ok && s.key, 'p1|g1b|g2a');
  });

  test('a ready presignature breaks a health tie', () => {
    const s = selectClique(schema, {
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      presignaturesReady: { 'p1|g1b|g2b': 3, 'p1|g1a|g2a': 0 },
    });
    assert.equal(s.ok && s.key, 'p1|g1b|g2b');
  });

  test("the designated signer's co-signer is the primary", () => {
    const s = selectClique(schema, {
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      primaryCosignerId: 'p2',
    });
    assert.equal(s.ok && s.key, 'p2|g1a|g2a');
  });

  test('an offline designated primary is not replaced by another primary', () => {
    const s = selectClique(schema, {
      health: { ...allOnline, p2: { online: false } },
      quarantine: EMPTY_QUARANTINE,
      primaryCosignerId: 'p2',
    });
    assert.deepEqual(s, {
      ok: false,
      reason: 'DESIGNATED_PRIMARY_UNAVAILABLE',
      unavailable: ['p2'],
    });
    const unknown = selectClique(schema, {
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      primaryCosignerId: 'g1a',
    });
    assert.equal(!unknown.ok && unknown.reason, 'DESIGNATED_PRIMARY_NOT_IN_SCHEMA');
  });

  test('a whole set offline: no clique', () => {
    const health = { ...allOnline, g2a: { online: false }, g2b: { online: false } };
    const s = selectClique(schema, { health, quarantine: EMPTY_QUARANTINE });
    assert.deepEqual(s, { ok: false, reason: 'NO_AVAILABLE_CLIQUE', unavailable: ['g2a', 'g2b'] });
  });
});

describe('quarantine', () => {
  const culprit = { party: 3, reason: 'bad Pi_enc proof', evidence: ['ab'.repeat(32)] };

  test('a culprit is excluded until an operator releases it', () => {
    const q = quarantineCulprits(EMPTY_QUARANTINE, schema, [culprit], S1, 1000);
    assert.equal(isQuarantined(q, 'g1a'), true);
    assert.deepEqual(q.entries['g1a'], {
      cosignerId: 'g1a',
      party: 3,
      since: 1000,
      sessionId: S1,
      reason: 'bad Pi_enc proof',
      evidence: ['ab'.repeat(32)],
    });
    const s = selectClique(schema, { health: allOnline, quarantine: q });
    assert.equal(s.ok && s.key, 'p1|g1b|g2a');
    // Only g1b is left in set-1: take it offline too and nothing can sign.
    const none = selectClique(schema, {
      health: { ...allOnline, g1b: { online: false } },
      quarantine: q,
    });
    assert.equal(!none.ok && none.reason, 'NO_AVAILABLE_CLIQUE');

    const { state, release } = releaseFromQuarantine(q, 'g1a', {
      operator: 'user:alice',
      at: 2000,
      note: 'host reimaged, share verified',
    });
    assert.equal(isQuarantined(state, 'g1a'), false);
    assert.equal(release.entry.sessionId, S1);
    assert.equal(release.operator, 'user:alice');
    const back = selectClique(schema, { health: allOnline, quarantine: state });
    assert.equal(back.ok && back.key, 'p1|g1a|g2a');
  });

  test('release needs a quarantined co-signer, an operator and a note', () => {
    const q = quarantineCulprits(EMPTY_QUARANTINE, schema, [culprit], S1, 1000);
    const field = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof QuarantineError);
        return e.field;
      }
      assert.fail('accepted');
    };
    assert.equal(
      field(() => releaseFromQuarantine(q, 'g2a', { operator: 'u', at: 1, note: 'n' })),
      'cosignerId',
    );
    assert.equal(
      field(() => releaseFromQuarantine(q, 'g1a', { operator: '', at: 1, note: 'n' })),
      'operator',
    );
    assert.equal(
      field(() => releaseFromQuarantine(q, 'g1a', { operator: 'u', at: 1, note: ' ' })),
      'note',
    );
    assert.equal(
      field(() => quarantineCulprits(EMPTY_QUARANTINE, schema, [], S1, 1)),
      'culprits',
    );
  });

  test('an unknown culprit party is refused, naming the field', () => {
    assert.throws(
      () => quarantineCulprits(EMPTY_QUARANTINE, schema, [{ ...culprit, party: 9 }], S1, 1),
      (e: unknown) => e instanceof SigningSchemaError && e.field === 'party',
    );
  });
});

describe('failover', () => {
  const start = (primary?: string): SigningAttempt => {
    const first = firstAttempt(schema, {
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      sessionId: S1,
      at: 100,
      ...(primary === undefined ? {} : { primaryCosignerId: primary }),
    });
    assert.ok(first.next !== null);
    return first.next;
  };

  test('after a time-out: another clique, a fresh session, the missing party deprioritised', () => {
    const a1 = start();
    assert.deepEqual(a1, {
      sessionId: S1,
      cliqueKey: 'p1|g1a|g2a',
      parties: [1, 3, 5],
      startedAt: 100,
    });
    const r = failover({
      schema,
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      attempts: [a1],
      failure: { kind: 'TIMEOUT', sessionId: S1, missing: [5] },
      newSessionId: S2,
      at: 200,
      maxAttempts: 3,
    });
    assert.deepEqual(r.health['g2a'], { online: true, lastFailureAt: 200 });
    assert.deepEqual(r.quarantine, EMPTY_QUARANTINE);
    assert.ok(r.outcome.next !== null);
    assert.deepEqual(r.outcome.next, {
      sessionId: S2,
      cliqueKey: 'p1|g1a|g2b',
      parties: [1, 3, 6],
      startedAt: 200,
    });
  });

  test('after an abort: the culprit is quarantined and not retried', () => {
    const a1 = start();
    const r = failover({
      schema,
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      attempts: [a1],
      failure: {
        kind: 'ABORT',
        sessionId: S1,
        culprits: [{ party: 3, reason: 'bad proof', evidence: [] }],
      },
      newSessionId: S2,
      at: 200,
      maxAttempts: 3,
    });
    assert.equal(isQuarantined(r.quarantine, 'g1a'), true);
    assert.ok(r.outcome.next !== null);
    assert.equal(r.outcome.next.cliqueKey, 'p1|g1b|g2a');
    assert.equal(r.outcome.next.parties.includes(3), false);
  });

  test('the designated primary is kept across failover', () => {
    const a1 = start('p2');
    assert.equal(a1.cliqueKey, 'p2|g1a|g2a');
    const r = failover({
      schema,
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      attempts: [a1],
      failure: { kind: 'TIMEOUT', sessionId: S1, missing: [3] },
      newSessionId: S2,
      at: 200,
      primaryCosignerId: 'p2',
      maxAttempts: 3,
    });
    assert.equal(r.outcome.next?.cliqueKey, 'p2|g1b|g2a');
  });

  test('a session id is never reused, and must be 32 bytes of hex', () => {
    const a1 = start();
    const base = {
      schema,
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      attempts: [a1],
      failure: { kind: 'TIMEOUT', sessionId: S1, missing: [5] } as const,
      at: 200,
      maxAttempts: 3,
    };
    assert.throws(
      () => failover({ ...base, newSessionId: S1 }),
      (e: unknown) =>
        e instanceof FailoverError && e.field === 'newSessionId' && /never reused/.test(e.message),
    );
    assert.throws(
      () => failover({ ...base, newSessionId: 'xyz' }),
      (e: unknown) => e instanceof FailoverError && e.field === 'newSessionId',
    );
  });

  test('blame or missing parties outside the session are refused', () => {
    const a1 = start();
    const base = {
      schema,
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      attempts: [a1],
      newSessionId: S2,
      at: 200,
      maxAttempts: 3,
    };
    assert.throws(
      () => failover({ ...base, failure: { kind: 'TIMEOUT', sessionId: S1, missing: [6] } }),
      (e: unknown) => e instanceof FailoverError && e.field === 'failure.missing',
    );
    assert.throws(
      () =>
        failover({
          ...base,
          failure: {
            kind: 'ABORT',
            sessionId: S1,
            culprits: [{ party: 2, reason: 'x', evidence: [] }],
          },
        }),
      (e: unknown) => e instanceof FailoverError && e.field === 'failure.culprits',
    );
    assert.throws(
      () => failover({ ...base, failure: { kind: 'TIMEOUT', sessionId: S3, missing: [] } }),
      (e: unknown) => e instanceof FailoverError && e.field === 'failure.sessionId',
    );
  });

  test('stops at maxAttempts, and when every clique was tried', () => {
    const a1 = start();
    const r = failover({
      schema,
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
      attempts: [a1],
      failure: { kind: 'TIMEOUT', sessionId: S1, missing: [5] },
      newSessionId: S2,
      at: 200,
      maxAttempts: 1,
    });
    assert.deepEqual(r.outcome, { next: null, reason: 'MAX_ATTEMPTS' });

    const single = validateSigningSchema({
      version: 1,
      threshold: 2,
      primaries: [{ cosignerId: 'p', party: 1 }],
      sets: [{ name: 's', guards: [{ cosignerId: 'g', party: 2 }] }],
    });
    const health = { p: { online: true }, g: { online: true } };
    const first = firstAttempt(single, {
      health,
      quarantine: EMPTY_QUARANTINE,
      sessionId: S1,
      at: 1,
    });
    assert.ok(first.next !== null);
    const r2 = failover({
      schema: single,
      health,
      quarantine: EMPTY_QUARANTINE,
      attempts: [first.next],
      failure: { kind: 'TIMEOUT', sessionId: S1, missing: [2] },
      newSessionId: S2,
      at: 2,
      maxAttempts: 5,
    });
    assert.deepEqual(r2.outcome, { next: null, reason: 'NO_AVAILABLE_CLIQUE' });
  });
});

describe('presignature pool planning', () => {
  const policy = { targetSize: 10, maxPooledCliques: 2, maxBatch: 4 };

  test('refills the best cliques up to the target, in batches', () => {
    const plan = planPresignatureRefill(
      schema,
      {
        pools: [
          { cliqueKey: 'p1|g1a|g2a', ready: 5, generating: 3 },
          { cliqueKey: 'p1|g1a|g2b', ready: 1, generating: 0 },
        ],
        health: allOnline,
        quarantine: EMPTY_QUARANTINE,
      },
      policy,
    );
    assert.deepEqual(plan, {
      refill: [
        { cliqueKey: 'p1|g1a|g2b', parties: [1, 3, 6], count: 4 },
        { cliqueKey: 'p1|g1a|g2a', parties: [1, 3, 5], count: 2 },
      ],
      discard: [],
    });
  });

  test('a full pool needs nothing; pooling can be disabled', () => {
    const state = {
      pools: [
        { cliqueKey: 'p1|g1a|g2a', ready: 10, generating: 0 },
        { cliqueKey: 'p1|g1a|g2b', ready: 9, generating: 1 },
      ],
      health: allOnline,
      quarantine: EMPTY_QUARANTINE,
    };
    assert.deepEqual(planPresignatureRefill(schema, state, policy).refill, []);
    assert.deepEqual(
      planPresignatureRefill(schema, state, { ...policy, maxPooledCliques: 0 }).refill,
      [],
    );
  });

  test('pools of quarantined or unknown cliques are discarded, and not refilled', () => {
    const q = quarantineCulprits(
      EMPTY_QUARANTINE,
      schema,
      [{ party: 3, reason: 'bad proof', evidence: [] }],
      S1,
      1,
    );
    const plan = planPresignatureRefill(
      schema,
      {
        pools: [
          { cliqueKey: 'p1|g1a|g2a', ready: 5, generating: 0 },
          { cliqueKey: 'old|g1a|g2a', ready: 2, generating: 0 },
          { cliqueKey: 'p1|g1b|g2a', ready: 10, generating: 0 },
        ],
        health: allOnline,
        quarantine: q,
      },
      policy,
    );
    assert.deepEqual(plan.discard, ['old|g1a|g2a', 'p1|g1a|g2a']);
    assert.deepEqual(plan.refill, [{ cliqueKey: 'p1|g1b|g2b', parties: [1, 4, 6], count: 4 }]);
  });

  test('bad levels are refused naming the field', () => {
    assert.throws(
      () =>
        planPresignatureRefill(
          schema,
          {
            pools: [{ cliqueKey: 'p1|g1a|g2a', ready: -1, generating: 0 }],
            health: allOnline,
            quarantine: EMPTY_QUARANTINE,
          },
          policy,
        ),
      (e: unknown) => e instanceof PoolPlanError && e.field === 'pools[0].ready',
    );
    assert.throws(
      () =>
        planPresignatureRefill(
          schema,
          { pools: [], health: allOnline, quarantine: EMPTY_QUARANTINE },
          { ...policy, targetSize: 1.5 },
        ),
      (e: unknown) => e instanceof PoolPlanError && e.field === 'targetSize',
    );
  });
});
