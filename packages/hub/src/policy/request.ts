/**
 * What the policy engine looks at: the transaction request as the hub resolved it (who asked,
 * from which vault/account, to which destination and which allow-lists contain it, which asset
 * and amount), and the history of earlier transactions for cumulative limits. The hub builds
 * these from its store; they are validated here anyway, so a bad amount never reaches a
 * comparison.
 */
import { z } from 'zod';
import {
  amountSchema,
  assetSchema,
  idSchema,
  operationSchema,
  PolicyValidationError,
  toValidationError,
} from './document.ts';

export const requestInitiatorSchema = z.strictObject({
  type: z.enum(['USER', 'API_USER']),
  id: idSchema,
  /** The groups the initiator belongs to (resolved by the hub). */
  groups: z.array(idSchema).max(1000).default([]),
});

export const policyRequestSchema = z.strictObject({
  operation: operationSchema,
  initiator: requestInitiatorSchema,
  source: z.strictObject({ vaultId: idSchema, accountId: idSchema }),
  /** Absent for operations without a destination (raw digests, messages). */
  destination: z
    .strictObject({
      address: z.string().min(1).max(256),
      /** Ids of the allow-lists that contain this address; empty for a one-time address. */
      allowlists: z.array(idSchema).max(1000),
    })
    .optional(),
  asset: assetSchema.optional(),
  amount: amountSchema.optional(),
});
export type PolicyRequest = z.output<typeof policyRequestSchema>;

/** An earlier transaction that counts towards cumulative limits (the hub decides which do). */
export const historyEntrySchema = policyRequestSchema.extend({
  /** Unix ms when it was submitted. */
  at: z.number().int().min(0),
});
export type HistoryEntry = z.output<typeof historyEntrySchema>;

export function parsePolicyRequest(input: unknown): PolicyRequest {
  const r = policyRequestSchema.safeParse(input);
  if (!r.success) throw toValidationError(r.error, 'request');
  return r.data;
}

export function parseHistory(input: readonly unknown[]): readonly HistoryEntry[] {
  return input.map((e, i) => {
    const r = historyEntrySchema.safeParse(e);
    if (!r.success) {
      const inner = toValidationError(r.error, '');
      const field =
        inner.field.length === 0
          ? ''
          : inner.field.startsWith('[')
            ? inner.field
            : `.${inner.field}`;
      throw new PolicyValidationError(`history[${i}]${field}`, inner.problem);
    }
    return r.data;
  });
}
