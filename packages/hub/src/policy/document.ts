/**
 * The policy document (TAP, transaction authorization policy; issue 7 "Policy engine"):
 * a versioned, ordered list of rules. Each rule matches on operation, initiator, source,
 * destination, asset and amount (per transaction and cumulative over a rolling window) and has
 * one action: ALLOW (with a designated signer), BLOCK, or REQUIRE_APPROVAL (approval groups, each
 * with a quorum, then the designated signer). docs/policy-language.md describes the language.
 *
 * `parsePolicy` turns untrusted JSON into a frozen {@link Policy} or throws a
 * {@link PolicyValidationError} naming the first bad field (e.g. `rules[2].amount.max`).
 * Unknown fields are refused, so a typo never silently widens a rule.
 */
import { z } from 'zod';
import { AMOUNT_PATTERN, toUnits } from './decimal.ts';

export const POLICY_FORMAT = 'quorate.policy/v1';

/** What a transaction asks the co-signers to sign. */
export const OPERATION_TYPES = [
  'TRANSFER',
  'CONTRACT_CALL',
  'RAW',
  'TYPED_MESSAGE',
  'MESSAGE',
  'PSBT',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const MAX_RULES = 1000;
/** The longest cumulative window: 31 days. */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export const idSchema = z.string().regex(ID, 'expected an id of 1-128 [A-Za-z0-9._:@-]');
export const amountSchema = z
  .string()
  .regex(AMOUNT_PATTERN, 'expected a decimal string such as "1.5" (at most 18 decimals)');
export const assetSchema = z.string().regex(ASSET, 'expected an asset symbol such as "ETH"');
export const operationSchema = z.enum(OPERATION_TYPES);

const idList = z.array(idSchema).min(1).max(1000);

const initiatorSchema = z
  .strictObject({
    users: idList.optional(),
    apiUsers: idList.optional(),
    groups: idList.optional(),
  })
  .refine((x) => x.users ?? x.apiUsers ?? x.groups, {
    message: 'name at least one of users, apiUsers, groups (omit initiator to match anyone)',
  });

const sourceSchema = z
  .strictObject({ vaults: idList.optional(), accounts: idList.optional() })
  .refine((x) => x.vaults ?? x.accounts, {
    message: 'name at least one of vaults, accounts (omit source to match any)',
  });

const destinationSchema = z.discriminatedUnion('type', [
  /** Any destination, or none (raw signing and messages have none). */
  z.strictObject({ type: z.literal('ANY') }),
  /** On an allow-list: one of `lists`, or any allow-list when `lists` is omitted. */
  z.strictObject({ type: z.literal('ALLOWLISTED'), lists: idList.optional() }),
  /** A one-time address: a destination that is on no allow-list. */
  z.strictObject({ type: z.literal('ONE_TIME') }),
]);

const amountRangeSchema = z
  .strictObject({ min: amountSchema.optional(), max: amountSchema.optional() })
  .refine((x) => x.min !== undefined || x.max !== undefined, {
    message: 'give min, max or both',
  });

const cumulativeSchema = z.strictObject({
  windowSeconds: z.number().int().min(1).max(MAX_WINDOW_SECONDS),
  /** Whose earlier transactions count: the same initiator's, the same source's, or all. */
  scope: z.enum(['INITIATOR', 'SOURCE', 'RULE']),
  min: amountSchema.optional(),
  max: amountSchema.optional(),
});

export const principalSchema = z.strictObject({
  type: z.enum(['USER', 'API_USER']),
  id: idSchema,
});
export type Principal = z.output<typeof principalSchema>;

const signerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('USER'), id: idSchema }),
  z.strictObject({ type: z.literal('API_USER'), id: idSchema }),
  /** The initiator signs (an API user paired with a co-signer, or a user's device). */
  z.strictObject({ type: z.literal('INITIATOR') }),
]);

const approvalGroupSchema = z.strictObject({
  name: idSchema,
  approvers: idList,
  quorum: z.number().int().min(1),
});

export const approvalsSchema = z.strictObject({
  groups: z.array(approvalGroupSchema).min(1).max(20),
  /** One rejection by any approver rejects the transaction (default), or only an unreachable quorum does. */
  anyRejectionDenies: z.boolean().default(true),
  /** Whether the initiator may approve their own transaction (default: no, four eyes). */
  initiatorMayApprove: z.boolean().default(false),
  /**
   * How long the approvers have, from when the transaction started waiting; then it times out
   * (TIMEOUT). Omitted: the hub's setting (`approvalTimeoutSeconds`, default 24 h).
   */
  timeoutSeconds: z.number().int().min(1).max(MAX_WINDOW_SECONDS).optional(),
});
export type ApprovalRequirement = z.output<typeof approvalsSchema>;

