/**
 * Assembles signing orchestration for one hub process: the relay (co-signer WebSocket endpoint),
 * the coordinator (cliques, failover, quarantine), presignature pools, vaults, transactions and
 * webhooks. `attach` mounts the relay on the mTLS listener; `startBackground` runs the pool refill,
 * the refresh schedule and the recovery sweep (orchestration/recovery.ts); `close` stops them.
 */
import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:https';
import type { HubContext } from '../context.ts';
import type { CosignerRegistry } from '../cosigners/registry.ts';
import type { ConfigChangeService } from '../config-changes/service.ts';
import type { RefillPolicy } from '../signing-schema/index.ts';
import { createJobSigner, deriveJobSigningKey } from './authorization.ts';
import { createCoordinator, DEFAULT_COORDINATOR_OPTIONS } from './coordinator.ts';
import type { CoordinatorOptions } from './coordinator.ts';
import { createPresignaturePools, DEFAULT_REFILL_POLICY } from './presignatures.ts';
import { createRelay } from './relay.ts';
import type { RelayOptions } from './relay.ts';
import { createVaultService } from '../vaults/service.ts';
import { createTransactionService } from '../transactions/service.ts';
import { createWebhookService, DEFAULT_WEBHOOK_OPTIONS } from '../webhooks/service.ts';
import type { WebhookOptions } from '../webhooks/service.ts';
import { createAllowlistService } from '../allowlists/service.ts';
import { createRecovery } from './recovery.ts';

/** How long `hub start` waits for co-signers to reconnect before resuming lost signings. */
export const RECONNECT_GRACE_MS = 15_000;

export interface SigningOptions {
  /** P-256 key that signs job authorizations; derived from the pairing key when absent. */
  readonly jobSigningKey?: KeyObject;
  readonly coordinator?: Partial<CoordinatorOptions>;
  readonly refill?: RefillPolicy;
  readonly webhooks?: Partial<WebhookOptions>;
  readonly relay?: RelayOptions;
}

export function createSigningStack(
  ctx: HubContext,
  deps: { readonly registry: CosignerRegistry; readonly changes: ConfigChangeService },
  opts: SigningOptions = {},
) {
  const jobSigner = createJobSigner(
    opts.jobSigningKey ?? deriveJobSigningKey(ctx.pairingKey.privateKey),
  );
  const relay = createRelay(ctx, deps.registry, opts.relay ?? {});
  const coordinator = createCoordinator(ctx, relay, jobSigner, {
    ...DEFAULT_COORDINATOR_OPTIONS,
    ...opts.coordinator,
  });
  const pools = createPresignaturePools(
    ctx,
    coordinator,
    opts.refill ?? ctx.settings.presignaturePool ?? DEFAULT_REFILL_POLICY,
  );
  const webhooks = createWebhookService(ctx, { ...DEFAULT_WEBHOOK_OPTIONS, ...opts.webhooks });
  const vaults = createVaultService(ctx, coordinator);
  const allowlists = createAllowlistService(ctx, deps.changes);
  const transactions = createTransactionService({
    ctx,
    changes: deps.changes,
    allowlists,
    vaults,
    coordinator,
    relay,
    pools,
    webhooks,
  });
  const coordinatorOptions = { ...DEFAULT_COORDINATOR_OPTIONS, ...opts.coordinator };
  const recovery = createRecovery(
    ctx,
    { relay, transactions },
    { jobTimeoutMs: coordinatorOptions.jobTimeoutMs, marginMs: 60_000 },
  );
  let refreshTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let startupTimer: NodeJS.Timeout | undefined;
  let closed = false;
  return {
    changes: deps.changes,
    jobSigner,
    relay,
    coordinator,
    pools,
    webhooks,
    vaults,
    allowlists,
    transactions,
    recovery,
    attach(server: Server): void {
      relay.attach(server);
    },
    /** Pool refill and the refresh schedule, every `intervalMs`. */
    startBackground(intervalMs = 30_000): void {
      void webhooks.sealPlaintextSecrets().catch(() => undefined);
      // What a previous process left RUNNING is swept once the co-signers had time to reconnect
      // (they retry every few seconds), so the new attempts find them online; then periodically.
      const startupMs = Math.min(intervalMs, RECONNECT_GRACE_MS);
      // hub.json `presignaturePool.refillIntervalSeconds` sets the refill period on its own. The
      // startup sweep zeroes every pool's `generating` (jobs of a dead process): a refill started
      // before it would have its jobs zeroed too and their completions would drive the count
      // negative (the planner then refuses the pool for good), so a refill period shorter than
      // the sweep's delay starts after the sweep.
      const refillMs = ctx.settings.presignaturePool?.refillIntervalMs ?? intervalMs;
      const afterSweep = refillMs < startupMs;
      startupTimer = setTimeout(
        () =>
          void recovery
            .sweep({ startup: true })
            .catch(() => undefined)
            .finally(() => {
              if (afterSweep && !closed) pools.start(refillMs);
            }),
        startupMs,
      );
      startupTimer.unref();
      sweepTimer = setInterval(() => void recovery.sweep().catch(() => undefined), intervalMs);
      sweepTimer.unref();
      if (!afterSweep) pools.start(refillMs);
      refreshTimer = setInterval(() => void vaults.refreshDue().catch(() => undefined), intervalMs);
      refreshTimer.unref();
    },
    async close(): Promise<void> {
      closed = true;
      pools.stop();
      clearInterval(refreshTimer);
      clearInterval(sweepTimer);
      clearTimeout(startupTimer);
      webhooks.close();
      await relay.close();
    },
  };
}

export type SigningStack = ReturnType<typeof createSigningStack>;
