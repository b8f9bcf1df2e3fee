/**
 * The policy engine (TAP) of the hub: the policy document, the deterministic evaluator, the
 * approvals tracker and policy changes as owner-approved configuration changes. All pure.
 * docs/policy-language.md describes the language.
 */
export * from './decimal.ts';
export * from './document.ts';
export * from './request.ts';
export * from './engine.ts';
export * from './approvals.ts';
export * from './diff.ts';
export * from './lifecycle.ts';
