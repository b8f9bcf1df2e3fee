/**
 * The signing schema (issue 7 "Signing schema"): roles, sets, threshold, cliques, selection by
 * health, failover, quarantine and presignature pool planning. All pure.
 * `clique.ts` has no dependency and is meant to be shared with the co-signer.
 */
export * from './clique.ts';
export * from './quarantine.ts';
export * from './selection.ts';
export * from './failover.ts';
export * from './presignature-pool.ts';
