/**
 * The combined risk decision before the co-signer joins a keygen, sign, reshare or refresh
 * (docs/cosigner-risk.md, "Decision"), after the Cobo TSS Node (seed 004): the embedded rules AND
 * every callback handler of the API user must approve; any refusal denies.
 *
 * Order: (1) digest check when a raw transaction comes with the request: the transfers shown to
 * the rules and handlers are the ones we decoded, never the initiator's description; (2) embedded
 * rules (which reserve rate/amount budget); (3) callbacks, only when the rules approved, so a
 * handler never sees a request the co-signer already refused; a callback denial releases the
 * reservation. With no handler configured the embedded rules alone decide.
 */
import type { RawTxKind, Transfer, TxSignRequestBody } from '@quorate/callback';
import type { CallbackClient, CallbackDecision, HandlerConfig } from './callback/client.ts';
import { checkDigest, DigestError } from './digest/index.ts';
import type { DecodedTx, DigestCheckInput } from './digest/index.ts';
import type { RiskEngine, RuleDecision } from './rules/engine.ts';
import type { CosignerMetrics } from './metrics/registry.ts';

export interface RiskGateDeps {
  readonly engine: RiskEngine;
  readonly client: CallbackClient;
  /** The callback handlers configured for an API user (empty: none). */
  readonly handlersFor: (apiUserId: string) => readonly HandlerConfig[];
  readonly metrics?: CosignerMetrics;
  readonly now?: () => number;
}

export interface TxRiskRequest extends Omit<TxSignRequestBody, 'transfers' | 'rawTxKind' | 'fee'> {
  /** What the initiator says the transaction does; replaced by our decoding when `raw` is given. */
  readonly transfers?: readonly Transfer[];
  readonly raw?: { readonly kind: RawTxKind; readonly bytes: Uint8Array } & Pick<
    DigestCheckInput,
    'psbt' | 'solana'
  >;
}

export type DecidedBy = 'digest' | 'embedded' | 'callback' | 'all';

export interface RiskDecision {
  readonly approved: boolean;
  readonly decidedBy: DecidedBy;
  readonly reason: string;
  readonly digest?: DecodedTx | DigestError;
  readonly embedded?: RuleDecision;
  readonly callback?: CallbackDecision;
}

export function createRiskGate(deps: RiskGateDeps) {
  const now = deps.now ?? Date.now;
  const count = (d: RiskDecision) => {
    deps.metrics?.riskDecisions.inc({
      decision: d.approved ? 'approve' : 'deny',
      decided_by: d.decidedBy,
    });
    return d;
  };
  return {
    async decideTx(req: TxRiskRequest): Promise<RiskDecision> {
      const { raw, transfers: declared, ...rest } = req;
      let decoded: DecodedTx | undefined;
      if (raw !== undefined) {
        try {
          decoded = checkDigest({ ...raw, raw: raw.bytes, digests: req.digests });
        } catch (e) {
          if (!(e instanceof DigestError)) throw e;
          return count({ approved: false, decidedBy: 'digest', reason: e.message, digest: e });
        }
      }
      const body: TxSignRequestBody = {
        ...rest,
        transfers: decoded ? [...decoded.transfers] : [...(declared ?? [])],
        ...(decoded ? { rawTxKind: decoded.kind, digests: [...decoded.digests] } : {}),
        ...(decoded?.fee !== undefined ? { fee: decoded.fee } : {}),
      };
      const digest = decoded ? { digest: decoded } : {};
      const admission = deps.engine.admit(body, now());
      if (!admission.decision.approved)
        return count({
          approved: false,
          decidedBy: 'embedded',
          reason: admission.decision.reason,
          embedded: admission.decision,
          ...digest,
        });
      const callback = await deps.client.txSignRequest(deps.handlersFor(req.apiUserId), body);
      if (!callback.approved) {
        admission.release();
        return count({
          approved: false,
          decidedBy: 'callback',
          reason: `callback ${callback.outcome}`,
          embedded: admission.decision,
          callback,
          ...digest,
        });
      }
      return count({
        approved: true,
        decidedBy: 'all',
        reason: 'approved',
        embedded: admission.decision,
        callback,
        ...digest,
      });
    },
  };
}
