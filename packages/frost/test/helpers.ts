// Shared helpers of the FROST tests: run DKG / signing through the runtime's harness.
import { simulate } from '@quorate/runtime/harness';
import type { Interceptor } from '@quorate/runtime/harness';
import { frostDkg } from '../src/dkg.ts';
import { frostSign } from '../src/sign.ts';
import type { SignConfig } from '../src/sign.ts';
import type { KeyShare } from '../src/keyshare.ts';
import type { SuiteId } from '../src/suite.ts';

export function runDkg(suite: SuiteId, t: number, n: number, seed = `dkg-${suite}-${t}-${n}`) {
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  const r = simulate(frostDkg(suite), { parties, threshold: t, seed, config: () => undefined });
  const first = r.errors.values().next();
  if (!first.done) throw first.value;
  return r.outputs as Map<number, KeyShare>;
}

export function runSign(
  shares: ReadonlyMap<number, KeyShare>,
  signers: readonly number[],
  message: Uint8Array,
  opts: {
    seed?: string;
    interceptors?: readonly Interceptor[];
    config?: (p: number) => Partial<SignConfig>;
  } = {},
) {
  const suite = (shares.values().next().value as KeyShare).suite;
  return simulate(frostSign(suite), {
    parties: signers,
    seed: opts.seed ?? 'sign',
    ...(opts.interceptors ? { interceptors: opts.interceptors } : {}),
    config: (p) => ({ share: shares.get(p) as KeyShare, message, ...(opts.config?.(p) ?? {}) }),
  });
}

export const te = (s: string) => new TextEncoder().encode(s);
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
