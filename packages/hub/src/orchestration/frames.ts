/**
 * The frames of the co-signer ⇄ hub WebSocket (the relay contract, docs: "Contract: co-signer ⇄
 * hub connection and protocol relay"): strict validation of what co-signers send, and the types
 * of what the hub sends. JSON text, one object per frame, unknown fields or types refused. The
 * `data` of an envelope is opaque (end-to-end encrypted between co-signers): we only check it is
 * base64 and bounded, never parse it.
 */
import { z } from 'zod';

export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
const HEX32 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const id = z.string().min(1).max(128);

const hello = z.strictObject({
  type: z.literal('hello'),
  cosignerId: id,
  version: z.literal(1),
  identity: z.strictObject({
    signing: z.string().regex(HEX32, 'expected 32 bytes hex'),
    encryption: z.string().regex(HEX32, 'expected 32 bytes hex'),
  }),
});
const heartbeat = z.strictObject({
  type: z.literal('heartbeat'),
  at: z.iso.datetime({ offset: true }),
});
const envelope = z.strictObject({
  type: z.literal('envelope'),
  jobId: id,
  to: id,
  data: z.string().min(1).max(MAX_FRAME_BYTES).regex(BASE64, 'expected base64'),
});
const accepted = z.strictObject({ type: z.literal('job-accepted'), jobId: id });
const refused = z.strictObject({
  type: z.literal('job-refused'),
  jobId: id,
  reason: z.string().max(1000),
  /**
   * Optional (added later; older co-signers omit it): which of the co-signer's checks refused,
   * e.g. `rules`, `callback`, `presignature` (docs/cosigner-operator.md). The hub acts on
   * `presignature` (the pooled presignature is gone: retried without one) and records the rest.
   */
  check: z
    .string()
    .regex(/^[a-z][a-z-]{0,31}$/, 'expected a check name')
    .optional(),
});
const result = z.strictObject({
  type: z.literal('job-result'),
  jobId: id,
  status: z.enum(['done', 'failed']),
  output: z.record(z.string(), z.unknown()).optional(),
  error: z
    .strictObject({
      kind: z.enum(['aborted', 'io', 'bug']),
      culprits: z.array(z.number().int().min(1).max(1024)).max(1024),
      reason: z.string().max(1000),
      /**
       * Optional (added later; older co-signers omit it): ids of the protocol messages that
       * prove the abort (the runtime's ProtocolError blame evidence, sha256 hex of envelopes).
       */
      evidence: z
        .array(z.string().regex(/^[0-9A-Za-z._:-]{1,128}$/, 'expected a message id'))
        .max(256)
        .optional(),
    })
    .optional(),
});

export const cosignerFrameSchema = z.discriminatedUnion('type', [
  hello,
  heartbeat,
  envelope,
  accepted,
  refused,
  result,
]);
export type CosignerFrame = z.output<typeof cosignerFrameSchema>;
export type JobResultFrame = z.output<typeof result>;

export type ParseResult =
  | { readonly ok: true; readonly frame: CosignerFrame }
  | { readonly ok: false; readonly field: string };

/** Parses one text frame; never throws. */
export function parseCosignerFrame(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, field: 'frame' };
  }
  const r = cosignerFrameSchema.safeParse(json);
  if (r.success) return { ok: true, frame: r.data };
  const first = r.error.issues[0];
  return { ok: false, field: first === undefined ? 'frame' : first.path.join('.') || 'frame' };
}

export type JobAlgorithm = 'ecdsa-secp256k1' | 'eddsa-ed25519' | 'schnorr-bip340' | 'toy';

export interface Participant {
  readonly partyId: number;
  readonly cosignerId: string;
  readonly role: 'primary' | 'guard';
  readonly set: string | null;
  readonly identity: { readonly signing: string; readonly encryption: string };
}

export interface SignRequest {
  readonly transactionId: string;
  readonly operation: string;
  readonly asset: string | null;
  readonly amount: string | null;
  readonly destination: string | null;
  readonly digest: string;
  readonly derivationPath: string | null;
  readonly raw: { readonly kind: 'evm' | 'psbt' | 'solana'; readonly data: string } | null;
  /** ECDSA: the jobId of the pooled presign job whose presignature this signature consumes. */
  readonly presignatureId?: string;
}

/**
 * A reshare's committees (co-signer job.ts `reshare`): the old holders that deal (party ids among
 * the participants, at least the old threshold), the new committee's party ids (their roles and
 * sets in `participants` are the new schema; `Job.threshold` is the new threshold), the key's
 * public key and the old threshold. A co-signer in both committees keeps its party id.
 */
export interface ReshareSpec {
  readonly publicKey: string;
  readonly oldThreshold: number;
  readonly dealers: readonly number[];
  readonly newParties: readonly number[];
}

export interface Job {
  readonly jobId: string;
  readonly kind: 'keygen' | 'aux-info' | 'presign' | 'sign' | 'refresh' | 'reshare' | 'toy';
  readonly algorithm: JobAlgorithm;
  readonly keyId: string | null;
  readonly sessionId: string;
  readonly participants: readonly Participant[];
  readonly threshold: number | null;
  /**
   * The API user the job is for: a sign job's designated signer (the initiator under an
   * INITIATOR rule), the API user that asked for a keygen; null for hub-internal jobs (presign
   * refills, scheduled refreshes, a vault created by a human). Co-signers run that user's
   * callback handlers and refuse a sign job whose API user is not paired with its primary.
   * Optional for job builders outside the coordinator; co-signers read an absent one as null
   * (no API user of theirs: every handler is asked; a sign job's primary check is skipped).
   */
  readonly apiUserId?: string | null;
  readonly request: SignRequest | null;
  /** `reshare` jobs only (absent otherwise: older co-signers refuse unknown fields). */
  readonly reshare?: ReshareSpec;
  readonly timeoutMs: number;
  readonly authorization: string;
}

export type HubFrame =
  | { readonly type: 'job'; readonly job: Job }
  | {
      readonly type: 'envelope';
      readonly jobId: string;
      readonly from: string;
      readonly data: string;
    }
  | { readonly type: 'cancel'; readonly jobId: string; readonly reason: string };
