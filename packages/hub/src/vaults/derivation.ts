/**
 * PUBLIC derivation of vault accounts below the MPC root (issue 7 "Vaults": "accounts and
 * addresses by BIP44-style non-hardened paths below the MPC root"). The hub stores the path; the
 * co-signers derive their share tweaks. The hub only computes the child public key and address
 * from the root public key and chain code, so it can show addresses and verify signatures:
 *  - ecdsa-secp256k1: BIP32 CKDpub (@scure/bip32) → EVM address (keccak-256, EIP-55 checksum);
 *  - schnorr-bip340: BIP32 CKDpub, then the BIP341 key-path tweak with no script tree →
 *    P2TR address (bech32m, witness v1, mainnet "bc");
 *  - eddsa-ed25519: the additive scheme "quorate-ed25519-add-v1" of packages/hd (the co-signers'
 *    derivation; restated here because the hub may not import it) → Solana address (base58).
 * Hardened steps are refused: nobody holds the root private key.
 */
import { createPublicKey, verify } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { RecentMap } from '@quorate/runtime/recent';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { base58, bech32m, hex } from '@scure/base';
import { HubError } from '../http/errors.ts';
import type { KeyAlgorithmName } from '../orchestration/tables.ts';

const HARDENED = 0x8000_0000;
const MAX_DEPTH = 255;

/** `m/44/60/0/0/5` → [44, 60, 0, 0, 5]; refuses hardened or malformed steps, naming the field. */
export function parsePath(path: string, field = 'path'): number[] {
  if (typeof path !== 'string' || !/^m(\/[0-9]+)*$/.test(path))
    throw new HubError(
      'validation_failed',
      'expected a non-hardened path such as m/44/60/0/0/0 (no hardened steps below an MPC root)',
      field,
    );
  const steps = path === 'm' ? [] : path.slice(2).split('/').map(Number);
  if (steps.length > MAX_DEPTH) throw new HubError('validation_failed', 'path too deep', field);
  steps.forEach((s) => {
    if (!Number.isSafeInteger(s) || s >= HARDENED)
      throw new HubError('validation_failed', 'every step must be below 2^31', field);
  });
  return steps;
}

