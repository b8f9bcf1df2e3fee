/**
 * A toy protocol that exercises the whole runtime: a commit–reveal coin toss.
 *
 *  Round 1 (broadcast, reliable): each party P_i samples r_i, salt_i and broadcasts
 *          C_i = SHA-256(frame(sid, i, r_i, salt_i)).
 *  (echo)  every party echoes the ids of all round-1 broadcasts; equivocation names the sender.
 *  Round 2 (point-to-point): P_i sends (r_i, salt_i) to each P_j, who checks it opens C_i.
 *  Output: SHA-256 over r_1 ‖ … ‖ r_n in party order — unbiased as long as one party is honest.
 *
 * It is not a signing protocol; it exists so the runtime's rules have a small, honest test bed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import * as c from '../codec.ts';
import type { PartyId } from '../ids.ts';
import type { Inbox, ProtocolDefinition, RoundResult } from '../protocol.ts';
import { bigintBytes } from '../transcript.ts';

const commitMsg = c.object({ C: c.bytes({ len: 32 }) });
const revealMsg = c.object({ r: c.bytes({ len: 32 }), salt: c.bytes({ len: 32 }) });
type CommitMsg = c.Infer<typeof commitMsg>;
type RevealMsg = c.Infer<typeof revealMsg>;

export interface CoinTossOutput {
  /** The shared random value, hex. */
  readonly coin: string;
}

function commitment(sid: Uint8Array, party: PartyId, r: Uint8Array, salt: Uint8Array): Uint8Array {
  const parts = [
    new TextEncoder().encode('quorate/toy/coin-toss/commit'),
    sid,
    bigintBytes(BigInt(party)),
    r,
    salt,
  ];
  const h = sha256.create();
  for (const p of parts) h.update(bigintBytes(BigInt(p.length))).update(p);
  return h.digest();
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

export const coinToss: ProtocolDefinition<CoinTossOutput> = {
  id: 'toy/coin-toss',
  version: 1,
  rounds: [
    { name: 'commit', kind: 'broadcast', payload: commitMsg, reliable: true },
    { name: 'reveal', kind: 'p2p', payload: revealMsg },
  ],
  maxMessageBytes: 4096,
  create(ctx) {
    const r = ctx.rng.bytes(32);
    const salt = ctx.rng.bytes(32);
    const commitments = new Map<PartyId, Uint8Array>();
    return {
      start: () => [
        {
          to: 'all',
          payload: { C: commitment(ctx.sessionId, ctx.self, r, salt) } satisfies CommitMsg,
        },
      ],
      verify(round, from, payload) {
        if (round !== 2) return undefined;
        const m = payload as RevealMsg;
        const C = commitments.get(from);
        if (!C || !equal(C, commitment(ctx.sessionId, from, m.r, m.salt)))
          return 'reveal does not open the round-1 commitment';
        return undefined;
      },
      finish(round, inbox: Inbox): RoundResult<CoinTossOutput> {
        if (round === 1) {
          for (const [p, m] of inbox) commitments.set(p, (m as CommitMsg).C);
          return {
            next: ctx.parties
              .filter((p) => p !== ctx.self)
              .map((to) => ({ to, payload: { r, salt } satisfies RevealMsg })),
          };
        }
        const h = sha256.create();
        for (const p of ctx.parties) h.update(p === ctx.self ? r : (inbox.get(p) as RevealMsg).r);
        return { output: { coin: Buffer.from(h.digest()).toString('hex') } };
      },
    };
  },
};
