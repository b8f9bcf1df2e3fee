/** The signing flow suite on SQLite. */
import { describe } from 'node:test';
import { signingSuite } from './signing.suite.ts';
import { sqliteMemory } from '../support/databases.ts';

describe('signing flow on SQLite', () => {
  signingSuite(async () => sqliteMemory());
});
