/**
 * Co-signer metrics (docs/cosigner-risk.md, "Metrics"): a prom-client registry of its own (not
 * the global one) with counters and histograms for protocol runs, callback latency and
 * rejections, and a tiny node:http server for `GET /metrics`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';
import type { CallbackObserver } from '../callback/client.ts';

export interface CosignerMetrics {
  readonly registry: Registry;
  readonly protocolRuns: Counter<'protocol' | 'outcome'>;
  readonly protocolDuration: Histogram<'protocol'>;
  readonly callbackLatency: Histogram<'handler' | 'outcome'>;
  readonly callbackRejections: Counter<'handler'>;
  readonly riskDecisions: Counter<'decision' | 'decided_by'>;
  /** Feeds callback attempts into the histogram and the rejection counter. */
  readonly callbackObserver: CallbackObserver;
}

export function createCosignerMetrics(): CosignerMetrics {
  const registry = new Registry();
  const protocolRuns = new Counter({
    name: 'quorate_protocol_runs_total',
    help: 'Protocol runs (keygen, sign, reshare, refresh) by outcome',
    labelNames: ['protocol', 'outcome'] as const,
    registers: [registry],
  });
  const protocolDuration = new Histogram({
    name: 'quorate_protocol_run_duration_seconds',
    help: 'Wall time of a protocol run',
    labelNames: ['protocol'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const callbackLatency = new Histogram({
    name: 'quorate_callback_latency_seconds',
    help: 'Time for one callback handler attempt, by handler and answer',
    labelNames: ['handler', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const callbackRejections = new Counter({
    name: 'quorate_callback_rejections_total',
    help: 'REJECT answers from callback handlers',
    labelNames: ['handler'] as const,
    registers: [registry],
  });
  const riskDecisions = new Counter({
    name: 'quorate_risk_decisions_total',
    help: 'Combined risk decisions, by result and the check that decided',
    labelNames: ['decision', 'decided_by'] as const,
    registers: [registry],
  });
  return {
    registry,
    protocolRuns,
    protocolDuration,
    callbackLatency,
    callbackRejections,
    riskDecisions,
    callbackObserver: {
      attempt(handler, outcome, seconds) {
        callbackLatency.observe({ handler, outcome }, seconds);
        if (outcome === 'REJECT') callbackRejections.inc({ handler });
      },
    },
  };
}

/** Serves `GET /metrics` in the Prometheus text format; everything else is 404. */
export function startMetricsServer(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
