/**
 * Schema migrations, applied in name order by Kysely's Migrator. Portable DDL only (SQLite and
 * PostgreSQL run the same statements); times are bigints of Unix milliseconds. Never edit a
 * migration that has shipped: add a new one.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('workspaces')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('public_key_pem', 'text', (c) => c.notNull())
      .addColumn('key_algorithm', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('users_workspace_name')
      .on('users')
      .columns(['workspace_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createTable('nonces')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('nonces_pk', ['subject', 'nonce'])
      .execute();
    await db.schema.createIndex('nonces_expiry').on('nonces').column('expires_at').execute();
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('idem_key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('response_body', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal_id', 'idem_key'])
      .execute();
    await db.schema
      .createTable('pairing_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('api_user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createTable('cosigners')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('certificate_fingerprint', 'text', (c) => c.notNull().unique())
      .addColumn('callback_url', 'text')
      .addColumn('callback_public_key_pem', 'text')
      .addColumn('last_seen_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('cosigner_api_users')
      .addColumn('cosigner_id', 'text', (c) => c.notNull().references('cosigners.id'))
      .addColumn('api_user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('cosigner_api_users_pk', ['cosigner_id', 'api_user_id'])
      .execute();
    await db.schema
      .createTable('config_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('policies')
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('change_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policies_pk', ['workspace_id', 'version'])
      .execute();
    await db.schema
      .createTable('audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of [
      'audit',
      'policies',
      'config_changes',
      'cosigner_api_users',
      'cosigners',
      'pairing_tokens',
      'idempotency_keys',
      'nonces',
      'users',
      'workspaces',
    ])
      await db.schema.dropTable(t).execute();
  },
};

/**
 * Callback handlers per (co-signer, API user) (issue 6: "every callback handler configured for
 * the API user"). The one handler a co-signer had applied to every job, so it becomes the handler
 * of each API user paired with it; the old columns of `cosigners` are no longer read.
 */
const callbackHandlers: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('cosigner_callback_handlers')
      .addColumn('cosigner_id', 'text', (c) => c.notNull().references('cosigners.id'))
      .addColumn('api_user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('public_key_pem', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('cosigner_callback_handlers_pk', ['cosigner_id', 'api_user_id'])
      .execute();
    await sql`insert into cosigner_callback_handlers
        (cosigner_id, api_user_id, url, public_key_pem, updated_at)
      select c.id, u.api_user_id, c.callback_url, c.callback_public_key_pem, c.created_at
      from cosigners c join cosigner_api_users u on u.cosigner_id = c.id
      where c.callback_url is not null`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('cosigner_callback_handlers').execute();
  },
};

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': initial,
  '0004_callback_handlers': callbackHandlers,
});
