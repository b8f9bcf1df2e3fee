/**
 * Signing orchestration as a hub extension (src/extensions.ts): vaults, transactions, the
 * signing schema and quarantine, webhooks, and the co-signers' WebSocket relay on the mTLS
 * listener. It brings its migration (`0002_signing`, orchestration/tables.ts) and its RBAC rows,
 * next to the routes they protect.
 */
import type { Access } from '../auth/rbac.ts';
import type { Role } from '../storage/schema.ts';
import type { HubExtension } from '../extensions.ts';
import { createSigningStack } from './stack.ts';
import { signingMigration } from './tables.ts';
import type { SigningOptions, SigningStack } from './stack.ts';
import { registerOrchestrationRoutes } from './routes.ts';
import { registerVaultRoutes } from '../vaults/routes.ts';
import { keyCommitteesMigration } from '../vaults/reshare.ts';
import { registerTransactionRoutes } from '../transactions/routes.ts';
import { registerWebhookRoutes } from '../webhooks/routes.ts';
import { presignaturesMigration } from './presignatures.ts';
import { registerAllowlistRoutes } from '../allowlists/routes.ts';
import { allowlistMigration } from '../allowlists/tables.ts';
import { registerAllowlistAppliers } from '../allowlists/service.ts';
import { createSchemaStore } from './schema-store.ts';
import type { HubContext } from '../context.ts';
import type { ConfigChangeService } from '../config-changes/service.ts';

const EVERYONE: readonly Role[] = ['owner', 'admin', 'signer', 'editor', 'viewer'];
const MANAGERS: readonly Role[] = ['owner', 'admin'];
const EDITORS: readonly Role[] = ['owner', 'admin', 'editor'];
/** Who may submit and cancel transactions. */
const INITIATORS: readonly Role[] = ['owner', 'admin', 'signer'];
/** Who may vote; the policy rule's approval groups then decide whose vote counts. */
const VOTERS: readonly Role[] = ['owner', 'admin', 'signer', 'editor'];

export const SIGNING_ACCESS: Readonly<Record<string, Access>> = Object.freeze({
  'GET /v1/signing-schema': EVERYONE,
  'PUT /v1/signing-schema': MANAGERS,
  'GET /v1/job-signing-key': EVERYONE,
  'GET /v1/quarantine': EVERYONE,
  'POST /v1/quarantine/:id/release': MANAGERS,
  'POST /v1/vaults': MANAGERS,
  'GET /v1/vaults': EVERYONE,
  'GET /v1/vaults/:id': EVERYONE,
  'POST /v1/vaults/:id/refresh': MANAGERS,
  // A reshare hands the key to another committee: a change the owner or an admin approves.
  'POST /v1/vaults/:id/reshare': MANAGERS,
  'GET /v1/vaults/:id/committee': EVERYONE,
  'POST /v1/vaults/:id/accounts': EDITORS,
  'GET /v1/vaults/:id/accounts': EVERYONE,
  'POST /v1/transactions': INITIATORS,
  'GET /v1/transactions': EVERYONE,
  'GET /v1/transactions/:id': EVERYONE,
  'POST /v1/transactions/:id/approve': VOTERS,
  'POST /v1/transactions/:id/reject': VOTERS,
  'POST /v1/transactions/:id/cancel': INITIATORS,
  'POST /v1/webhooks': MANAGERS,
  'GET /v1/webhooks': EVERYONE,
  'DELETE /v1/webhooks/:id': MANAGERS,
  // Editors propose allow-list changes; the owner or an admin approves them.
  'GET /v1/allowlist': EVERYONE,
  'POST /v1/allowlist': EDITORS,
  'DELETE /v1/allowlist/:id': EDITORS,
});

export const SIGNING_MIGRATIONS = Object.freeze({
  '0002_signing': signingMigration,
  '0003_allowlists': allowlistMigration,
  '0004_presignatures': presignaturesMigration,
  '0005_key_committees': keyCommitteesMigration,
});

/** Approved signing-schema and allow-list changes: what applies them. */
export function registerSigningAppliers(ctx: HubContext, changes: ConfigChangeService): void {
  const schemas = createSchemaStore(ctx);
  changes.registerApplier('signing_schema.set', async (c) => {
    await schemas.setSchema(c.workspaceId, c.payload);
  });
  registerAllowlistAppliers(ctx, changes);
}

export interface SigningExtensionOptions extends SigningOptions {
  /** Background refill / refresh period in `hub start`. */
  readonly backgroundIntervalMs?: number;
  /** Receives the stack once built (tests, the CLI). */
  readonly onSetup?: (stack: SigningStack) => void;
}

export function signingExtension(opts: SigningExtensionOptions = {}): HubExtension {
  return {
    name: 'signing',
    migrations: SIGNING_MIGRATIONS,
    access: SIGNING_ACCESS,
    registerChangeAppliers: registerSigningAppliers,
    setup(ctx, services) {
      registerSigningAppliers(ctx, services.changes);
      const stack = createSigningStack(
        ctx,
        { registry: services.registry, changes: services.changes },
        opts,
      );
      opts.onSetup?.(stack);
      return {
        registerRoutes(app) {
          registerOrchestrationRoutes(app, stack);
          registerVaultRoutes(app, stack);
          registerTransactionRoutes(app, stack);
          registerWebhookRoutes(app, stack);
          registerAllowlistRoutes(app, stack.allowlists);
        },
        attachCosignerListener: (server) => stack.attach(server),
        start: () => stack.startBackground(opts.backgroundIntervalMs),
        close: () => stack.close(),
      };
    },
  };
}
