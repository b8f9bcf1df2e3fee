/**
 * Request and response schemas of the hub API (TypeBox → JSON Schema → OpenAPI). Every route
 * declares both; bodies refuse unknown properties so a typo is an error, not a silent no-op.
 */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { CALLBACK_URL_PATTERN, CALLBACK_URL_RULE } from '@quorate/runtime/callback-url';
import { ERROR_STATUSES } from './errors.ts';

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Role = Type.Union([
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('signer'),
  Type.Literal('editor'),
  Type.Literal('viewer'),
]);
const Millis = Type.Integer({ minimum: 0, description: 'Unix time in milliseconds' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      // The closed list of codes (errors.ts), so clients (the SDK's generated types) get it too.
      code: Type.Union(Object.keys(ERROR_STATUSES).map((c) => Type.Literal(c))),
      message: Type.String(),
      field: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error: a stable code, a message, the failing field' },
);

/** Adds the shared error schema to a route's success responses. */
export function responses<R extends Record<number, TSchema>>(ok: R) {
  return { ...ok, '4xx': ErrorResponse, '5xx': ErrorResponse };
}

export const User = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('human'), Type.Literal('api')]),
  role: Role,
  keyAlgorithm: Type.Union([Type.Literal('RS256'), Type.Literal('ES256'), Type.Literal('EdDSA')]),
  publicKey: Type.String(),
  createdAt: Millis,
  disabled: Type.Boolean(),
});

export const CreateUserBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Union([Type.Literal('human'), Type.Literal('api')]),
    role: Role,
    publicKey: Type.String({
      minLength: 1,
      maxLength: 8192,
      description: 'SPKI PEM: RSA-2048, P-256 or Ed25519',
    }),
  },
  { additionalProperties: false },
);

export const Workspace = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Millis });

export const Me = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  name: Type.String(),
  role: Role,
  may: Type.Array(Type.String(), {
    description:
      'The routes this role may call, as "METHOD /path" with :params (auth/rbac.ts), sorted; a client shows only what it may do, the hub checks every call regardless',
  }),
});

export const CreatePairingTokenBody = Type.Object(
  { apiUserId: Id },
  { additionalProperties: false },
);
export const PairingToken = Type.Object({
  token: Type.String(),
  jti: Type.String(),
  apiUserId: Type.String(),
  expiresAt: Millis,
});

export const Cosigner = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('unpaired')]),
  health: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('never_seen')]),
  lastSeenAt: Nullable(Millis),
  apiUserIds: Type.Array(Type.String()),
  callbackHandler: Nullable(
    Type.Object(
      { url: Type.String(), publicKey: Nullable(Type.String()) },
      { description: "Legacy: the first paired API user's handler; read callbackHandlers" },
    ),
  ),
  callbackHandlers: Type.Array(
    Type.Object({
      apiUserId: Type.String(),
      url: Type.String(),
      publicKey: Nullable(Type.String()),
    }),
    { description: 'The approved callback handler of each paired API user that has one' },
  ),
  certificateFingerprint: Type.String(),
  createdAt: Millis,
});

export const PairBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 4096 }),
    csr: Type.String({
      minLength: 1,
      maxLength: 8192,
      description: 'PEM PKCS#10, P-256 or Ed25519 key',
    }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export const PairResult = Type.Object({
  cosigner: Cosigner,
  certificate: Type.String(),
  caCertificate: Type.String(),
  /** SPKI PEM (ES256) of the hub's job-signing key, for the co-signer to pin. */
  jobSigningKey: Type.String(),
});

export const RenameBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export const PairApiUserBody = Type.Object({ apiUserId: Id }, { additionalProperties: false });
export const CallbackHandlerBody = Type.Object(
  {
    apiUserId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description:
          'The paired API user whose handler this is; omitted: every API user paired when the change is approved',
      }),
    ),
    url: Nullable(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        pattern: CALLBACK_URL_PATTERN,
        description: CALLBACK_URL_RULE,
      }),
    ),
    publicKey: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 8192 }))),
  },
  { additionalProperties: false },
);

const ChangeStatus = Type.Union([
  Type.Literal('WAITING_FOR_APPROVAL'),
  Type.Literal('APPROVED'),
  Type.Literal('REJECTED'),
  Type.Literal('CANCELLED'),
  Type.Literal('COMPLETED'),
]);
export const ConfigChange = Type.Object({
  id: Type.String(),
  kind: Type.Union([
    Type.Literal('cosigner.pair_api_user'),
    Type.Literal('cosigner.set_callback_handler'),
    Type.Literal('cosigner.unpair'),
    Type.Literal('policy.set'),
    Type.Literal('signing_schema.set'),
    Type.Literal('allowlist.add'),
    Type.Literal('allowlist.remove'),
    Type.Literal('vault_key.reshare'),
  ]),
  targetId: Type.String(),
  payload: Type.Unknown(),
  status: ChangeStatus,
  requestedBy: Type.String(),
  decidedBy: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  approverRoles: Type.Array(Role),
  createdAt: Millis,
  updatedAt: Millis,
});
export const ConfigChangeQuery = Type.Object(
  { status: Type.Optional(ChangeStatus) },
  { additionalProperties: false },
);
export const RejectBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
export const EmptyBody = Type.Object({}, { additionalProperties: false });

export const PolicyBody = Type.Object(
  {
    policy: Type.Unknown({ description: 'a quorate.policy/v1 document (docs/policy-language.md)' }),
  },
  { additionalProperties: false },
);
export const PolicyInForce = Type.Object({ policy: Nullable(Type.Unknown()) });
export const Health = Type.Object({ status: Type.Literal('ok') });
