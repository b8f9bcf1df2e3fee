/** Configuration changes of the signing extension on SQLite. */
import { describe } from 'node:test';
import { changesSuite } from './changes.suite.ts';
import { sqliteMemory } from '../support/databases.ts';

describe('signing configuration changes on SQLite', () => {
  changesSuite(async () => sqliteMemory());
});
