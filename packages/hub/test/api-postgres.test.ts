/**
 * The shared API suite on a real PostgreSQL server that this file starts (initdb + pg_ctl on
 * 127.0.0.1, a free port, a temporary directory) and stops afterwards.
 */
import { describe, before, after } from 'node:test';
import { apiSuite, rateLimitSuite } from './suites/api.suite.ts';
import { startPostgres } from './support/databases.ts';
import type { PostgresCluster } from './support/databases.ts';

describe('hub API on PostgreSQL', () => {
  let pg: PostgresCluster | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());
  apiSuite(async () => pg!.newDatabase());
  rateLimitSuite(async () => pg!.newDatabase());
});
