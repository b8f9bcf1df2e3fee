/**
 * BIP32 non-hardened public derivation on secp256k1 for threshold keys (BIP32, "Public parent
 * key → public child key", CKDpub), with the additive share tweak of each step.
 *
 * For a step i: I = HMAC-SHA512(c_par, ser_P(K_par) ‖ ser_32(i)), I_L < n, K_i = I_L·G + K_par,
 * c_i = I_R. The child private key would be k_par + I_L, so with Shamir (or additive) shares
 * every party adds the same public I_L to its share: Lagrange coefficients over any signer set
 * sum to 1, so the shared secret moves by exactly I_L. The total tweak of a path is the sum of
 * its steps' I_L (mod n). Invalid steps (I_L ≥ n or an infinite child) are errors, as BIP32 says
 * to proceed with the next index instead; the caller chooses that, never this code.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { DerivationPathError, HARDENED } from './path.ts';
import { remembered } from './remembered.ts';
import type { DerivePath } from './remembered.ts';

const Point = secp256k1.Point;
const N = Point.Fn.ORDER;

export interface DerivationStep {
  readonly index: number;
  /** I_L: the scalar every party adds to its share for this step. */
  readonly tweak: bigint;
  /** Child public key (33-byte compressed SEC1). */
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
}

export interface Derivation {
  readonly path: readonly number[];
  /** Child public key at the end of the path (33-byte compressed SEC1). */
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  /** Sum of the steps' tweaks mod n: child secret = root secret + tweak. */
  readonly tweak: bigint;
  readonly steps: readonly DerivationStep[];
}

function be(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

/**
 * Derives a non-hardened path from a root public key and chain code.
 * @param rootPublicKey 33-byte compressed SEC1 point (the group key of the threshold key).
 * @param chainCode 32 bytes.
 * @param path `m/0/5` or the list of indices.
 */
export const deriveSecp256k1: DerivePath = remembered(computeSecp256k1);

function computeSecp256k1(
  rootPublicKey: Uint8Array,
  chainCode: Uint8Array,
  steps: readonly number[],
): Derivation {
  if (rootPublicKey.length !== 33)
    throw new DerivationPathError('rootPublicKey', 'expected a 33-byte compressed point');
  if (chainCode.length !== 32) throw new DerivationPathError('chainCode', 'expected 32 bytes');
  let K = Point.fromBytes(rootPublicKey);
  let c = Uint8Array.from(chainCode);
  let total = 0n;
  const out: DerivationStep[] = [];
  steps.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index >= HARDENED)
      throw new DerivationPathError(`path[${i}]`, 'expected a non-hardened index below 2^31');
    const data = new Uint8Array(37);
    data.set(K.toBytes(true));
    new DataView(data.buffer).setUint32(33, index, false);
    const I = hmac(sha512, c, data);
    const il = be(I.subarray(0, 32));
    if (il >= N)
      throw new DerivationPathError(`path[${i}]`, 'I_L ≥ n: invalid child, use the next index');
    const child = il === 0n ? K : K.add(Point.BASE.multiply(il));
    if (child.is0()) throw new DerivationPathError(`path[${i}]`, 'child is the point at infinity');
    K = child;
    c = I.slice(32);
    total = (total + il) % N;
    out.push({ index, tweak: il, publicKey: K.toBytes(true), chainCode: c });
  });
  return { path: steps, publicKey: K.toBytes(true), chainCode: c, tweak: total, steps: out };
}
