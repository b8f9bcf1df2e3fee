/**
 * The signing key a FROST signature is made with: the key share's group key, optionally moved
 * by HD derivation (a public tweak added to every share), and for BIP340/Taproot normalized to
 * even Y and tweaked per BIP341 (taproot_tweak_pubkey: t = H_TapTweak(x(P) ‖ merkle_root),
 * Q = P + t·G), as frost-secp256k1-tr does. Derivation happens on the untweaked internal key;
 * the Taproot tweak comes last. The result is always even-Y for Taproot, so signers negate their
 * shares where the key had odd Y, and x(Q) is the BIP340 public key.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { deriveEd25519, deriveSecp256k1 } from '@quorate/hd';
import type { Derivation } from '@quorate/hd';
import type { PartyId } from '@quorate/runtime';
import { mod } from './core.ts';
import type { KeyShare } from './keyshare.ts';
import { beToBig, getSuite, hasEvenY, negatePoint } from './suite.ts';
import type { Point, Suite } from './suite.ts';

export interface SigningKey {
  readonly suite: Suite;
  readonly threshold: number;
  readonly parties: readonly PartyId[];
  readonly self: PartyId;
  readonly secretShare: bigint;
  /** The key the signature verifies under (even-Y for Taproot). */
  readonly publicKey: Point;
  readonly verifyingShares: ReadonlyMap<PartyId, Point>;
  /** HD derivation applied, if any. */
  readonly derivation: Derivation | undefined;
}

export interface SigningKeyOptions {
  /** Non-hardened HD path below the key's root, e.g. "m/0/5". */
  readonly path?: string;
  /**
   * Taproot only: apply the BIP341 tweak with this merkle root (empty = key-path only, BIP86).
   * Omitted: plain BIP340 signature under the (even-Y) internal key.
   */
  readonly merkleRoot?: Uint8Array;
}

/** BIP341 TapTweak scalar of an x-only key and merkle root; refuses t ≥ n (BIP341). */
export function tapTweak(internalKey: Point, merkleRoot: Uint8Array): bigint {
  if (merkleRoot.length !== 0 && merkleRoot.length !== 32)
    throw new RangeError('merkleRoot: expected 0 or 32 bytes');
  const t = beToBig(
    schnorr.utils.taggedHash('TapTweak', internalKey.toBytes(true).subarray(1), merkleRoot),
  );
  if (t >= getSuite('secp256k1-tr').order) throw new RangeError('TapTweak hash is not below n');
  return t;
}

function shift(suite: Suite, k: Mutable, t: bigint): void {
  if (t === 0n) return;
  // The tweak (HD step or TapTweak) comes from public data only, so T = t·G needs no
  // constant-time multiplication.
  const T = suite.mulBasePublic(t);
  k.secretShare = mod(k.secretShare + t, suite.order);
  k.publicKey = k.publicKey.add(T);
  for (const [p, Y] of k.verifyingShares) k.verifyingShares.set(p, Y.add(T));
}

function negate(suite: Suite, k: Mutable): void {
  k.secretShare = mod(-k.secretShare, suite.order);
  k.publicKey = negatePoint(k.publicKey);
  for (const [p, Y] of k.verifyingShares) k.verifyingShares.set(p, negatePoint(Y));
}

interface Mutable {
  secretShare: bigint;
  publicKey: Point;
  verifyingShares: Map<PartyId, Point>;
}

export function signingKey(share: KeyShare, opts: SigningKeyOptions = {}): SigningKey {
  const suite = getSuite(share.suite);
  const k: Mutable = {
    secretShare: share.secretShare,
    publicKey: share.publicKey,
    verifyingShares: new Map(share.verifyingShares),
  };
  let derivation: Derivation | undefined;
  if (opts.path !== undefined && opts.path !== 'm') {
    derivation =
      suite.id === 'ed25519'
        ? deriveEd25519(suite.encodePoint(share.publicKey), share.chainCode, opts.path)
        : deriveSecp256k1(suite.encodePoint(share.publicKey), share.chainCode, opts.path);
    shift(suite, k, derivation.tweak);
  }
  if (opts.merkleRoot !== undefined && !suite.taproot)
    throw new RangeError('merkleRoot: only the secp256k1-tr suite has a Taproot tweak');
  if (suite.taproot) {
    if (!hasEvenY(k.publicKey)) negate(suite, k);
    if (opts.merkleRoot !== undefined) {
      shift(suite, k, tapTweak(k.publicKey, opts.merkleRoot));
      if (!hasEvenY(k.publicKey)) negate(suite, k);
    }
  }
  return {
    suite,
    threshold: share.threshold,
    parties: share.parties,
    self: share.self,
    secretShare: k.secretShare,
    publicKey: k.publicKey,
    verifyingShares: k.verifyingShares,
    derivation,
  };
}

/** The public key in its external form: 32-byte Ed25519, x-only BIP340, or 33-byte SEC1. */
export function externalKey(suite: Suite, P: Point): Uint8Array {
  const b = suite.encodePoint(P);
  return suite.taproot ? b.subarray(1) : b;
}
