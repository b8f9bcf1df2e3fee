/**
 * The hub's tables as Kysely sees them. Times are integers (Unix milliseconds) so SQLite and
 * PostgreSQL compare them the same way; JSON documents are text columns parsed by the services.
 * The hub stores public keys, certificates and state only — never a key share.
 */
export type Role = 'owner' | 'admin' | 'signer' | 'editor' | 'viewer';
export type UserKind = 'human' | 'api';
export type KeyAlgorithm = 'RS256' | 'ES256' | 'EdDSA';
export type ConfigChangeStatus =
  'WAITING_FOR_APPROVAL' | 'APPROVED' | 'REJECTED' | 'CANCELLED' | 'COMPLETED';
export type ConfigChangeKind =
  | 'cosigner.pair_api_user'
  | 'cosigner.set_callback_handler'
  | 'cosigner.unpair'
  | 'policy.set'
  /** Applied by the signing extension (orchestration/schema-store.ts). */
  | 'signing_schema.set'
  /** Applied by the signing extension (allowlists/service.ts). */
  | 'allowlist.add'
  | 'allowlist.remove'
  /** Applied by the signing extension (vaults/reshare.ts). */
  | 'vault_key.reshare';

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  workspace_id: string;
  name: string;
  kind: UserKind;
  role: Role;
  /** SPKI PEM of the key that signs this user's requests. */
  public_key_pem: string;
  key_algorithm: KeyAlgorithm;
  created_at: number;
  disabled_at: number | null;
}

export interface NoncesTable {
  subject: string;
  nonce: string;
  expires_at: number;
}

export interface IdempotencyKeysTable {
  principal_id: string;
  idem_key: string;
  /** sha256 over method, uri and raw body: a reused key with another request is refused. */
  fingerprint: string;
  state: 'pending' | 'done';
  status_code: number | null;
  response_body: string | null;
  created_at: number;
}

export interface PairingTokensTable {
  jti: string;
  workspace_id: string;
  api_user_id: string;
  created_by: string;
  expires_at: number;
  used_at: number | null;
}

export interface CosignersTable {
  id: string;
  workspace_id: string;
  name: string;
  status: 'active' | 'unpaired';
  certificate_pem: string;
  /** sha256 hex of the DER certificate: how the mTLS listener recognises the co-signer. */
  certificate_fingerprint: string;
  /** Legacy (before migration 0004_callback_handlers): no longer read; see cosigner_callback_handlers. */
  callback_url: string | null;
  callback_public_key_pem: string | null;
  last_seen_at: number | null;
  created_at: number;
}

export interface CosignerApiUsersTable {
  cosigner_id: string;
  api_user_id: string;
}

/** The approved callback handler of one API user on one co-signer (migration 0004_callback_handlers). */
export interface CosignerCallbackHandlersTable {
  cosigner_id: string;
  api_user_id: string;
  url: string;
  public_key_pem: string | null;
  updated_at: number;
}

export interface ConfigChangesTable {
  id: string;
  workspace_id: string;
  kind: ConfigChangeKind;
  target_id: string;
  /** JSON of the change's parameters. */
  payload: string;
  status: ConfigChangeStatus;
  requested_by: string;
  decided_by: string | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface PoliciesTable {
  workspace_id: string;
  version: number;
  /** JSON of the policy document (the policy module validates it). */
  document: string;
  created_at: number;
  change_id: string;
}

export interface AuditTable {
  id: string;
  workspace_id: string;
  actor: string;
  action: string;
  target: string;
  at: number;
}

export interface HubDatabase {
  workspaces: WorkspacesTable;
  users: UsersTable;
  nonces: NoncesTable;
  idempotency_keys: IdempotencyKeysTable;
  pairing_tokens: PairingTokensTable;
  cosigners: CosignersTable;
  cosigner_api_users: CosignerApiUsersTable;
  cosigner_callback_handlers: CosignerCallbackHandlersTable;
  config_changes: ConfigChangesTable;
  policies: PoliciesTable;
  audit: AuditTable;
}
