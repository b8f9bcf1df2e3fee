/**
 * The embedded risk rules engine (docs/cosigner-risk.md, "Embedded rules").
 *
 * Deterministic: the decision depends only on the rules, the request, the clock value passed in
 * and the history of admitted requests; rules are checked in a fixed order and the first that
 * refuses decides, naming itself. Order: reject-all, operation allow-list, time window, then for
 * signing: decoded transfers present, asset allow-list, destination allow-list, per-request
 * amount, windowed amount; finally rate limits.
 *
 * `admit` checks and records in one step, so two concurrent requests cannot both take the last
 * unit of a limit; the caller releases the reservation when a later check (callbacks) denies.
 */
import type { Operation, TxSignRequestBody } from '@quorate/callback';
import type { RiskRules, Weekday } from './schema.ts';
import { WEEKDAYS } from './schema.ts';

export type RuleName =
  | 'reject-all'
  | 'operation'
  | 'time-window'
  | 'decoded-transfers'
  | 'asset-allow-list'
  | 'destination-allow-list'
  | 'amount-per-request'
  | 'amount-per-window'
  | 'rate-limit'
  | 'default-approve';

export interface RuleDecision {
  readonly approved: boolean;
  /** The rule that decided (`default-approve` when every rule passed). */
  readonly rule: RuleName;
  readonly reason: string;
}

/** The request as the rules see it (the callback request body, transfers decoded by us). */
export type RiskRequest = Pick<
  TxSignRequestBody,
  'requestId' | 'apiUserId' | 'operation' | 'keyId' | 'participants' | 'threshold' | 'transfers'
>;

interface Admitted {
  readonly id: number;
  readonly at: number;
  readonly operation: Operation;
  readonly apiUserId: string;
  readonly totals: ReadonlyMap<string, bigint>;
}

export interface Admission {
  readonly decision: RuleDecision;
  /** Undo the recording (when a later check denied the operation). No-op if refused. */
  release(): void;
}

const deny = (rule: RuleName, reason: string): RuleDecision => ({ approved: false, rule, reason });
const APPROVED: RuleDecision = Object.freeze({
  approved: true,
  rule: 'default-approve',
  reason: 'every rule passed',
});

/** EVM hex addresses compare case-insensitively (EIP-55 is only a checksum); the rest exactly. */
export function normalizeAddress(a: string): string {
  return /^0x[0-9a-fA-F]+$/.test(a) ? a.toLowerCase() : a;
}

function totalsByAsset(req: RiskRequest): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const t of req.transfers) m.set(t.asset, (m.get(t.asset) ?? 0n) + BigInt(t.amount));
  return m;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function inWindow(
  w: RiskRules['timeWindows'] extends readonly (infer W)[] | undefined ? W : never,
  nowMs: number,
): boolean {
  const local = new Date(nowMs + w.utcOffsetMinutes * 60_000);
  const day = WEEKDAYS[local.getUTCDay()] as Weekday;
  const prevDay = WEEKDAYS[(local.getUTCDay() + 6) % 7] as Weekday;
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  const s = minutes(w.start);
  const e = minutes(w.end);
  if (s < e) return w.days.includes(day) && m >= s && m < e;
  // Spans midnight: the evening part belongs to `day`, the morning part to the day before.
  return (w.days.includes(day) && m >= s) || (w.days.includes(prevDay) && m < e);
}

export class RiskEngine {
  readonly rules: RiskRules;
  #history: Admitted[] = [];
  #nextId = 1;
  readonly #maxWindowMs: number;

  constructor(rules: RiskRules) {
    this.rules = rules;
    const windows = [
      ...rules.rateLimits.map((r) => r.windowSeconds),
      ...rules.amountLimits.flatMap((l) => (l.maxPerWindow ? [l.maxPerWindow.windowSeconds] : [])),
    ];
    this.#maxWindowMs = Math.max(0, ...windows) * 1000;
  }

