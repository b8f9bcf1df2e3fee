/**
 * Configuration schema of the embedded risk rules (docs/cosigner-risk.md, "Embedded rules"),
 * after the Cobo TSS Node's embedded risk control (seed 004). Parsed with zod at start; every
 * field is validated, unknown fields are refused so a misspelt rule never silently disables itself.
 *
 * Default deny: an operation that is not listed under `operations` is refused.
 */
import { z } from 'zod';
import { OPERATIONS } from '@quorate/callback';

const name = z.string().min(1).max(256);
const amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'a decimal integer of base units');
const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM (24 h)');
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Who may ask for an operation. An absent list means "any". */
export const operationRuleSchema = z.strictObject({
  apiUsers: z.array(name).optional(),
  keyIds: z.array(name).optional(),
  /** Every participant of the session must be on this list. */
  participants: z.array(name).optional(),
  thresholds: z.array(z.number().int().positive()).optional(),
});

export const amountLimitSchema = z.strictObject({
  asset: name,
  /** Largest total of this asset in one request. */
  maxPerRequest: amount.optional(),
  /** Largest total of this asset admitted within a sliding window. */
  maxPerWindow: z
    .strictObject({
      amount,
      windowSeconds: z
        .number()
        .int()
        .positive()
        .max(366 * 86400),
    })
    .optional(),
});

export const timeWindowSchema = z.strictObject({
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1)
    .default([...WEEKDAYS]),
  /** Inclusive start and exclusive end, local to `utcOffsetMinutes`; start > end spans midnight. */
  start: hhmm,
  end: hhmm,
  utcOffsetMinutes: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60)
    .default(0),
});

export const rateLimitSchema = z.strictObject({
  /** Absent: counts every operation. */
  operation: z.enum(OPERATIONS).optional(),
  /** Counts per API user instead of for the whole co-signer. */
  perApiUser: z.boolean().default(false),
  max: z.number().int().positive(),
  windowSeconds: z
    .number()
    .int()
    .positive()
    .max(366 * 86400),
});

export const riskRulesSchema = z.strictObject({
  rejectAll: z.boolean().default(false),
  operations: z
    .strictObject({
      keygen: operationRuleSchema.optional(),
      sign: operationRuleSchema.optional(),
      reshare: operationRuleSchema.optional(),
      refresh: operationRuleSchema.optional(),
    })
    .default({}),
  /** Signing: every transfer's asset must be listed. */
  assets: z.array(name).optional(),
  /** Signing: every transfer's destination must be listed (for its asset, when one is given). */
  destinations: z.array(z.strictObject({ address: name, asset: name.optional() })).optional(),
  amountLimits: z.array(amountLimitSchema).default([]),
  /** When present, operations are admitted only inside one of the windows. */
  timeWindows: z.array(timeWindowSchema).min(1).optional(),
  rateLimits: z.array(rateLimitSchema).default([]),
});

export type RiskRulesInput = z.input<typeof riskRulesSchema>;
export type RiskRules = z.output<typeof riskRulesSchema>;

export class RiskConfigError extends Error {
  override readonly name = 'RiskConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`risk rules: ${field}: ${message}`);
  }
}

/** Validates a rules configuration (e.g. the `risk` section of the co-signer config file). */
export function parseRiskRules(input: unknown): RiskRules {
  const r = riskRulesSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  throw new RiskConfigError(path.join('.') || '(root)', issue?.message ?? 'invalid');
}
