/**
 * Extension points of the hub core, for the features built on it (vaults, transactions,
 * signing orchestration, webhooks): each brings its migrations, its rows of the RBAC table, its
 * routes, and what it mounts on the co-signers' mTLS listener. The core stays free of imports of
 * those features; `hub start` and the tests pass the extensions in. Fail closed: an extension
 * route without an RBAC entry stops the server from starting, like a core route.
 */
import type { Server } from 'node:https';
import type { Migration } from 'kysely';
import type { Access } from './auth/rbac.ts';
import type { HubContext } from './context.ts';
import type { HubApp, HubServices } from './http/server.ts';
import type { ConfigChangeService } from './config-changes/service.ts';
import { signingExtension } from './orchestration/extension.ts';

export interface HubExtensionRuntime {
  /** Registers the extension's routes (each needs an entry in `access`). */
  readonly registerRoutes?: (app: HubApp) => void;
  /** Mounts handlers on the co-signers' mTLS server (e.g. a WebSocket relay on 'upgrade'). */
  readonly attachCosignerListener?: (server: Server) => void;
  /** Starts background work (pool refills, schedules) in `hub start`. */
  readonly start?: () => void;
  readonly close?: () => Promise<void>;
}

export interface HubExtension {
  readonly name: string;
  /** Applied after the core's, in name order; names must not collide with other migrations. */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** RBAC rows of the extension's routes (`METHOD path` → roles). */
  readonly access?: Readonly<Record<string, Access>>;
  /**
   * Registers the appliers of the extension's configuration-change kinds. `setup` does it for a
   * server; an operator command that approves a change (`hub approve`) calls it on its own.
   */
  readonly registerChangeAppliers?: (ctx: HubContext, changes: ConfigChangeService) => void;
  readonly setup?: (
    ctx: HubContext,
    services: HubServices,
  ) => HubExtensionRuntime | Promise<HubExtensionRuntime>;
}

/** The extensions `quorate hub start` loads. Features register themselves here. */
export const DEFAULT_EXTENSIONS: readonly HubExtension[] = [signingExtension()];
