/**
 * Derivations are pure functions of public inputs (root public key, chain code, path), and a
 * co-signer derives the same account key for every signature of that account: one elliptic-curve
 * multiplication and two point encodings per path step. So results are remembered by their
 * inputs (bounded, least recently used dropped first). Errors are not remembered. Each caller
 * gets its own copy of the byte arrays, so nothing a caller does reaches the remembered result.
 */
import { RecentMap } from '@quorate/runtime/recent';
import type { Derivation } from './bip32.ts';
import { parsePath } from './path.ts';

const REMEMBERED = 1024;

type Derive = (root: Uint8Array, chainCode: Uint8Array, steps: readonly number[]) => Derivation;
/** A derivation by path: `m/0/5` or the list of indices. */
export type DerivePath = (
  rootPublicKey: Uint8Array,
  chainCode: Uint8Array,
  path: string | readonly number[],
) => Derivation;

const copy = (d: Derivation): Derivation => ({
  path: [...d.path],
  publicKey: d.publicKey.slice(),
  chainCode: d.chainCode.slice(),
  tweak: d.tweak,
  steps: d.steps.map((s) => ({
    ...s,
    publicKey: s.publicKey.slice(),
    chainCode: s.chainCode.slice(),
  })),
});

/** `derive` by path (parsed here; a bad path is refused before anything), remembered. */
export function remembered(derive: Derive): DerivePath {
  const seen = new RecentMap<string, Derivation>(REMEMBERED);
  return (root, chainCode, path) => {
    const steps = typeof path === 'string' ? parsePath(path) : [...path];
    const id = `${Buffer.from(root).toString('hex')}|${Buffer.from(chainCode).toString('hex')}|${steps.join('/')}`;
    return copy(seen.remember(id, () => derive(root, chainCode, steps)));
  };
}
