/**
 * The shared API suite on SQLite (in memory). api-postgres.test.ts runs the same suite on a real
 * PostgreSQL server (issue 7 "Storage: one test suite runs against both databases"); they are
 * two files so the test runner can run them in parallel.
 */
import { describe } from 'node:test';
import { apiSuite, rateLimitSuite } from './suites/api.suite.ts';
import { sqliteMemory } from './support/databases.ts';

describe('hub API on SQLite', () => {
  apiSuite(async () => sqliteMemory());
  rateLimitSuite(async () => sqliteMemory());
});