function eip55(addr: Uint8Array): string {
  const lower = hex.encode(addr);
  const h = hex.encode(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < lower.length; i++)
    out += parseInt(h[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}

export function evmAddress(compressedPublicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(compressedPublicKey).toBytes(false);
  return eip55(keccak_256(uncompressed.subarray(1)).subarray(12));
}

/** BIP341 output key (x-only) of an internal key with no script tree. */
export function taprootOutputKey(compressedInternalKey: Uint8Array): Uint8Array {
  const P = secp256k1.Point.fromBytes(compressedInternalKey);
  const even = P.toBytes(true)[0] === 2 ? P : P.negate();
  const x = even.toBytes(true).subarray(1);
  const t = BigInt('0x' + hex.encode(schnorr.utils.taggedHash('TapTweak', x)));
  if (t >= secp256k1.Point.Fn.ORDER) throw new HubError('internal', 'TapTweak out of range');
  return even.add(secp256k1.Point.BASE.multiply(t)).toBytes(true).subarray(1);
}

const ED_TAG = new TextEncoder().encode('quorate-ed25519-add-v1');
function edFrame(prefix: number, A: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(1 + ED_TAG.length + 36);
  out[0] = prefix;
  out.set(ED_TAG, 1);
  out.set(A, 1 + ED_TAG.length);
  new DataView(out.buffer).setUint32(1 + ED_TAG.length + 32, index, false);
  return out;
}

function deriveEd25519(root: Uint8Array, chainCode: Uint8Array, steps: readonly number[]) {
  const L = ed25519.Point.Fn.ORDER;
  let A = ed25519.Point.fromBytes(root);
  let c = chainCode;
  for (const index of steps) {
    const Ab = A.toBytes();
    const t = BigInt('0x' + hex.encode(hmac(sha512, c, edFrame(0, Ab, index)).reverse())) % L;
    if (t === 0n) throw new HubError('validation_failed', 'zero tweak: use the next index', 'path');
    A = A.add(ed25519.Point.BASE.multiply(t));
    c = hmac(sha512, c, edFrame(1, Ab, index)).slice(0, 32);
  }
  return A.toBytes();
}

export interface DerivedAccount {
  /** Hex: compressed secp256k1 (33 bytes) or Ed25519 (32 bytes). */
  readonly publicKey: string;
  /** The key signatures verify under: the child key, or for Taproot the x-only output key. */
  readonly verifyingKey: string;
  readonly address: string;
}

/** Derived accounts kept (public values only), least recently used dropped first. */
const DERIVED_ACCOUNTS = 4096;
const derived = new RecentMap<string, DerivedAccount>(DERIVED_ACCOUNTS);

/**
 * The account below a vault key (its public key, verifying key and address). Derivation is pure
 * and public, and every transaction re-derives its account (a pure-JS point multiplication per
 * path step), so results are remembered by their inputs. Errors are not remembered.
 */
export function deriveAccount(
  algorithm: KeyAlgorithmName,
  rootPublicKeyHex: string,
  chainCodeHex: string,
  path: string,
): DerivedAccount {
  return derived.remember(`${algorithm}|${rootPublicKeyHex}|${chainCodeHex}|${path}`, () =>
    Object.freeze(computeAccount(algorithm, rootPublicKeyHex, chainCodeHex, path)),
  );
}

function computeAccount(
  algorithm: KeyAlgorithmName,
  rootPublicKeyHex: string,
  chainCodeHex: string,
  path: string,
): DerivedAccount {
  const steps = parsePath(path);
  const chainCode = hex.decode(chainCodeHex);
  const root = hex.decode(rootPublicKeyHex);
  if (algorithm === 'eddsa-ed25519') {
    const pk = deriveEd25519(root, chainCode, steps);
    return { publicKey: hex.encode(pk), verifyingKey: hex.encode(pk), address: base58.encode(pk) };
  }
  const child = new HDKey({ publicKey: root, chainCode }).derive(path);
  const pk = child.publicKey;
  if (pk === null) throw new HubError('internal', 'derivation produced no public key');
  if (algorithm === 'ecdsa-secp256k1')
    return { publicKey: hex.encode(pk), verifyingKey: hex.encode(pk), address: evmAddress(pk) };
  const q = taprootOutputKey(pk);
  return {
    publicKey: hex.encode(pk),
    verifyingKey: hex.encode(q),
    address: bech32m.encode('bc', [1, ...bech32m.toWords(q)]),
  };
}

/** Checks a root public key reported by a DKG has the algorithm's encoding. */
export function checkRootKey(
  algorithm: KeyAlgorithmName,
  publicKeyHex: string,
  chainCodeHex: string,
) {
  try {
    if (!/^[0-9a-f]{64}$/.test(chainCodeHex)) return false;
    const b = hex.decode(publicKeyHex);
    if (algorithm === 'eddsa-ed25519') ed25519.Point.fromBytes(b);
    else if (b.length !== 33) return false;
    else secp256k1.Point.fromBytes(b);
    return true;
  } catch {
    return false;
  }
}

/** Verifies a signature over `digest` (hex) under the derived account's verifying key. */
export function verifySignature(
  algorithm: KeyAlgorithmName,
  verifyingKeyHex: string,
  digestHex: string,
  signatureHex: string,
): boolean {
  try {
    const sig = hex.decode(signatureHex);
    const msg = hex.decode(digestHex);
    const key = hex.decode(verifyingKeyHex);
    // OpenSSL's RFC 8032 verification (strict encodings), about ten times faster than pure JS.
    if (algorithm === 'eddsa-ed25519')
      return (
        key.length === 32 &&
        verify(
          null,
          msg,
          createPublicKey({
            key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key).toString('base64url') },
            format: 'jwk',
          }),
          sig,
        )
      );
    if (algorithm === 'schnorr-bip340') return schnorr.verify(sig, msg, key);
    return secp256k1.verify(sig, msg, key, { prehash: false, lowS: true, format: 'compact' });
  } catch {
    return false;
  }
}
