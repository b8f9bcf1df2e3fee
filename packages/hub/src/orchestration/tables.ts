/**
 * Tables of signing orchestration, vaults, transactions and webhooks (issue 7 "Signing schema",
 * "Vaults", "Transactions", "Orchestration"), and their migration `0002_signing`. The types are
 * merged into the hub's Kysely schema by module augmentation, so storage/schema.ts stays as
 * hub-core wrote it. Portable DDL only; times are bigints of Unix milliseconds; JSON documents
 * are text. Nothing here is a key share: public keys, paths, digests, signatures and state.
 */
import type { Kysely, Migration } from 'kysely';

export type KeyAlgorithmName = 'ecdsa-secp256k1' | 'eddsa-ed25519' | 'schnorr-bip340';
export type JobKind = 'keygen' | 'aux-info' | 'presign' | 'sign' | 'refresh' | 'reshare' | 'toy';
export type JobStatus = 'RUNNING' | 'DONE' | 'FAILED' | 'ABORTED' | 'TIMEOUT' | 'REFUSED';

export interface SigningSchemasTable {
  workspace_id: string;
  version: number;
  /** JSON of the validated signing schema (signing-schema/clique.ts). */
  document: string;
  created_at: number;
}

export interface CosignerIdentitiesTable {
  cosigner_id: string;
  /** Ed25519 public key, hex: the co-signer's E2E signing identity, from its first hello. */
  signing_key: string;
  /** X25519 public key, hex. */
  encryption_key: string;
  first_seen_at: number;
}

export interface VaultKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  algorithm: KeyAlgorithmName;
  status: 'CREATING' | 'ACTIVE' | 'FAILED';
  public_key: string | null;
  chain_code: string | null;
  schema_version: number;
  threshold: number;
  refresh_interval_ms: number | null;
  last_refresh_at: number | null;
  created_at: number;
}

export interface VaultAccountsTable {
  id: string;
  workspace_id: string;
  key_id: string;
  name: string;
  /** Non-hardened path below the MPC root, e.g. m/44/60/0/0/0; the co-signers derive. */
  path: string;
  public_key: string;
  address: string;
  created_at: number;
}

export interface TransactionsTable {
  id: string;
  workspace_id: string;
  key_id: string;
  account_id: string;
  kind: string;
  operation: string;
  asset: string | null;
  amount: string | null;
  destination: string | null;
  digest: string;
  raw_kind: string | null;
  raw_data: string | null;
  note: string | null;
  status: string;
  initiator_id: string;
  initiator_type: 'USER' | 'API_USER';
  /** JSON of the policy decision. */
  decision: string | null;
  signer_type: string | null;
  signer_id: string | null;
  /** JSON of the approval requirement, when the policy asked for approvals. */
  approvals: string | null;
  /** JSON of the verified signature output. */
  signature: string | null;
  /** JSON list of the allow-lists holding the destination at submission (0003_allowlists). */
  destination_allowlists: string | null;
  created_at: number;
  updated_at: number;
}

export interface TransactionTransitionsTable {
  transaction_id: string;
  seq: number;
  from_status: string;
  to_status: string;
  event: string;
  reason: string;
  actor_type: string;
  actor_id: string;
  at: number;
}

export interface TransactionVotesTable {
  transaction_id: string;
  approver: string;
  vote: 'APPROVE' | 'REJECT';
  at: number;
}

export interface JobsTable {
  id: string;
  workspace_id: string;
  kind: JobKind;
  algorithm: string;
  key_id: string | null;
  transaction_id: string | null;
  session_id: string;
  clique_key: string;
  /** JSON of the participants as sent. */
  participants: string;
  status: JobStatus;
  /** Why it ended, when it did not succeed (never a secret). */
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface QuarantineTable {
  cosigner_id: string;
  workspace_id: string;
  party: number;
  session_id: string;
  reason: string;
  /** JSON list of evidence message ids. */
  evidence: string;
  since: number;
}

export interface PresignaturePoolsTable {
  key_id: string;
  clique_key: string;
  workspace_id: string;
  ready: number;
  generating: number;
}

export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  /** HMAC-SHA256 key, shown once at creation; stored sealed (storage/sealed.ts, AAD = id). */
  secret: string;
  created_at: number;
  disabled_at: number | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  workspace_id: string;
  event: string;
  payload: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  last_status: number | null;
  created_at: number;
  updated_at: number;
}

