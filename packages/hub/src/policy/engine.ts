/**
 * The policy engine (TAP; issue 7 "Policy engine"; SYSTEM.md "Main flows" step 4: "the policy
 * engine decides (allow / block / needs approvals, designated signer)").
 *
 * Deterministic and pure: rules are tried in order, the first rule whose every condition holds
 * decides, and the decision names it. When no rule matches, the transaction is blocked (default
 * deny). The time and the history of earlier transactions are inputs, so a decision can be
 * replayed exactly from what the hub stored.
 */
import { fromUnits, toUnits } from './decimal.ts';
import type { ApprovalRequirement, Policy, PolicyRule, Principal } from './document.ts';
import { PolicyValidationError } from './document.ts';
import type { HistoryEntry, PolicyRequest } from './request.ts';
import { parseHistory, parsePolicyRequest } from './request.ts';

/** The conditions of a rule, in the order they are checked. */
export const MATCHERS = [
  'operation',
  'initiator',
  'source',
  'destination',
  'asset',
  'amount',
  'cumulative',
] as const;
export type Matcher = (typeof MATCHERS)[number];

export interface RuleRef {
  readonly id: string;
  /** Position in the policy, from 0. */
  readonly index: number;
}

/** A rule tried before the winner and the first of its conditions that did not hold. */
export interface Skipped {
  readonly rule: RuleRef;
  readonly failed: Matcher;
}

export interface CumulativeTotal {
  /** Earlier amounts in the window plus this transaction's, canonical decimal string. */
  readonly total: string;
  /** How many earlier transactions counted. */
  readonly counted: number;
  readonly windowSeconds: number;
}

interface DecisionBase {
  readonly policyVersion: number;
  /** Rules tried before the deciding one (all rules for a default deny). */
  readonly skipped: readonly Skipped[];
  /** The deciding rule's cumulative total, when it has a cumulative condition. */
  readonly cumulative?: CumulativeTotal;
}

export type PolicyDecision =
  | (DecisionBase & {
      readonly action: 'ALLOW';
      readonly rule: RuleRef;
      readonly signer: Principal;
    })
  | (DecisionBase & {
      readonly action: 'REQUIRE_APPROVAL';
      readonly rule: RuleRef;
      readonly signer: Principal;
      readonly approvals: ApprovalRequirement;
    })
  | (DecisionBase & {
      readonly action: 'BLOCK';
      /** null when no rule matched. */
      readonly rule: RuleRef | null;
      readonly defaultDeny: boolean;
    });

interface EvaluationContext {
  /** Unix ms, the moment of the decision. */
  readonly now: number;
  /** Earlier transactions, validated on first use: only a cumulative condition needs them. */
  readonly history: () => readonly HistoryEntry[];
}

type Check = { ok: true; cumulative?: CumulativeTotal } | { ok: false; failed: Matcher };

function anyOf<T>(list: readonly T[] | undefined, pred: (x: T) => boolean): boolean {
  return list !== undefined && list.some(pred);
}

/** The conditions that do not depend on amounts: also used to pick the history that counts. */
function matchesShape(rule: PolicyRule, tx: PolicyRequest): Matcher | null {
  if (rule.operations && !rule.operations.includes(tx.operation)) return 'operation';
  const who = rule.initiator;
  if (who) {
    const i = tx.initiator;
    const hit =
      (i.type === 'USER' && anyOf(who.users, (u) => u === i.id)) ||
      (i.type === 'API_USER' && anyOf(who.apiUsers, (u) => u === i.id)) ||
      anyOf(who.groups, (g) => i.groups.includes(g));
    if (!hit) return 'initiator';
  }
  const src = rule.source;
  if (src) {
    const hit =
      anyOf(src.vaults, (v) => v === tx.source.vaultId) ||
      anyOf(src.accounts, (a) => a === tx.source.accountId);
    if (!hit) return 'source';
  }
  const dst = rule.destination;
  if (dst && dst.type !== 'ANY') {
    const d = tx.destination;
    if (d === undefined) return 'destination';
    if (dst.type === 'ONE_TIME' && d.allowlists.length > 0) return 'destination';
    if (dst.type === 'ALLOWLISTED') {
      const lists = dst.lists;
      const hit =
        lists === undefined ? d.allowlists.length > 0 : d.allowlists.some((l) => lists.includes(l));
      if (!hit) return 'destination';
    }
  }
  if (rule.assets && (tx.asset === undefined || !rule.assets.includes(tx.asset))) return 'asset';
  return null;
}

function within(units: bigint, min: string | undefined, max: string | undefined): boolean {
  return (
    (min === undefined || units >= toUnits(min)) && (max === undefined || units <= toUnits(max))
  );
}

function sameScope(
  scope: 'INITIATOR' | 'SOURCE' | 'RULE',
  a: PolicyRequest,
  b: PolicyRequest,
): boolean {
  switch (scope) {
    case 'INITIATOR':
      return a.initiator.type === b.initiator.type && a.initiator.id === b.initiator.id;
    case 'SOURCE':
      return a.source.vaultId === b.source.vaultId && a.source.accountId === b.source.accountId;
    case 'RULE':
      return true;
  }
}

