/** The signing flow suite on a real PostgreSQL server started for this file. */
import { describe, before, after } from 'node:test';
import { signingSuite } from './signing.suite.ts';
import { startPostgres } from '../support/databases.ts';
import type { PostgresCluster } from '../support/databases.ts';

describe('signing flow on PostgreSQL', () => {
  let pg: PostgresCluster | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());
  signingSuite(async () => pg!.newDatabase());
});
