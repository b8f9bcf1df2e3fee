/**
 * Trusted-dealer key split (RFC 9591 Appendix C, trusted_dealer_keygen with Shamir and Feldman
 * commitments): imports an existing secret key, or a fresh one, as t-of-n FROST shares. The
 * dealer sees the whole key, so this is for importing keys only; new keys use the DKG.
 */
import type { PartyId, Rng } from '@quorate/runtime';
import { cryptoRng, normalizeParties } from '@quorate/runtime';
import { polyEval, randomScalar } from './core.ts';
import { KEY_SHARE_VERSION, validateKeyShare, verifyingSharesFrom } from './keyshare.ts';
import type { KeyShare } from './keyshare.ts';
import { getSuite } from './suite.ts';
import type { SuiteId } from './suite.ts';

export interface DealerOptions {
  readonly suite: SuiteId;
  readonly threshold: number;
  readonly parties: readonly PartyId[];
  /** The secret scalar to import; a fresh one when omitted. */
  readonly secret?: bigint;
  /** 32-byte chain code for HD derivation; random when omitted. */
  readonly chainCode?: Uint8Array;
  readonly rng?: Rng;
}

export function dealerSplit(opts: DealerOptions): Map<PartyId, KeyShare> {
  const suite = getSuite(opts.suite);
  const rng = opts.rng ?? cryptoRng;
  const parties = normalizeParties(opts.parties);
  if (!Number.isInteger(opts.threshold) || opts.threshold < 1 || opts.threshold > parties.length)
    throw new RangeError(`threshold: must be in 1..${parties.length}`);
  const secret = opts.secret ?? randomScalar(suite, rng);
  if (secret <= 0n || secret >= suite.order) throw new RangeError('secret: out of range');
  const coeffs = [secret];
  for (let k = 1; k < opts.threshold; k++) coeffs.push(randomScalar(suite, rng));
  const C = coeffs.map((a) => suite.mulBase(a));
  const chainCode = opts.chainCode ?? rng.bytes(32);
  const vs = verifyingSharesFrom(suite, parties, [C]);
  const out = new Map<PartyId, KeyShare>();
  for (const p of parties) {
    out.set(
      p,
      validateKeyShare(
        {
          version: KEY_SHARE_VERSION,
          suite: opts.suite,
          threshold: opts.threshold,
          parties,
          self: p,
          secretShare: polyEval(coeffs, BigInt(p), suite.order),
          publicKey: C[0] as (typeof C)[number],
          verifyingShares: vs,
          chainCode: Uint8Array.from(chainCode),
          epoch: 0,
        },
        false,
      ),
    );
  }
  return out;
}
