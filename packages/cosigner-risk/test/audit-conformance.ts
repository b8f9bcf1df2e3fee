// Shared conformance suite every audit sink passes (imported by audit.test.ts, not run alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog, verifyAuditChain } from '../src/audit/index.ts';
import type { AuditSink } from '../src/audit/index.ts';

const KEY = new Uint8Array(32).fill(7);

export function auditSinkConformance(
  name: string,
  fresh: () => Promise<{ sink: AuditSink; reopen: () => AuditSink }>,
) {
  test(`${name}: appends are kept in order and the chain verifies`, async () => {
    const { sink } = await fresh();
    const log = await AuditLog.open(sink, { hmacKey: KEY });
    await Promise.all([
      log.append('a', { n: 1 }),
      log.append('b', { n: 2 }),
      log.append('c', { n: 3 }),
    ]);
    const lines = await sink.readAll();
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).type),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(verifyAuditChain(lines), { count: 3, head: log.head });
  });

  test(`${name}: a reopened log continues the same chain`, async () => {
    const { sink, reopen } = await fresh();
    const log = await AuditLog.open(sink, { hmacKey: KEY });
    await log.append('a', {});
    const again = await AuditLog.open(reopen(), { hmacKey: KEY });
    assert.equal(again.count, 1);
    assert.equal(again.head, log.head);
    await again.append('b', {});
    assert.equal(verifyAuditChain(await reopen().readAll()).count, 2);
  });

  test(`${name}: an empty sink reads as an empty chain`, async () => {
    const { sink } = await fresh();
    assert.deepEqual(await sink.readAll(), []);
  });
}
