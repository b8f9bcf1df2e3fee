/**
 * Test-only MPC signers: the real threshold protocols run with every party in this process.
 *  - ECDSA: CGGMP21 presign + one-round sign (eprint 2021/060, Fig. 7-8) with the committed
 *    2-of-3 key shares at the 2048-bit Paillier level from @quorate/cggmp21's test fixtures;
 *  - BIP340 and Ed25519: FROST (RFC 9591) DKG then signing, 2-of-3.
 * Not production code: a deployment signs through the hub (see @quorate/sdk).
 */
import { readFileSync } from 'node:fs';
import { deserializeKeyShare, presign, Presignature, sign as cggmpSign } from '@quorate/cggmp21';
import type { KeyShare as EcdsaShare } from '@quorate/cggmp21';
import { externalKey, frostDkg, frostSign, getSuite, signingKey } from '@quorate/frost';
import type { KeyShare as FrostShare, SigningKeyOptions } from '@quorate/frost';
import { simulate } from '@quorate/runtime/harness';
import type { ProtocolError } from '@quorate/runtime';
import type { Bip340Signer, EcdsaSigner, Ed25519Signer } from '../../src/signer.ts';

function firstError(errors: ReadonlyMap<number, ProtocolError>): void {
  const e = errors.values().next();
  if (!e.done) throw e.value;
}

function loadEcdsaShares(): EcdsaShare[] {
  const file = new URL('../../../cggmp21/test/fixtures/shares-2-of-3-2048.json', import.meta.url);
  const { shares } = JSON.parse(readFileSync(file, 'utf8')) as { shares: string[] };
  return shares.map((s) => deserializeKeyShare(new TextEncoder().encode(s)));
}

export interface CountingSigner {
  /** How many signatures the threshold protocol produced. */
  readonly count: () => number;
}

/** CGGMP21 2-of-3 with the fixture key; each signature uses a fresh presignature of parties 1, 2. */
export function inProcessEcdsaSigner(): EcdsaSigner & CountingSigner {
  const shares = loadEcdsaShares();
  const byParty = new Map(shares.map((s) => [s.core.i, s]));
  const signers = [1, 2];
  const publicKey = (shares[0] as EcdsaShare).core.publicKey.toBytes(true);
  let n = 0;
  return {
    algorithm: 'ecdsa-secp256k1',
    count: () => n,
    async publicKey() {
      return publicKey;
    },
    async signDigest(digest) {
      const pre = simulate(presign, {
        parties: signers,
        config: (p) => ({ share: byParty.get(p) as EcdsaShare }),
      });
      firstError(pre.errors);
      const presigs = new Map([...pre.outputs].map(([p, o]) => [p, new Presignature(o)]));
      const sg = simulate(cggmpSign, {
        parties: signers,
        config: (p) => ({ presignature: presigs.get(p) as Presignature, digest, shift: 0n }),
      });
      firstError(sg.errors);
      const sig = sg.outputs.get(1);
      if (!sig) throw new Error('no signature');
      n++;
      return { r: sig.r, s: sig.s, recoveryId: sig.recoveryId };
    },
  };
}

function frostShares(suiteId: 'ed25519' | 'secp256k1-tr'): Map<number, FrostShare> {
  const dkg = simulate(frostDkg(suiteId), {
    parties: [1, 2, 3],
    threshold: 2,
    config: () => undefined,
  });
  firstError(dkg.errors);
  return dkg.outputs as Map<number, FrostShare>;
}

function frostSignWith(
  suiteId: 'ed25519' | 'secp256k1-tr',
  shares: Map<number, FrostShare>,
  message: Uint8Array,
  key: SigningKeyOptions,
): Uint8Array {
  const sg = simulate(frostSign(suiteId), {
    parties: [2, 3],
    config: (p) => ({ share: shares.get(p) as FrostShare, message, key }),
  });
  firstError(sg.errors);
  const out = sg.outputs.get(2);
  if (!out) throw new Error('no signature');
  return out.signature;
}

/** FROST BIP340 2-of-3 from a fresh DKG; `publicKey()` is the even-Y x-only internal key. */
export function inProcessBip340Signer(): Bip340Signer & CountingSigner {
  const shares = frostShares('secp256k1-tr');
  const suite = getSuite('secp256k1-tr');
  const internal = externalKey(suite, signingKey(shares.get(1) as FrostShare).publicKey);
  let n = 0;
  return {
    algorithm: 'schnorr-bip340',
    count: () => n,
    async publicKey() {
      return internal;
    },
    async signDigest(message, opts) {
      const key: SigningKeyOptions =
        opts?.taprootMerkleRoot !== undefined ? { merkleRoot: opts.taprootMerkleRoot } : {};
      n++;
      return { signature: frostSignWith('secp256k1-tr', shares, message, key) };
    },
  };
}

/** FROST Ed25519 2-of-3 from a fresh DKG. */
export function inProcessEd25519Signer(): Ed25519Signer & CountingSigner {
  const shares = frostShares('ed25519');
  const suite = getSuite('ed25519');
  const publicKey = externalKey(suite, (shares.get(1) as FrostShare).publicKey);
  let n = 0;
  return {
    algorithm: 'eddsa-ed25519',
    count: () => n,
    async publicKey() {
      return publicKey;
    },
    async signDigest(message) {
      n++;
      return { signature: frostSignWith('ed25519', shares, message, {}) };
    },
  };
}
