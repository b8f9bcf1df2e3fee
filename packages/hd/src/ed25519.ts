/**
 * Additive HD derivation for Ed25519 threshold keys (Quorate scheme "quorate-ed25519-add-v1").
 *
 * Ed25519 has no BIP32. SLIP-0010 only derives hardened children and BIP32-Ed25519 (Khovratovich
 * & Law) needs the extended private key, so neither works below an MPC root. We use the same
 * shape as BIP32 CKDpub, with a wide hash so the tweak is uniform mod ℓ:
 *
 *   T   = HMAC-SHA512(c_par, 0x00 ‖ "quorate-ed25519-add-v1" ‖ A_par ‖ ser_32(i))
 *   t_i = LE(T) mod ℓ                         (64-byte reduction; t_i = 0 is refused)
 *   A_i = A_par + t_i·B                       (refused if A_i is the identity)
 *   c_i = HMAC-SHA512(c_par, 0x01 ‖ "quorate-ed25519-add-v1" ‖ A_par ‖ ser_32(i))[0..32]
 *
 * A_par is the 32-byte RFC 8032 encoding, ser_32(i) big-endian as in BIP32, i < 2^31. Each party
 * adds t_i to its share, so the group secret moves by t_i and signatures under A_i are ordinary
 * Ed25519 signatures (RFC 8032 verification does not need the seed-derived key, only a·B = A).
 * Anyone who knows (A_par, c_par) can link children to the root, exactly as with a BIP32 xpub.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Derivation, DerivationStep } from './bip32.ts';
import { DerivationPathError, HARDENED } from './path.ts';
import { remembered } from './remembered.ts';
import type { DerivePath } from './remembered.ts';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
export const ED25519_SCHEME = 'quorate-ed25519-add-v1';
const TAG = new TextEncoder().encode(ED25519_SCHEME);

function le(bytes: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(bytes).reverse().toString('hex'));
}

function frame(prefix: number, A: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(1 + TAG.length + 32 + 4);
  out[0] = prefix;
  out.set(TAG, 1);
  out.set(A, 1 + TAG.length);
  new DataView(out.buffer).setUint32(1 + TAG.length + 32, index, false);
  return out;
}

/** Derives a path below an Ed25519 root key (32-byte RFC 8032 encoding) and chain code. */
export const deriveEd25519: DerivePath = remembered(computeEd25519);

function computeEd25519(
  rootPublicKey: Uint8Array,
  chainCode: Uint8Array,
  steps: readonly number[],
): Derivation {
  if (rootPublicKey.length !== 32)
    throw new DerivationPathError('rootPublicKey', 'expected a 32-byte Ed25519 point');
  if (chainCode.length !== 32) throw new DerivationPathError('chainCode', 'expected 32 bytes');
  let A = Point.fromBytes(rootPublicKey);
  let c = Uint8Array.from(chainCode);
  let total = 0n;
  const out: DerivationStep[] = [];
  steps.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index >= HARDENED)
      throw new DerivationPathError(`path[${i}]`, 'expected a non-hardened index below 2^31');
    const Abytes = A.toBytes();
    const t = le(hmac(sha512, c, frame(0, Abytes, index))) % L;
    if (t === 0n) throw new DerivationPathError(`path[${i}]`, 'zero tweak: use the next index');
    const child = A.add(Point.BASE.multiply(t));
    if (child.is0()) throw new DerivationPathError(`path[${i}]`, 'child is the identity');
    c = hmac(sha512, c, frame(1, Abytes, index)).slice(0, 32);
    A = child;
    total = (total + t) % L;
    out.push({ index, tweak: t, publicKey: A.toBytes(), chainCode: c });
  });
  return { path: steps, publicKey: A.toBytes(), chainCode: c, tweak: total, steps: out };
}