const ruleSchema = z.strictObject({
  id: idSchema,
  description: z.string().max(500).optional(),
  operations: z.array(operationSchema).min(1).optional(),
  initiator: initiatorSchema.optional(),
  source: sourceSchema.optional(),
  destination: destinationSchema.optional(),
  assets: z.array(assetSchema).min(1).max(1000).optional(),
  amount: amountRangeSchema.optional(),
  cumulative: cumulativeSchema.optional(),
  action: z.enum(['ALLOW', 'BLOCK', 'REQUIRE_APPROVAL']),
  signer: signerSchema.optional(),
  approvals: approvalsSchema.optional(),
});

type Ctx = z.RefinementCtx;
function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', message, path });
}

function checkRange(ctx: Ctx, path: (string | number)[], min?: string, max?: string): void {
  if (min !== undefined && max !== undefined && toUnits(min) > toUnits(max))
    issue(ctx, [...path, 'min'], 'min is greater than max');
}

export const policySchema = z
  .strictObject({
    format: z.literal(POLICY_FORMAT),
    /** The revision: 1 for the first policy, +1 for every approved change. */
    version: z.number().int().min(1),
    description: z.string().max(2000).optional(),
    rules: z.array(ruleSchema).max(MAX_RULES),
  })
  .superRefine((policy, ctx) => {
    const ids = new Set<string>();
    policy.rules.forEach((rule, i) => {
      const at = ['rules', i];
      if (ids.has(rule.id)) issue(ctx, [...at, 'id'], `rule id ${rule.id} appears twice`);
      ids.add(rule.id);
      // Amounts are in the asset's own units, so a limit without assets would compare apples
      // with oranges.
      if ((rule.amount ?? rule.cumulative) !== undefined && rule.assets === undefined)
        issue(
          ctx,
          [...at, 'assets'],
          'a rule with an amount or cumulative limit must name its assets',
        );
      if (rule.amount) checkRange(ctx, [...at, 'amount'], rule.amount.min, rule.amount.max);
      if (rule.cumulative) {
        if (rule.cumulative.min === undefined && rule.cumulative.max === undefined)
          issue(ctx, [...at, 'cumulative', 'max'], 'give min, max or both');
        checkRange(ctx, [...at, 'cumulative'], rule.cumulative.min, rule.cumulative.max);
      }
      if (rule.action === 'BLOCK') {
        if (rule.signer) issue(ctx, [...at, 'signer'], 'a BLOCK rule has no signer');
        if (rule.approvals) issue(ctx, [...at, 'approvals'], 'a BLOCK rule has no approvals');
      } else if (!rule.signer) {
        issue(ctx, [...at, 'signer'], `an ${rule.action} rule needs a designated signer`);
      }
      if (rule.action === 'ALLOW' && rule.approvals)
        issue(ctx, [...at, 'approvals'], 'an ALLOW rule has no approvals');
      if (rule.action === 'REQUIRE_APPROVAL') {
        if (!rule.approvals)
          issue(ctx, [...at, 'approvals'], 'a REQUIRE_APPROVAL rule needs approval groups');
        const names = new Set<string>();
        rule.approvals?.groups.forEach((g, j) => {
          const gp = [...at, 'approvals', 'groups', j];
          if (names.has(g.name)) issue(ctx, [...gp, 'name'], `group ${g.name} appears twice`);
          names.add(g.name);
          if (new Set(g.approvers).size !== g.approvers.length)
            issue(ctx, [...gp, 'approvers'], 'an approver appears twice');
          if (g.quorum > g.approvers.length)
            issue(
              ctx,
              [...gp, 'quorum'],
              `quorum ${g.quorum} exceeds ${g.approvers.length} approvers`,
            );
        });
      }
    });
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyRule = Policy['rules'][number];

/** An invalid policy document (or request); `field` is the path of the first problem. */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  readonly field: string;
  readonly problem: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
    this.problem = problem;
  }
}

/** `['rules', 2, 'amount', 'max']` → `rules[2].amount.max` (or `policy` for the root). */
export function fieldPath(path: readonly PropertyKey[], root = 'policy'): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out.length === 0 ? String(k) : `.${String(k)}`;
  }
  return out.length === 0 ? root : out;
}

/** Turns the first zod issue into a PolicyValidationError naming the field. */
export function toValidationError(error: z.ZodError, root = 'policy'): PolicyValidationError {
  const first = error.issues[0];
  if (first === undefined) return new PolicyValidationError(root, 'invalid');
  let path: PropertyKey[] = [...first.path];
  // An unknown key is reported on its parent: name the key itself.
  if (first.code === 'unrecognized_keys' && first.keys[0] !== undefined)
    path = [...path, first.keys[0]];
  return new PolicyValidationError(fieldPath(path, root), first.message);
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** Validates an untrusted policy document into a frozen {@link Policy}. */
export function parsePolicy(input: unknown): Policy {
  const r = policySchema.safeParse(input);
  if (!r.success) throw toValidationError(r.error);
  return deepFreeze(r.data);
}
