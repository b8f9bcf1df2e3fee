/**
 * The commit rule of a committee change (resharing, refresh): after the protocol, every new party
 * acknowledges the `confirmation` digest of its output. Only when every new party acknowledged the
 * same digest is the result `commit` (activate the new shares, then erase the old ones). Until then
 * (`wait`) the old shares stay valid and keep signing; a different digest is `abort` (delete the
 * pending shares, keep the old ones). A party whose session failed has no output and never
 * acknowledges, so a crash midway can never lead to erasing old shares.
 */
import type { PartyId } from './ids.ts';

export type CommitDecision =
  | { readonly decision: 'commit' }
  | { readonly decision: 'wait'; readonly missing: readonly PartyId[] }
  | { readonly decision: 'abort'; readonly reason: string; readonly parties: readonly PartyId[] };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

export function commitDecision(
  output: { readonly confirmation: Uint8Array; readonly newParties: readonly PartyId[] },
  acks: ReadonlyMap<PartyId, Uint8Array>,
): CommitDecision {
  const bad = output.newParties.filter((p) => {
    const a = acks.get(p);
    return a !== undefined && !sameBytes(a, output.confirmation);
  });
  if (bad.length > 0)
    return { decision: 'abort', reason: 'acknowledged a different reshare result', parties: bad };
  const missing = output.newParties.filter((p) => !acks.has(p));
  return missing.length > 0 ? { decision: 'wait', missing } : { decision: 'commit' };
}
