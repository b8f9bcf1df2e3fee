/**
 * @quorate/hd — HD derivation below a threshold key's root: BIP32 non-hardened public derivation
 * on secp256k1 (with each step's share tweak) and the additive Ed25519 scheme. See README.md.
 */
export { deriveSecp256k1 } from './bip32.ts';
export type { Derivation, DerivationStep } from './bip32.ts';
export { deriveEd25519, ED25519_SCHEME } from './ed25519.ts';
export { DerivationPathError, formatPath, parsePath, HARDENED, MAX_DEPTH } from './path.ts';
