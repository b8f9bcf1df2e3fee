/**
 * @quorate/cosigner-risk — what the co-signer checks before it joins a protocol, and what it
 * records (docs/cosigner-risk.md): embedded rules, callback client, combined decision, digest
 * check, hash-chained audit log, metrics.
 */
export * from './rules/index.ts';
export * from './callback/client.ts';
export * from './digest/index.ts';
export * from './audit/index.ts';
export * from './metrics/index.ts';
export * from './decision.ts';
