/**
 * One-round signing (CGGMP21 Fig. 8) on the runtime: every signer broadcasts σ_i from its
 * presignature, checks everyone's σ_j against the presign commitments, and outputs the combined,
 * normalized, verified signature. A bad σ_j names its sender.
 */
import { codec } from '@quorate/runtime';
import type { Inbox, PartyContext, ProtocolDefinition, RoundResult } from '@quorate/runtime';
import { scalarBelowQ } from './curve.ts';
import type { EcdsaSignature } from './ecdsa.ts';
import { combinePartials, partialIsValid } from './presignature.ts';
import type { Presignature } from './presignature.ts';

export interface SignConfig {
  /** Consumed when the session is created. */
  readonly presignature: Presignature;
  /** The 32-byte message digest. */
  readonly digest: Uint8Array;
  /** HD shift (BIP32 tweak) of the derived key; 0 for the root key. */
  readonly shift?: bigint;
}

const round1 = codec.object({ sigma: scalarBelowQ });
type Round1 = codec.Infer<typeof round1>;

export const sign: ProtocolDefinition<EcdsaSignature, SignConfig> = {
  id: 'cggmp21/sign',
  version: 1,
  rounds: [{ name: 'partial', kind: 'broadcast', payload: round1 }],
  maxMessageBytes: 4096,
  create(ctx: PartyContext, config: SignConfig) {
    const pub = config.presignature.public;
    if (
      pub.signers.length !== ctx.parties.length ||
      pub.signers.some((p, n) => p !== ctx.parties[n])
    ) {
      throw new RangeError(
        'parties: the signing session must have exactly the presignature signers',
      );
    }
    if (config.digest.length !== 32) throw new RangeError('digest: expected 32 bytes');
    const shift = config.shift ?? 0n;
    // Consumed here, before the partial signature can leave the process.
    const sigma = config.presignature.issuePartial(config.digest, shift);
    return {
      start: () => [{ to: 'all', payload: { sigma } satisfies Round1 }],
      verify(_round, from, payload) {
        return partialIsValid(pub, from, (payload as Round1).sigma, config.digest, shift)
          ? undefined
          : 'partial signature σ does not match the presign commitments (σ·Γ ≠ m·Δ + r·S)';
      },
      finish(_round, inbox: Inbox): RoundResult<EcdsaSignature> {
        const partials = new Map([
          [ctx.self, sigma],
          ...[...inbox.entries()].map(([j, m]) => [j, (m as Round1).sigma] as const),
        ]);
        return { output: combinePartials(pub, partials, config.digest, shift) };
      },
    };
  },
};
