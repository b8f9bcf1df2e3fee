/**
 * Example decision rules for a callback handler (docs/callback-protocol.md, "Example server"):
 * a destination allow-list and a daily limit per asset. They show the shape of a handler's
 * policy; a real handler would keep its counters in a database shared by its replicas.
 *
 * Rules are evaluated in order; the first that does not APPROVE decides. The daily limit counts
 * an amount only once every rule has approved, so a rejected request never uses up the budget.
 */
import type { Decision } from '../sdk.ts';
import type { ConfigChangeRequest, TxSignRequest } from '../protocol.ts';

export interface TxRule {
  readonly name: string;
  check(req: TxSignRequest): Decision;
  /** Called once the whole chain approved (to record spending). */
  commit?(req: TxSignRequest): void;
}

const approve: Decision = { action: 'APPROVE' };
const reject = (rejectionReason: string): Decision => ({ action: 'REJECT', rejectionReason });

/** Hex addresses (EVM) compare case-insensitively; every other form exactly. */
export function normalizeAddress(a: string): string {
  return /^0x[0-9a-fA-F]+$/.test(a) ? a.toLowerCase() : a;
}

export function destinationAllowList(addresses: readonly string[]): TxRule {
  const allowed = new Set(addresses.map(normalizeAddress));
  return {
    name: 'destination-allow-list',
    check(req) {
      for (const t of req.transfers)
        if (!allowed.has(normalizeAddress(t.destination)))
          return reject(`destination ${t.destination} is not on the allow-list`);
      return approve;
    },
  };
}

/** The UTC calendar day of a millisecond timestamp, e.g. "2025-01-31". */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function dailyLimit(opts: {
  readonly asset: string;
  /** Base units, as a decimal string or bigint. */
  readonly limit: string | bigint;
  readonly now?: () => number;
}): TxRule & { spentToday(): bigint } {
  const limit = BigInt(opts.limit);
  const now = opts.now ?? Date.now;
  let day = '';
  let spent = 0n;
  const roll = () => {
    const d = utcDay(now());
    if (d !== day) {
      day = d;
      spent = 0n;
    }
  };
  const amountOf = (req: TxSignRequest) =>
    req.transfers.filter((t) => t.asset === opts.asset).reduce((s, t) => s + BigInt(t.amount), 0n);
  return {
    name: `daily-limit:${opts.asset}`,
    check(req) {
      roll();
      const amount = amountOf(req);
      if (spent + amount > limit)
        return reject(
          `daily limit of ${limit} ${opts.asset} exceeded (spent ${spent}, asked ${amount})`,
        );
      return approve;
    },
    commit(req) {
      roll();
      spent += amountOf(req);
    },
    spentToday() {
      roll();
      return spent;
    },
  };
}

/** Runs the rules in order; commits every rule once all approved. Non-sign operations approve. */
export function ruleChain(rules: readonly TxRule[]): (req: TxSignRequest) => Decision {
  return (req) => {
    if (req.operation !== 'sign') return approve;
    for (const r of rules) {
      const d = r.check(req);
      if (d.action !== 'APPROVE') return d;
    }
    for (const r of rules) r.commit?.(req);
    return approve;
  };
}

/**
 * Configuration changes (a key's refresh or reshare) are approved only for the listed change
 * types, e.g. `REFRESH_KEY`, `RESHARE_KEY`; anything else, or an empty list, is rejected.
 */
export function configChangeAllowList(
  changeTypes: readonly string[],
): (req: ConfigChangeRequest) => Decision {
  const allowed = new Set(changeTypes);
  return (req) =>
    allowed.has(req.changeType)
      ? approve
      : reject(`configuration change ${req.changeType} is not approved by this handler`);
}