function checkRule(rule: PolicyRule, tx: PolicyRequest, ctx: EvaluationContext): Check {
  const shape = matchesShape(rule, tx);
  if (shape !== null) return { ok: false, failed: shape };
  if (rule.amount) {
    if (tx.amount === undefined) return { ok: false, failed: 'amount' };
    if (!within(toUnits(tx.amount), rule.amount.min, rule.amount.max))
      return { ok: false, failed: 'amount' };
  }
  const cum = rule.cumulative;
  if (!cum) return { ok: true };
  if (tx.amount === undefined) return { ok: false, failed: 'cumulative' };
  // Rolling window (now - window, now]: an entry exactly `window` old no longer counts. Entries
  // stamped after `now` (clock skew between hub nodes) still count: it is the cautious side for
  // a maximum.
  const start = ctx.now - cum.windowSeconds * 1000;
  let total = toUnits(tx.amount);
  let counted = 0;
  for (const e of ctx.history()) {
    if (e.at <= start || e.amount === undefined || e.asset !== tx.asset) continue;
    if (!sameScope(cum.scope, e, tx) || matchesShape(rule, e) !== null) continue;
    total += toUnits(e.amount);
    counted++;
  }
  const cumulative = { total: fromUnits(total), counted, windowSeconds: cum.windowSeconds };
  if (!within(total, cum.min, cum.max)) return { ok: false, failed: 'cumulative' };
  return { ok: true, cumulative };
}

function resolveSigner(rule: PolicyRule, tx: PolicyRequest): Principal {
  const s = rule.signer;
  // parsePolicy guarantees ALLOW and REQUIRE_APPROVAL rules have a signer.
  if (s === undefined) throw new Error(`bug: rule ${rule.id} has no signer`);
  return s.type === 'INITIATOR'
    ? { type: tx.initiator.type, id: tx.initiator.id }
    : { type: s.type, id: s.id };
}

/**
 * Decides a transaction request. `policy` must come from `parsePolicy`; the request and history
 * are validated here (a {@link PolicyValidationError} names the bad field). The history is
 * validated only when a rule's cumulative condition is reached.
 */
export function evaluatePolicy(
  policy: Policy,
  request: unknown,
  ctx: { readonly now: number; readonly history: readonly unknown[] },
): PolicyDecision {
  if (!Number.isSafeInteger(ctx.now) || ctx.now < 0)
    throw new PolicyValidationError('now', 'expected Unix time in milliseconds');
  const tx = parsePolicyRequest(request);
  let history: readonly HistoryEntry[] | undefined;
  const lazyHistory = (): readonly HistoryEntry[] => (history ??= parseHistory(ctx.history));
  const skipped: Skipped[] = [];
  for (const [index, rule] of policy.rules.entries()) {
    const ref = Object.freeze({ id: rule.id, index });
    const r = checkRule(rule, tx, { now: ctx.now, history: lazyHistory });
    if (!r.ok) {
      skipped.push(Object.freeze({ rule: ref, failed: r.failed }));
      continue;
    }
    const base = {
      policyVersion: policy.version,
      skipped: Object.freeze(skipped),
      ...(r.cumulative ? { cumulative: Object.freeze(r.cumulative) } : {}),
    };
    switch (rule.action) {
      case 'ALLOW':
        return Object.freeze({
          ...base,
          action: 'ALLOW',
          rule: ref,
          signer: Object.freeze(resolveSigner(rule, tx)),
        });
      case 'BLOCK':
        return Object.freeze({ ...base, action: 'BLOCK', rule: ref, defaultDeny: false });
      case 'REQUIRE_APPROVAL': {
        const approvals = rule.approvals;
        if (approvals === undefined) throw new Error(`bug: rule ${rule.id} has no approvals`);
        return Object.freeze({
          ...base,
          action: 'REQUIRE_APPROVAL',
          rule: ref,
          signer: Object.freeze(resolveSigner(rule, tx)),
          approvals,
        });
      }
    }
  }
  return Object.freeze({
    policyVersion: policy.version,
    skipped: Object.freeze(skipped),
    action: 'BLOCK',
    rule: null,
    defaultDeny: true,
  });
}

/** One line for the transition record: which rule decided and how. */
export function describeDecision(d: PolicyDecision): string {
  if (d.rule === null) return `policy v${d.policyVersion}: no rule matched (default deny)`;
  const who = d.action === 'BLOCK' ? '' : `, signer ${d.signer.type} ${d.signer.id}`;
  return `policy v${d.policyVersion} rule #${d.rule.index} ${d.rule.id}: ${d.action}${who}`;
}

/**
 * How far back the history must reach for `policy` (ms): the longest cumulative window, 0 when
 * no rule has one. The hub queries only `at > now - historyWindowMs(policy)` (and, at most, the
 * request's asset), which keeps evaluation cheap.
 */
export function historyWindowMs(policy: Policy): number {
  return policy.rules.reduce((ms, r) => Math.max(ms, (r.cumulative?.windowSeconds ?? 0) * 1000), 0);
}
