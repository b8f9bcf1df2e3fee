/**
 * Policy changes (issue 7: "changing the policy needs the owner's approval"; SYSTEM.md "Main
 * flows" step 2: configuration changes). A new policy never takes effect directly: it becomes a
 * configuration-change request that the hub stores as WAITING_FOR_APPROVAL and the workspace
 * owner approves. The request carries a readable diff (what the owner is asked to approve) and
 * the digest of the exact document, so what is applied is exactly what was approved, and a
 * change prepared against an older version cannot be applied over a newer one.
 */
import { createHash } from 'node:crypto';
import type { Policy, PolicyRule, Principal } from './document.ts';
import { parsePolicy, PolicyValidationError } from './document.ts';

export interface RuleLine {
  readonly id: string;
  readonly index: number;
  readonly summary: string;
}

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface PolicyDiff {
  readonly fromVersion: number | null;
  readonly toVersion: number;
  readonly added: readonly RuleLine[];
  readonly removed: readonly RuleLine[];
  readonly changed: readonly { readonly id: string; readonly changes: readonly FieldChange[] }[];
  /** Rules kept whose order relative to the other kept rules changed (first match wins!). */
  readonly moved: readonly { readonly id: string; readonly from: number; readonly to: number }[];
  readonly descriptionChanged: boolean;
  /** Human-readable lines, in the order above. */
  readonly lines: readonly string[];
}

/** JSON with sorted keys: one byte string per value, for digests and comparisons. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (typeof x === 'object' && x !== null)
    return `{${Object.keys(x)
      .sort()
      .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(x);
}

/** sha256 of the canonical JSON of a policy, hex. */
export function policyDigest(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

const list = (xs: readonly string[] | undefined): string => (xs ? xs.join(',') : '');

/** One line per rule, e.g. `#0 small: ALLOW TRANSFER by apiUsers[bot] asset ETH amount ≤ 1 → signer API_USER bot`. */
export function summarizeRule(rule: PolicyRule, index: number): string {
  const parts: string[] = [`#${index} ${rule.id}: ${rule.action}`];
  parts.push(rule.operations ? rule.operations.join('|') : 'any operation');
  if (rule.initiator) {
    const w = rule.initiator;
    const who = [
      w.users && `users[${list(w.users)}]`,
      w.apiUsers && `apiUsers[${list(w.apiUsers)}]`,
      w.groups && `groups[${list(w.groups)}]`,
    ].filter(Boolean);
    parts.push(`by ${who.join(' or ')}`);
  }
  if (rule.source) {
    const s = rule.source;
    const from = [
      s.vaults && `vaults[${list(s.vaults)}]`,
      s.accounts && `accounts[${list(s.accounts)}]`,
    ];
    parts.push(`from ${from.filter(Boolean).join(' or ')}`);
  }
  if (rule.destination) {
    const d = rule.destination;
    parts.push(
      d.type === 'ALLOWLISTED'
        ? `to ALLOWLISTED${d.lists ? `[${list(d.lists)}]` : ''}`
        : `to ${d.type}`,
    );
  }
  if (rule.assets) parts.push(`asset ${rule.assets.join('|')}`);
  if (rule.amount) {
    if (rule.amount.min !== undefined) parts.push(`amount ≥ ${rule.amount.min}`);
    if (rule.amount.max !== undefined) parts.push(`amount ≤ ${rule.amount.max}`);
  }
  const c = rule.cumulative;
  if (c) {
    const range = [c.min !== undefined && `≥ ${c.min}`, c.max !== undefined && `≤ ${c.max}`];
    parts.push(
      `total per ${c.scope} over ${c.windowSeconds}s ${range.filter(Boolean).join(' and ')}`,
    );
  }
  if (rule.signer)
    parts.push(
      `→ signer ${rule.signer.type === 'INITIATOR' ? 'INITIATOR' : `${rule.signer.type} ${rule.signer.id}`}`,
    );
  if (rule.approvals)
    parts.push(
      `after ${rule.approvals.groups.map((g) => `${g.quorum} of ${g.name}[${g.approvers.join(',')}]`).join(' and ')}`,
    );
  return parts.join(' ');
}

const RULE_FIELDS: readonly (keyof PolicyRule)[] = [
  'description',
  'operations',
  'initiator',
  'source',
  'destination',
  'assets',
  'amount',
  'cumulative',
  'action',
  'signer',
  'approvals',
];

export function diffPolicies(before: Policy | null, after: Policy): PolicyDiff {
  const old = before?.rules ?? [];
  const oldById = new Map(old.map((r, i) => [r.id, { r, i }]));
  const newById = new Map(after.rules.map((r, i) => [r.id, { r, i }]));
  const added = after.rules
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !oldById.has(r.id))
    .map(({ r, i }) => Object.freeze({ id: r.id, index: i, summary: summarizeRule(r, i) }));
  const removed = old
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !newById.has(r.id))
    .map(({ r, i }) => Object.freeze({ id: r.id, index: i, summary: summarizeRule(r, i) }));
  const changed = after.rules.flatMap((r) => {
    const o = oldById.get(r.id)?.r;
    if (!o) return [];
    const changes = RULE_FIELDS.filter((f) => canonicalJson(o[f]) !== canonicalJson(r[f])).map(
      (f) => Object.freeze({ field: f, before: o[f], after: r[f] }),
    );
    return changes.length ? [Object.freeze({ id: r.id, changes: Object.freeze(changes) })] : [];
  });
  // Order among the rules kept on both sides.
  const keptOld = old.filter((r) => newById.has(r.id)).map((r) => r.id);
  const keptNew = after.rules.filter((r) => oldById.has(r.id)).map((r) => r.id);
  const moved = keptNew.flatMap((id, k) =>
    keptOld[k] === id
      ? []
      : [Object.freeze({ id, from: oldById.get(id)?.i ?? -1, to: newById.get(id)?.i ?? -1 })],
  );
  const descriptionChanged = (before?.description ?? null) !== (after.description ?? null);

  const lines: string[] = [
    `policy v${before?.version ?? '(none)'} → v${after.version}: ${after.rules.length} rules`,
  ];
  for (const a of added) lines.push(`+ ${a.summary}`);
  for (const r of removed) lines.push(`- ${r.summary}`);
  for (const c of changed)
    for (const f of c.changes)
      lines.push(
        `~ ${c.id}.${f.field}: ${canonicalJson(f.before ?? null)} → ${canonicalJson(f.after ?? null)}`,
      );
  for (const m of moved) lines.push(`↕ ${m.id}: position ${m.from} → ${m.to}`);
  if (descriptionChanged) lines.push('~ description');
  return Object.freeze({
    fromVersion: before?.version ?? null,
    toVersion: after.version,
    added: Object.freeze(added),
    removed: Object.freeze(removed),
    changed: Object.freeze(changed),
    moved: Object.freeze(moved),
    descriptionChanged,
    lines: Object.freeze(lines),
  });
}

