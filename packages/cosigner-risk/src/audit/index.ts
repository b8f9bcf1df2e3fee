/** Hash-chained, fail-closed audit log and its sinks (docs/cosigner-risk.md, "Audit log"). */
export * from './log.ts';
export * from './sinks.ts';
