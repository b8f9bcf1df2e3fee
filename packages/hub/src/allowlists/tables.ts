/**
 * The allow-list (address book of trusted destinations; issue 7 "Policy engine": destinations
 * "allow-listed or one-time") and its migration `0003_allowlists`. An entry exists only once an
 * owner or admin approved the configuration change that added it; removing one is a change
 * too. The migration also adds `transactions.destination_allowlists`: the allow-lists that
 * contained a transaction's destination when the policy decided it, so later cumulative limits
 * and replays see the same facts. Portable DDL; times are bigints of Unix milliseconds.
 */
import type { Kysely, Migration } from 'kysely';

export interface AllowlistEntriesTable {
  id: string;
  workspace_id: string;
  /** The allow-list's id, as policy rules name it (`{"type":"ALLOWLISTED","lists":[…]}`). */
  list: string;
  /** The asset (or chain) symbol the address is trusted for; null for any asset. */
  asset: string | null;
  /** As given (shown to people). */
  address: string;
  /** The form compared with destinations (allowlists/address.ts). */
  address_key: string;
  label: string;
  /** The approved configuration change that added it. */
  change_id: string;
  requested_by: string;
  approved_by: string;
  created_at: number;
}

declare module '../storage/schema.ts' {
  interface HubDatabase {
    allowlist_entries: AllowlistEntriesTable;
  }
}

export const allowlistMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('allowlist_entries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('list', 'text', (c) => c.notNull())
      .addColumn('asset', 'text')
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('address_key', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('change_id', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('approved_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // NULL assets are distinct in a unique index, so the service checks duplicates itself too.
    await db.schema
      .createIndex('allowlist_entries_unique')
      .on('allowlist_entries')
      .columns(['workspace_id', 'list', 'asset', 'address_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('allowlist_entries_lookup')
      .on('allowlist_entries')
      .columns(['workspace_id', 'address_key'])
      .execute();
    await db.schema
      .alterTable('transactions')
      .addColumn('destination_allowlists', 'text')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('transactions').dropColumn('destination_allowlists').execute();
    await db.schema.dropTable('allowlist_entries').execute();
  },
};
