/**
 * Routes of the signing schema and the quarantine (issue 7 "Signing schema": "a cryptographic
 * abort names the culprit, who is quarantined until an operator acts").
 */
import { Type } from 'typebox';
import type { HubApp } from '../http/server.ts';
import { ConfigChange, IdParams, responses } from '../http/schemas.ts';
import { principalOf } from '../workspaces/routes.ts';
import type { SigningStack } from './stack.ts';
import type { SigningSchema } from '../signing-schema/index.ts';

function schemaView(s: SigningSchema) {
  const m = (x: { cosignerId: string; party: number }) => ({
    cosignerId: x.cosignerId,
    party: x.party,
  });
  return {
    version: s.version,
    threshold: s.threshold,
    primaries: s.primaries.map(m),
    sets: s.sets.map((g) => ({ name: g.name, guards: g.guards.map(m) })),
  };
}

const Member = Type.Object(
  {
    cosignerId: Type.String({ minLength: 1, maxLength: 128 }),
    party: Type.Integer({ minimum: 1, maximum: 1024 }),
  },
  { additionalProperties: false },
);
const SchemaBody = Type.Object(
  {
    threshold: Type.Integer({ minimum: 2 }),
    primaries: Type.Array(Member, { minItems: 1, maxItems: 100 }),
    sets: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 128 }),
          guards: Type.Array(Member, { minItems: 1, maxItems: 100 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);
const SchemaView = Type.Object({
  version: Type.Integer(),
  threshold: Type.Integer(),
  primaries: Type.Array(Type.Object({ cosignerId: Type.String(), party: Type.Integer() })),
  sets: Type.Array(
    Type.Object({
      name: Type.String(),
      guards: Type.Array(Type.Object({ cosignerId: Type.String(), party: Type.Integer() })),
    }),
  ),
});
const QuarantineEntry = Type.Object({
  cosignerId: Type.String(),
  party: Type.Integer(),
  since: Type.Integer(),
  sessionId: Type.String(),
  reason: Type.String(),
  evidence: Type.Array(Type.String()),
});
const ReleaseBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);

export function registerOrchestrationRoutes(app: HubApp, s: SigningStack): void {
  app.get(
    '/v1/signing-schema',
    {
      schema: {
        tags: ['signing'],
        summary:
          'The signing schema in force: primaries, guard sets, threshold (null before the first)',
        response: responses({
          200: Type.Object({ schema: Type.Union([SchemaView, Type.Null()]) }),
        }),
      },
    },
    async (req) => {
      const schema = await s.coordinator.schemaOf(principalOf(req).workspaceId);
      return { schema: schema === null ? null : schemaView(schema) };
    },
  );

  app.put(
    '/v1/signing-schema',
    {
      schema: {
        tags: ['signing'],
        summary:
          'Propose a new signing schema (threshold = 1 + number of sets): a configuration change the owner or an admin approves; approval puts it in force as the next version',
        body: SchemaBody,
        response: responses({ 202: ConfigChange }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      // Checked now so a bad proposal fails at once; checked again when it is approved.
      await s.coordinator.checkSchema(p.workspaceId, req.body);
      const change = await s.changes.request(p, 'signing_schema.set', p.workspaceId, req.body);
      return reply.code(202).send(change);
    },
  );

  app.get(
    '/v1/job-signing-key',
    {
      schema: {
        tags: ['signing'],
        summary:
          'The public key (ES256) that signs job authorizations; co-signers pin it at pairing',
        response: responses({
          200: Type.Object({
            alg: Type.Literal('ES256'),
            publicKey: Type.String(),
            jwk: Type.Unknown(),
          }),
        }),
      },
    },
    async () => ({
      alg: 'ES256' as const,
      publicKey: s.jobSigner.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      jwk: s.jobSigner.publicKey.export({ format: 'jwk' }),
    }),
  );

  app.get(
    '/v1/quarantine',
    {
      schema: {
        tags: ['signing'],
        summary: 'Co-signers quarantined after a cryptographic abort named them',
        response: responses({ 200: Type.Object({ entries: Type.Array(QuarantineEntry) }) }),
      },
    },
    async (req) => {
      const q = await s.coordinator.quarantineOf(principalOf(req).workspaceId);
      return {
        entries: Object.values(q.entries).map((e) => ({ ...e, evidence: [...e.evidence] })),
      };
    },
  );

  app.post(
    '/v1/quarantine/:id/release',
    {
      schema: {
        tags: ['signing'],
        summary: 'An operator releases a co-signer from quarantine, saying why',
        params: IdParams,
        body: ReleaseBody,
        response: responses({ 200: Type.Object({ released: Type.String() }) }),
      },
    },
    async (req) => {
      const p = principalOf(req);
      await s.coordinator.release(p.workspaceId, req.params.id, p.id, req.body.note);
      return { released: req.params.id };
    },
  );
}