  /** Pure check against the current history; records nothing. */
  evaluate(req: RiskRequest, nowMs: number): RuleDecision {
    const r = this.rules;
    if (r.rejectAll)
      return deny('reject-all', 'the co-signer is configured to reject every request');

    const op = r.operations[req.operation];
    if (op === undefined) return deny('operation', `operation ${req.operation} is not allowed`);
    if (op.apiUsers && !op.apiUsers.includes(req.apiUserId))
      return deny('operation', `API user ${req.apiUserId} may not ${req.operation}`);
    if (op.keyIds && (req.keyId === undefined || !op.keyIds.includes(req.keyId)))
      return deny('operation', `key ${req.keyId ?? '(none)'} is not allowed for ${req.operation}`);
    if (op.participants) {
      const allowed = op.participants;
      const bad = (req.participants ?? []).find((p) => !allowed.includes(p));
      if (req.participants === undefined || bad !== undefined)
        return deny(
          'operation',
          `participant ${bad ?? '(unknown)'} is not allowed for ${req.operation}`,
        );
    }
    if (op.thresholds && (req.threshold === undefined || !op.thresholds.includes(req.threshold)))
      return deny(
        'operation',
        `threshold ${req.threshold ?? '(none)'} is not allowed for ${req.operation}`,
      );

    if (r.timeWindows && !r.timeWindows.some((w) => inWindow(w, nowMs)))
      return deny('time-window', 'outside every allowed time window');

    if (req.operation === 'sign') {
      const d = this.#checkTransfers(req, nowMs);
      if (d) return d;
    }

    for (const rl of r.rateLimits) {
      const from = nowMs - rl.windowSeconds * 1000;
      const n = this.#history.filter(
        (h) =>
          h.at > from &&
          (rl.operation === undefined || h.operation === rl.operation) &&
          (!rl.perApiUser || h.apiUserId === req.apiUserId),
      ).length;
      const applies = rl.operation === undefined || rl.operation === req.operation;
      if (applies && n + 1 > rl.max)
        return deny(
          'rate-limit',
          `more than ${rl.max} ${rl.operation ?? 'operations'} in ${rl.windowSeconds} s`,
        );
    }
    return APPROVED;
  }

  #checkTransfers(req: RiskRequest, nowMs: number): RuleDecision | undefined {
    const r = this.rules;
    const constrained =
      r.assets !== undefined || r.destinations !== undefined || r.amountLimits.length > 0;
    // Fail closed: with value rules configured, a signature whose effect we could not decode is refused.
    if (constrained && req.transfers.length === 0)
      return deny(
        'decoded-transfers',
        'no decoded transfer to check the asset/destination/amount rules against',
      );
    if (r.assets) {
      const assets = r.assets;
      const bad = req.transfers.find((t) => !assets.includes(t.asset));
      if (bad) return deny('asset-allow-list', `asset ${bad.asset} is not allowed`);
    }
    if (r.destinations) {
      const dests = r.destinations;
      const bad = req.transfers.find(
        (t) =>
          !dests.some(
            (d) =>
              normalizeAddress(d.address) === normalizeAddress(t.destination) &&
              (d.asset === undefined || d.asset === t.asset),
          ),
      );
      if (bad)
        return deny(
          'destination-allow-list',
          `destination ${bad.destination} is not allowed for ${bad.asset}`,
        );
    }
    const totals = totalsByAsset(req);
    for (const l of r.amountLimits) {
      const amount = totals.get(l.asset) ?? 0n;
      if (l.maxPerRequest !== undefined && amount > BigInt(l.maxPerRequest))
        return deny(
          'amount-per-request',
          `${amount} ${l.asset} exceeds ${l.maxPerRequest} per request`,
        );
      if (l.maxPerWindow !== undefined) {
        const from = nowMs - l.maxPerWindow.windowSeconds * 1000;
        const used = this.#history
          .filter((h) => h.at > from)
          .reduce((s, h) => s + (h.totals.get(l.asset) ?? 0n), 0n);
        if (used + amount > BigInt(l.maxPerWindow.amount))
          return deny(
            'amount-per-window',
            `${used} + ${amount} ${l.asset} exceeds ${l.maxPerWindow.amount} per ${l.maxPerWindow.windowSeconds} s`,
          );
      }
    }
    return undefined;
  }

  /** Checks and, when approved, records the request so rate and amount windows count it. */
  admit(req: RiskRequest, nowMs: number): Admission {
    this.#history = this.#history.filter((h) => h.at > nowMs - this.#maxWindowMs);
    const decision = this.evaluate(req, nowMs);
    if (!decision.approved) return { decision, release() {} };
    const id = this.#nextId++;
    this.#history.push({
      id,
      at: nowMs,
      operation: req.operation,
      apiUserId: req.apiUserId,
      totals: totalsByAsset(req),
    });
    return {
      decision,
      release: () => {
        this.#history = this.#history.filter((h) => h.id !== id);
      },
    };
  }
}