/** The payload of a POLICY_UPDATE configuration-change request (hub-core stores it). */
export interface PolicyChangeRequest {
  readonly type: 'POLICY_UPDATE';
  /** Who must approve: a policy change is the owner's decision. */
  readonly requiredApprover: 'OWNER';
  readonly requestedBy: Principal;
  readonly createdAt: number;
  readonly fromVersion: number | null;
  readonly toVersion: number;
  /** sha256 of the canonical JSON of the policy in force (null for the first policy). */
  readonly baseDigest: string | null;
  /** sha256 of the canonical JSON of `policy`: what the owner approves. */
  readonly policyDigest: string;
  readonly policy: Policy;
  readonly diff: PolicyDiff;
  /** diff.lines joined: what the approval screen shows. */
  readonly summary: string;
}

export class PolicyChangeError extends Error {
  override readonly name = 'PolicyChangeError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/**
 * Turns a proposed policy (untrusted JSON) into a change request against `current`. The new
 * version must be the current one + 1 (1 for the first policy), and something must change.
 */
export function policyChangeRequest(
  current: Policy | null,
  proposed: unknown,
  meta: { readonly requestedBy: Principal; readonly at: number },
): PolicyChangeRequest {
  const next = parsePolicy(proposed);
  const expected = (current?.version ?? 0) + 1;
  if (next.version !== expected)
    throw new PolicyValidationError('version', `expected ${expected} (the current version + 1)`);
  const diff = diffPolicies(current, next);
  const same =
    current !== null &&
    canonicalJson({ ...current, version: 0 }) === canonicalJson({ ...next, version: 0 });
  if (same) throw new PolicyChangeError('rules', 'the proposed policy changes nothing');
  return Object.freeze({
    type: 'POLICY_UPDATE',
    requiredApprover: 'OWNER',
    requestedBy: Object.freeze({ type: meta.requestedBy.type, id: meta.requestedBy.id }),
    createdAt: meta.at,
    fromVersion: current?.version ?? null,
    toVersion: next.version,
    baseDigest: current ? policyDigest(current) : null,
    policyDigest: policyDigest(next),
    policy: next,
    diff,
    summary: diff.lines.join('\n'),
  });
}

/**
 * After the owner approved: returns the policy to put in force, re-validated, after checking it
 * is the approved document and that the policy in force is still the one the change was made
 * against (otherwise the change is stale and must be proposed again).
 */
export function applyApprovedPolicyChange(
  current: Policy | null,
  change: Pick<PolicyChangeRequest, 'policy' | 'policyDigest' | 'baseDigest' | 'fromVersion'>,
): Policy {
  const next = parsePolicy(change.policy);
  if (policyDigest(next) !== change.policyDigest)
    throw new PolicyChangeError('policyDigest', 'the policy is not the approved document');
  const base = current ? policyDigest(current) : null;
  if (base !== change.baseDigest || (current?.version ?? null) !== change.fromVersion)
    throw new PolicyChangeError(
      'baseDigest',
      `stale change: made against v${change.fromVersion ?? '(none)'}, v${current?.version ?? '(none)'} is in force`,
    );
  return next;
}
