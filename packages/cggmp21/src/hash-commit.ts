/**
 * Hash commitments V_i = H(tag, sid, i, …) of CGGMP21 Fig. 5/6 ("Round 1: … V_i = H(sid, i, …)"),
 * built on the runtime's injective transcript so that no two different openings share a hash.
 */
import { Transcript } from '@quorate/runtime';
import type { PartyId } from '@quorate/runtime';

export type CommitItem = { readonly label: string } & (
  { readonly bytes: Uint8Array } | { readonly int: bigint } | { readonly ints: readonly bigint[] }
);

export function hashCommit(
  tag: string,
  sessionId: Uint8Array,
  party: PartyId,
  items: readonly CommitItem[],
): Uint8Array {
  const t = Transcript.create(`quorate/cggmp21/${tag}/commit/v1`)
    .appendBytes('sid', sessionId)
    .appendUint('party', party);
  for (const it of items) {
    if ('bytes' in it) t.appendBytes(it.label, it.bytes);
    else if ('int' in it) t.appendBigInt(it.label, it.int);
    else t.appendBigInts(it.label, it.ints);
  }
  return t.challengeBytes('V', 32);
}

export function xorBytes(parts: readonly Uint8Array[], len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (const p of parts)
    for (let k = 0; k < len; k++) out[k] = (out[k] as number) ^ (p[k] as number);
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let k = 0; k < a.length; k++) d |= (a[k] as number) ^ (b[k] as number);
  return d === 0;
}
