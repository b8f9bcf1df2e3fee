/** Configuration changes of the signing extension on a real PostgreSQL server started here. */
import { describe, before, after } from 'node:test';
import { changesSuite } from './changes.suite.ts';
import { startPostgres } from '../support/databases.ts';
import type { PostgresCluster } from '../support/databases.ts';

describe('signing configuration changes on PostgreSQL', () => {
  let pg: PostgresCluster | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());
  changesSuite(async () => pg!.newDatabase());
});
