/**
 * Pairing tokens (issue 7; seeds/000 "pairing token linked to the API user"): a JWT signed by
 * the hub (EdDSA), naming the workspace and the API user, valid for one hour and redeemable
 * once. Redeeming it with a CSR registers a co-signer and returns its mTLS client certificate.
 * Single use is enforced by the database (a conditional update of `used_at`), so two
 * concurrent redemptions cannot both succeed.
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { HubError } from '../http/errors.ts';
import type { HubContext } from '../context.ts';
import type { Principal } from '../auth/request-token.ts';
import { checkName } from '../workspaces/service.ts';
import type { CosignerRegistry, CosignerView } from './registry.ts';
import { deriveJobSigningKey } from '../orchestration/authorization.ts';

export const PAIRING_TOKEN_TTL_S = 3600;
const TOKEN_TYPE = 'quorate-pairing+jwt';

export interface PairingToken {
  readonly token: string;
  readonly jti: string;
  readonly apiUserId: string;
  readonly expiresAt: number;
}

export interface PairingResult {
  readonly cosigner: CosignerView;
  readonly certificate: string;
  readonly caCertificate: string;
  /** SPKI PEM of the key that signs job authorizations: the co-signer pins it at pairing. */
  readonly jobSigningKey: string;
}

/**
 * The public half (SPKI PEM) of the key that signs job authorizations: the signing stack's
 * default key (orchestration/stack.ts), derived from the pairing key. The pairing answer and the
 * mTLS whoami carry it; co-signers pin it at pairing and compare it on every whoami.
 */
export function jobSigningPublicKeyPem(ctx: Pick<HubContext, 'pairingKey'>): string {
  return createPublicKey(deriveJobSigningKey(ctx.pairingKey.privateKey))
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

/** API users that may be paired hold a role that signs (seeds/000: Signer or Admin). */
const PAIRABLE_ROLES = new Set(['signer', 'admin']);

export async function requirePairableApiUser(ctx: HubContext, workspaceId: string, id: string) {
  const u = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!u || u.disabled_at !== null)
    throw new HubError('not_found', 'no such API user', 'apiUserId');
  if (u.kind !== 'api')
    throw new HubError(
      'validation_failed',
      'only API users can be paired with a co-signer',
      'apiUserId',
    );
  if (!PAIRABLE_ROLES.has(u.role))
    throw new HubError(
      'validation_failed',
      'the API user must have the role signer or admin to be paired',
      'apiUserId',
    );
  return u;
}

export function createPairingService(ctx: HubContext, registry: CosignerRegistry) {
  const { db, now } = ctx;
  const audience = `${ctx.settings.issuer}/pairing`;

  return {
    async issue(actor: Principal, apiUserId: string): Promise<PairingToken> {
      await requirePairableApiUser(ctx, actor.workspaceId, apiUserId);
      const jti = randomUUID();
      const iat = Math.floor(now() / 1000);
      const exp = iat + PAIRING_TOKEN_TTL_S;
      await db
        .insertInto('pairing_tokens')
        .values({
          jti,
          workspace_id: actor.workspaceId,
          api_user_id: apiUserId,
          created_by: actor.id,
          expires_at: exp * 1000,
          used_at: null,
        })
        .execute();
      const token = await new SignJWT({ ws: actor.workspaceId })
        .setProtectedHeader({ alg: 'EdDSA', typ: TOKEN_TYPE })
        .setIssuer(ctx.settings.issuer)
        .setAudience(audience)
        .setSubject(apiUserId)
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(ctx.pairingKey.privateKey);
      return { token, jti, apiUserId, expiresAt: exp * 1000 };
    },

    async redeem(input: { token: string; csr: string; name?: string }): Promise<PairingResult> {
      let claims: { jti?: string; sub?: string; ws?: unknown };
      try {
        const r = await jwtVerify(input.token, ctx.pairingKey.publicKey, {
          algorithms: ['EdDSA'],
          issuer: ctx.settings.issuer,
          audience,
          typ: TOKEN_TYPE,
          currentDate: new Date(now()),
          clockTolerance: 0,
          requiredClaims: ['jti', 'sub', 'exp', 'iat'],
        });
        claims = r.payload as typeof claims;
      } catch {
        throw new HubError(
          'pairing_token_invalid',
          'the pairing token is invalid or expired',
          'token',
        );
      }
      const row = await db
        .selectFrom('pairing_tokens')
        .selectAll()
        .where('jti', '=', claims.jti ?? '')
        .executeTakeFirst();
      if (!row || row.api_user_id !== claims.sub || row.workspace_id !== claims.ws)
        throw new HubError(
          'pairing_token_invalid',
          'the pairing token is invalid or expired',
          'token',
        );
      if (row.used_at !== null)
        throw new HubError('pairing_token_used', 'the pairing token was already used', 'token');
      const name = checkName(input.name ?? `cosigner-${row.api_user_id.slice(0, 8)}`);
      await requirePairableApiUser(ctx, row.workspace_id, row.api_user_id);
      if (await registry.isApiUserPaired(row.api_user_id))
        throw new HubError('conflict', 'this API user is already paired with a co-signer', 'token');
      const cosignerId = randomUUID();
      // Checks the CSR before the token is spent, so a bad CSR does not burn the token.
      const cert = await ctx.ca.issueClientCertificate({
        csrPem: input.csr,
        cosignerId,
        workspaceId: row.workspace_id,
        now: now(),
      });
      const spent = await db
        .updateTable('pairing_tokens')
        .set({ used_at: now() })
        .where('jti', '=', row.jti)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1)
        throw new HubError('pairing_token_used', 'the pairing token was already used', 'token');
      const cosigner = await registry.register({
        id: cosignerId,
        workspaceId: row.workspace_id,
        name,
        apiUserId: row.api_user_id,
        certificatePem: cert.certificatePem,
        fingerprint: cert.fingerprint,
      });
      const jobSigningKey = jobSigningPublicKeyPem(ctx);
      return {
        cosigner,
        certificate: cert.certificatePem,
        caCertificate: ctx.ca.certificatePem,
        jobSigningKey,
      };
    },
  };
}

export type PairingService = ReturnType<typeof createPairingService>;
