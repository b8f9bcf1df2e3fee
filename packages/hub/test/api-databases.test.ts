/**
 * One API suite, two databases: SQLite (in memory) and a real PostgreSQL server started for
 * this file (issue 7 "Storage: one test suite runs against both databases").
 */
import { describe, before, after } from 'node:test';
import { apiSuite, rateLimitSuite } from './suites/api.suite.ts';
import { sqliteMemory, startPostgres } from './support/databases.ts';
import type { PostgresCluster } from './support/databases.ts';

describe('hub API on SQLite', () => {
  apiSuite(async () => sqliteMemory());
  rateLimitSuite(async () => sqliteMemory());
});

describe('hub API on PostgreSQL', () => {
  let pg: PostgresCluster | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());
  apiSuite(async () => pg!.newDatabase());
  rateLimitSuite(async () => pg!.newDatabase());
});
