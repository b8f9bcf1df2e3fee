/**
 * Transaction routes: create (raw digest, typed EVM transaction, PSBT, Solana message, text
 * message), list, get with every transition and its reason, approve / reject (approval groups of
 * the matching policy rule), cancel.
 */
import { decodeCursor, encodeCursor } from './page-cursor.ts';
import { MAX_PAGE } from './service.ts';
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import type { HubApp } from '../http/server.ts';
import { Id, IdParams, responses } from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import type { SigningStack } from '../orchestration/stack.ts';
import { OPERATION_TYPES } from '../policy/index.ts';
import { TRANSACTION_STATUSES } from './state-machine.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Hex = (max: number) =>
  Type.String({ minLength: 2, maxLength: max, pattern: '^(0x)?[0-9a-fA-F]+$' });
const Operation = Type.String({ enum: [...OPERATION_TYPES] });
const Status = Type.String({ enum: [...TRANSACTION_STATUSES] });

const Payload = Type.Union([
  Type.Object({ type: Type.Literal('raw'), digest: Hex(2050) }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('evm'), transaction: Hex(262_146) },
    { additionalProperties: false, description: 'unsigned EIP-2718 typed transaction' },
  ),
  Type.Object(
    { type: Type.Literal('psbt'), psbt: Hex(262_146), digest: Hex(66) },
    { additionalProperties: false, description: 'PSBT and the input sighash to sign' },
  ),
  Type.Object(
    { type: Type.Literal('solana'), message: Hex(2466) },
    { additionalProperties: false, description: 'serialized Solana message' },
  ),
  Type.Object(
    { type: Type.Literal('message'), message: Type.String({ minLength: 1, maxLength: 16_384 }) },
    { additionalProperties: false },
  ),
]);

const CreateBody = Type.Object(
  {
    vaultId: Id,
    accountId: Id,
    payload: Payload,
    operation: Type.Optional(Operation),
    asset: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    amount: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    destination: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

const Actor = Type.Object({ type: Type.String(), id: Type.String() });
const Transaction = Type.Object({
  id: Type.String(),
  status: Status,
  kind: Type.String(),
  operation: Type.String(),
  vaultId: Type.String(),
  accountId: Type.String(),
  asset: Nullable(Type.String()),
  amount: Nullable(Type.String()),
  destination: Nullable(Type.String()),
  digest: Type.String(),
  note: Nullable(Type.String()),
  initiator: Actor,
  signer: Nullable(Actor),
  policy: Nullable(
    Type.Object({ action: Type.String(), rule: Nullable(Type.String()), reason: Type.String() }),
  ),
  signature: Nullable(Type.Record(Type.String(), Type.Unknown())),
  transitions: Type.Array(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      event: Type.String(),
      reason: Type.String(),
      actor: Actor,
      at: Type.Integer(),
    }),
  ),
  approvals: Nullable(
    Type.Object(
      {
        outcome: Type.String(),
        groups: Type.Array(
          Type.Object({
            name: Type.String(),
            quorum: Type.Integer(),
            eligible: Type.Integer(),
            approvals: Type.Integer(),
            rejections: Type.Integer(),
            reached: Type.Boolean(),
          }),
        ),
        votes: Type.Array(
          Type.Object({ approver: Type.String(), vote: Type.String(), at: Type.Integer() }),
        ),
      },
      { description: 'Where the approvals stand (null when the rule required none)' },
    ),
  ),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});

export function registerTransactionRoutes(app: HubApp, s: SigningStack): void {
  app.post(
    '/v1/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Submit a transaction: the policy decides, then approvals and signing follow',
        body: CreateBody,
        response: responses({ 201: Transaction }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await s.transactions.create(principalOf(req), req.body)),
  );

  app.get(
    '/v1/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary:
          'Transactions, newest first, optionally by status, a page at a time: up to `limit` (default and most 200); `next` is the `before` of the following page (null on the last)',
        querystring: Type.Object(
          {
            status: Type.Optional(Status),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })),
            before: Type.Optional(
              Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            transactions: Type.Array(Transaction),
            next: Nullable(Type.String()),
          }),
        }),
      },
    },
    async (req) => {
      const { status, limit, before } = req.query;
      const page = await s.transactions.list(principalOf(req).workspaceId, {
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
        ...(before === undefined ? {} : { before: decodeCursor(before) }),
      });
      return {
        transactions: page.transactions,
        next: page.next === null ? null : encodeCursor(page.next),
      };
    },
  );

  app.get(
    '/v1/transactions/:id',
    {
      schema: {
        tags: ['transactions'],
        summary: 'One transaction with every transition and its reason',
        params: IdParams,
        response: responses({ 200: Transaction }),
      },
    },
    async (req) => s.transactions.get(principalOf(req).workspaceId, req.params.id),
  );

  for (const [action, vote] of [
    ['approve', 'APPROVE'],
    ['reject', 'REJECT'],
  ] as const)
    app.post(
      `/v1/transactions/:id/${action}`,
      {
        schema: {
          tags: ['transactions'],
          summary: `${vote === 'APPROVE' ? 'Approve' : 'Reject'} as an approver of the matching policy rule`,
          params: IdParams,
          response: responses({ 200: Transaction }),
        },
      },
      async (req) => s.transactions.vote(principalOf(req), req.params.id, vote),
    );

  app.post(
    '/v1/transactions/:id/cancel',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Cancel before it is signed (initiator, owner or admin)',
        params: IdParams,
        response: responses({ 200: Transaction }),
      },
    },
    async (req) => s.transactions.cancel(principalOf(req), req.params.id),
  );
}
