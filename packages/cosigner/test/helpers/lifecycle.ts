/**
 * Helpers of the lifecycle (refresh / reshare) daemon tests: sending jobs through the FAKE hub,
 * waiting for every result, and cancelling a job as the real hub does when a participant is gone.
 */
import assert from 'node:assert/strict';
import type { Job } from '../../src/job.ts';
import { jobSchema } from '../../src/job.ts';
import type { FakeHub } from './fake-hub.ts';
import type { Instance } from './instance.ts';

export type JobInput = Omit<Job, 'authorization' | 'sessionId' | 'timeoutMs'>;

export function lifecycleDriver(hub: FakeHub, firstSession: number) {
  let sessionN = firstSession;
  const hex32 = (n: number) => n.toString(16).padStart(64, '0');
  const results = (jobId: string) => hub.framesOf(jobId, 'job-result');
  return {
    results,
    async send(job: JobInput, to: readonly Instance[]): Promise<Job> {
      const signed = await hub.sign({ ...job, timeoutMs: 120_000, sessionId: hex32(sessionN++) });
      for (const i of to) hub.sendJob(i.id, signed);
      return signed;
    },
    /** Waits for a result from each of `to` and asserts they are all `done` with one output. */
    async done(job: Job, to: readonly Instance[], what: string): Promise<Record<string, unknown>> {
      const refused = () => hub.framesOf(job.jobId, 'job-refused');
      try {
        await hub.waitFor(
          () => results(job.jobId).length === to.length || refused().length > 0,
          what,
          110_000,
        );
        assert.deepEqual(
          refused().map((r) => `${r.from}: ${String(r.frame['reason'])}`),
          [],
          `${what}: refused`,
        );
      } catch (e) {
        // Say who reported what: a failure at one party leaves the others waiting.
        const got = results(job.jobId).map((r) => ({ from: r.from, ...r.frame }));
        const counts: Record<string, number> = {};
        for (const f of hub.framesOf(job.jobId)) {
          const k = `${f.from}:${String(f.frame['type'])}`;
          counts[k] = (counts[k] ?? 0) + 1;
        }
        if (process.env['H4DEBUG']) console.log(counts);
        throw new Error(`${(e as Error).message}; results so far: ${JSON.stringify(got)}`);
      }
      const rs = results(job.jobId);
      assert.deepEqual(
        rs.map((r) => r.frame['status']),
        to.map(() => 'done'),
        `${what}: ${JSON.stringify(rs.map((r) => r.frame['error'] ?? null))}`,
      );
      const outs = rs.map((r) => JSON.stringify(r.frame['output']));
      assert.equal(new Set(outs).size, 1, `${what}: one output`);
      return rs[0]?.frame['output'] as Record<string, unknown>;
    },
    cancel(jobId: string, to: readonly Instance[], reason: string): void {
      for (const i of to)
        hub.conns.get(i.id)?.send(JSON.stringify({ type: 'cancel', jobId, reason }));
    },
  };
}

/** Sign jobs name the API user of the primary where the job contract has that field. */
export function forApiUser(apiUserId: string): { apiUserId?: string } {
  return 'apiUserId' in jobSchema.shape ? ({ apiUserId } as { apiUserId?: string }) : {};
}

export const rawRequest = (
  digest: string,
  derivationPath: string | null = null,
): NonNullable<Job['request']> => ({
  transactionId: `tx-${digest.slice(0, 8)}`,
  operation: 'raw',
  asset: null,
  amount: null,
  destination: null,
  digest,
  derivationPath,
  raw: null,
});

/** Rules allowing every operation (the default test rules allow keygen and sign only). */
export const ALLOW_LIFECYCLE = { operations: { keygen: {}, sign: {}, refresh: {}, reshare: {} } };
