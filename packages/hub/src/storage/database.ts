/**
 * Opening the hub's database: SQLite through better-sqlite3 (the embedded default) or
 * PostgreSQL through pg, both behind Kysely, and migrating it to the latest schema.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { Migration, SqliteDatabase } from 'kysely';
import { RecentMap } from '@quorate/runtime/recent';
import type { HubDatabase } from './schema.ts';
import { MIGRATIONS } from './migrations.ts';

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

export type HubDb = Kysely<HubDatabase>;

// PostgreSQL returns bigint (oid 20) as text; our bigints are milliseconds, well inside 2^53.
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === PG_INT8
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser as (o: number, f?: 'text' | 'binary') => unknown)(oid, format),
};

/** Distinct SQL texts whose prepared statements are kept (the hub issues a few hundred). */
const STATEMENT_CACHE = 512;

/**
 * better-sqlite3 behind Kysely, with prepared statements reused by SQL text. Kysely prepares
 * every query afresh, and compiling the SQL was a visible share of the hub's CPU per request;
 * Kysely's SQL for a query shape is the same text every time (values are parameters). A
 * statement still being iterated (`busy`) is not handed out twice: that call gets a fresh one.
 * SQLite recompiles a kept statement itself after a schema change (migrations).
 */
export function reusingStatements(
  sqlite: Database.Database,
  max = STATEMENT_CACHE,
): SqliteDatabase {
  const kept = new RecentMap<string, Database.Statement>(max);
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const s = kept.get(sql);
      if (s !== undefined && !s.busy) return s;
      const fresh = sqlite.prepare(sql);
      if (s === undefined) kept.set(sql, fresh);
      return fresh;
    },
  };
}

export function openDatabase(config: DatabaseConfig): HubDb {
  if (config.kind === 'sqlite') {
    const sqlite = new Database(config.path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return new Kysely<HubDatabase>({
      dialect: new SqliteDialect({ database: reusingStatements(sqlite) }),
    });
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 10,
    types: pgTypes as unknown as pg.CustomTypesConfig,
  });
  return new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Applies every pending migration (the core's, then the extensions'); throws with the failing
 * migration's name. Migrations come from code, not a folder, so any working directory works.
 */
export async function migrateToLatest(
  db: HubDb,
  extra: readonly Readonly<Record<string, Migration>>[] = [],
): Promise<readonly string[]> {
  const all: Record<string, Migration> = { ...MIGRATIONS };
  for (const set of extra)
    for (const [name, m] of Object.entries(set)) {
      if (name in all) throw new Error(`two migrations are named ${name}`);
      all[name] = m;
    }
  // Core and extension migrations interleave by name, and `hub init` runs the core's alone: a
  // core migration added later (or an extension enabled later) may sort before one already run.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => all },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (results ?? []).map((r) => r.migrationName);
}

/** True when `e` is a unique/primary-key violation in either database. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
