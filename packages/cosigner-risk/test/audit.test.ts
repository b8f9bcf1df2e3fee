// Audit log: conformance of both sinks, tamper detection (modified, removed, reordered,
// truncated, torn), fail-closed `audited`, HMAC/redaction of sensitive fields.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditError,
  AuditLog,
  FileAuditSink,
  MemoryAuditSink,
  verifyAuditChain,
} from '../src/audit/index.ts';
import type { AuditSink } from '../src/audit/index.ts';
import { auditSinkConformance } from './audit-conformance.ts';

const KEY = new Uint8Array(32).fill(7);
const dir = mkdtempSync(join(tmpdir(), 'quorate-audit-'));
let n = 0;

describe('memory sink conformance', () =>
  auditSinkConformance('memory', async () => {
    const sink = new MemoryAuditSink();
    return { sink, reopen: () => sink };
  }));

describe('file sink conformance', () =>
  auditSinkConformance('file', async () => {
    const path = join(dir, `log-${n++}.jsonl`);
    return { sink: new FileAuditSink(path), reopen: () => new FileAuditSink(path) };
  }));

async function sampleLines(count = 4): Promise<string[]> {
  const sink = new MemoryAuditSink();
  const log = await AuditLog.open(sink, { hmacKey: KEY, now: () => 0 });
  for (let i = 0; i < count; i++) await log.append('sign', { requestId: `r${i}`, amount: `${i}` });
  return sink.readAll();
}
const isAudit = (kind: string, index?: number) => (e: unknown) =>
  e instanceof AuditError && e.kind === kind && e.index === index;

describe('tamper detection', () => {
  test('a modified entry: hash-mismatch at its position', async () => {
    const lines = await sampleLines();
    lines[2] = lines[2]!.replace('"amount":"2"', '"amount":"9"');
    assert.throws(() => verifyAuditChain(lines), isAudit('hash-mismatch', 2));
  });

  test('a modified entry with its hash recomputed: broken-link at the next one', async () => {
    const { entryHash } = await import('../src/audit/log.ts');
    const lines = await sampleLines();
    const e = JSON.parse(lines[1]!);
    e.data.amount = '9';
    e.hash = entryHash(e);
    lines[1] = JSON.stringify(e);
    assert.throws(() => verifyAuditChain(lines), isAudit('broken-link', 2));
  });

  test('a removed entry: sequence error at the gap', async () => {
    const lines = await sampleLines();
    lines.splice(1, 1);
    assert.throws(() => verifyAuditChain(lines), isAudit('sequence', 1));
  });

  test('reordered entries: sequence error', async () => {
    const lines = await sampleLines();
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    assert.throws(() => verifyAuditChain(lines), isAudit('sequence', 1));
  });

  test('a truncated log verifies alone but not against the recorded head', async () => {
    const lines = await sampleLines();
    const { head } = verifyAuditChain(lines);
    assert.equal(verifyAuditChain(lines.slice(0, 3)).count, 3);
    assert.throws(
      () => verifyAuditChain(lines.slice(0, 3), { expectedHead: head }),
      isAudit('head-mismatch'),
    );
  });

  test('a torn last line makes the file log refuse to open', async () => {
    const path = join(dir, 'torn.jsonl');
    const log = await AuditLog.open(new FileAuditSink(path), { hmacKey: KEY });
    await log.append('a', {});
    appendFileSync(path, '{"seq":1,"ti');
    await assert.rejects(
      AuditLog.open(new FileAuditSink(path), { hmacKey: KEY }),
      isAudit('malformed', 1),
    );
  });

  test('the file is created with mode 0600 and an edited file refuses to open', async () => {
    const path = join(dir, 'edited.jsonl');
    const log = await AuditLog.open(new FileAuditSink(path), { hmacKey: KEY });
    await log.append('a', { x: 1 });
    await log.append('b', { x: 2 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"x":1', '"x":3'));
    await assert.rejects(
      AuditLog.open(new FileAuditSink(path), { hmacKey: KEY }),
      isAudit('hash-mismatch', 0),
    );
  });
});

class FailingSink implements AuditSink {
  fail = false;
  readonly inner = new MemoryAuditSink();
  async append(line: string) {
    if (this.fail) throw new Error('disk full');
    await this.inner.append(line);
  }
  readAll() {
    return this.inner.readAll();
  }
}

describe('fail closed', () => {
  test('when the sink cannot append, the operation is not performed', async () => {
    const sink = new FailingSink();
    const log = await AuditLog.open(sink, { hmacKey: KEY });
    sink.fail = true;
    let ran = false;
    await assert.rejects(
      log.audited({ type: 'sign', data: { requestId: 'r1' } }, () => {
        ran = true;
        return 'signature';
      }),
      isAudit('append-failed', 0),
    );
    assert.equal(ran, false);
    // The failed append did not advance the chain: the next entry is still seq 0.
    sink.fail = false;
    const e = await log.append('retry', {});
    assert.equal(e.seq, 0);
  });

  test('audited records intent and outcome around the operation', async () => {
    const sink = new MemoryAuditSink();
    const log = await AuditLog.open(sink, { hmacKey: KEY });
    assert.equal(await log.audited({ type: 'sign', data: { requestId: 'r1' } }, () => 42), 42);
    await assert.rejects(
      log.audited({ type: 'sign', data: {} }, () => Promise.reject(new RangeError('x'))),
      RangeError,
    );
    assert.deepEqual(
      (await sink.readAll()).map((l) => JSON.parse(l).type),
      ['sign', 'sign.ok', 'sign', 'sign.failed'],
    );
  });

  test('when the outcome cannot be recorded, the result is withheld', async () => {
    const sink = new FailingSink();
    const log = await AuditLog.open(sink, { hmacKey: KEY });
    await assert.rejects(
      log.audited({ type: 'sign', data: {} }, () => {
        sink.fail = true;
        return 'partial signature';
      }),
      isAudit('append-failed', 1),
    );
  });
});

describe('sensitive fields', () => {
  test('HMACed at any depth, case-insensitively; equal secrets give equal HMACs; no plain value stored', async () => {
    const sink = new MemoryAuditSink();
    const log = await AuditLog.open(sink, { hmacKey: KEY, sensitiveFields: ['share', 'apiKey'] });
    await log.append('x', {
      share: 'SECRET-SHARE',
      nested: { ApiKey: 'SECRET-KEY', keep: 'visible' },
    });
    await log.append('y', { share: 'SECRET-SHARE' });
    const [a, b] = (await sink.readAll()).map((l) => JSON.parse(l).data);
    assert.match(a.share, /^hmac-sha256:[0-9a-f]{64}$/);
    assert.equal(a.share, b.share);
    assert.match(a.nested.ApiKey, /^hmac-sha256:/);
    assert.equal(a.nested.keep, 'visible');
    assert.doesNotMatch((await sink.readAll()).join('\n'), /SECRET/);
  });

  test('redact mode writes a fixed marker; hmac mode needs a key', async () => {
    const sink = new MemoryAuditSink();
    const log = await AuditLog.open(sink, { mode: 'redact', sensitiveFields: ['pin'] });
    await log.append('x', { pin: '1234' });
    assert.equal(JSON.parse((await sink.readAll())[0]!).data.pin, '[REDACTED]');
    await assert.rejects(AuditLog.open(new MemoryAuditSink(), {}), /hmacKey/);
  });
});