declare module '../storage/schema.ts' {
  interface HubDatabase {
    signing_schemas: SigningSchemasTable;
    cosigner_identities: CosignerIdentitiesTable;
    vault_keys: VaultKeysTable;
    vault_accounts: VaultAccountsTable;
    transactions: TransactionsTable;
    transaction_transitions: TransactionTransitionsTable;
    transaction_votes: TransactionVotesTable;
    jobs: JobsTable;
    quarantine: QuarantineTable;
    presignature_pools: PresignaturePoolsTable;
    webhooks: WebhooksTable;
    webhook_deliveries: WebhookDeliveriesTable;
  }
}

const TABLES = [
  'webhook_deliveries',
  'webhooks',
  'presignature_pools',
  'quarantine',
  'jobs',
  'transaction_votes',
  'transaction_transitions',
  'transactions',
  'vault_accounts',
  'vault_keys',
  'cosigner_identities',
  'signing_schemas',
];

export const signingMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('signing_schemas')
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('signing_schemas_pk', ['workspace_id', 'version'])
      .execute();
    await s
      .createTable('cosigner_identities')
      .addColumn('cosigner_id', 'text', (c) => c.primaryKey().references('cosigners.id'))
      .addColumn('signing_key', 'text', (c) => c.notNull())
      .addColumn('encryption_key', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('vault_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text')
      .addColumn('chain_code', 'text')
      .addColumn('schema_version', 'integer', (c) => c.notNull())
      .addColumn('threshold', 'integer', (c) => c.notNull())
      .addColumn('refresh_interval_ms', 'bigint')
      .addColumn('last_refresh_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('vault_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull().references('vault_keys.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('vault_accounts_key_path')
      .on('vault_accounts')
      .columns(['key_id', 'path'])
      .unique()
      .execute();
    await s
      .createTable('transactions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('asset', 'text')
      .addColumn('amount', 'text')
      .addColumn('destination', 'text')
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('raw_kind', 'text')
      .addColumn('raw_data', 'text')
      .addColumn('note', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('initiator_id', 'text', (c) => c.notNull())
      .addColumn('initiator_type', 'text', (c) => c.notNull())
      .addColumn('decision', 'text')
      .addColumn('signer_type', 'text')
      .addColumn('signer_id', 'text')
      .addColumn('approvals', 'text')
      .addColumn('signature', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('transactions_workspace_created')
      .on('transactions')
      .columns(['workspace_id', 'created_at'])
      .execute();
    await s
      .createTable('transaction_transitions')
      .addColumn('transaction_id', 'text', (c) => c.notNull().references('transactions.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('from_status', 'text', (c) => c.notNull())
      .addColumn('to_status', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('transaction_transitions_pk', ['transaction_id', 'seq'])
      .execute();
    await s
      .createTable('transaction_votes')
      .addColumn('transaction_id', 'text', (c) => c.notNull().references('transactions.id'))
      .addColumn('approver', 'text', (c) => c.notNull())
      .addColumn('vote', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('transaction_votes_pk', ['transaction_id', 'approver'])
      .execute();
    await s
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('transaction_id', 'text')
      .addColumn('session_id', 'text', (c) => c.notNull().unique())
      .addColumn('clique_key', 'text', (c) => c.notNull())
      .addColumn('participants', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await s
      .createTable('quarantine')
      .addColumn('cosigner_id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('party', 'integer', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('presignature_pools')
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('clique_key', 'text', (c) => c.notNull())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('ready', 'integer', (c) => c.notNull())
      .addColumn('generating', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('presignature_pools_pk', ['key_id', 'clique_key'])
      .execute();
    await s
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .execute();
    await s
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_status', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of TABLES) await db.schema.dropTable(t).execute();
  },
};
