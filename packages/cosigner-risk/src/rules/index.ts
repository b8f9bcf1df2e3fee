/** Embedded risk rules: configuration schema and engine (docs/cosigner-risk.md). */
export * from './schema.ts';
export * from './engine.ts';
