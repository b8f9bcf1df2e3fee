/**
 * The BitGo peer of the CGGMP21 benchmark: @bitgo/sdk-core's TSS ECDSA (account-lib/mpc/tss/
 * ecdsa, GG18-style with Paillier-3072 and range proofs over Ntilde), 2-of-3, parties 1 and 2
 * signing, following the flow of BitGo's own unit test (keyShare → keyCombine → appendChallenge
 * → signShare → signConvertStep1/2/3 → signCombine → sign → generateVAProofs → verifyVAShares
 * → verifyUTShares → constructSignature → verify).
 *
 * Prime generation is kept out of the timings, as for ours: paillier-bigint's generateRandomKeys
 * is replaced by keys built from the committed 3072-level safe primes of @quorate/paillier, and
 * Ntilde is built from committed safe primes too (only its two proofs are timed as the
 * range-proof setup). Loaded from bench/peers/cggmp21 only.
 */
import { modInverse } from '@quorate/bigint';
import { fixtures } from '@quorate/paillier';

type Row = (key: string, s: { min: number; median: number; max: number; n: number }) => void;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function stat(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: s[0] ?? NaN,
    median: s[Math.floor(s.length / 2)] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    n: s.length,
  };
}

export async function bitgoBench(peerRequire: NodeJS.Require, runs: number, row: Row) {
  const tss: Any = peerRequire('@bitgo/sdk-core/dist/src/account-lib/mpc/tss');
  const mpc: Any = peerRequire('@bitgo/sdk-lib-mpc');
  const paillier: Any = peerRequire('paillier-bigint');
  const pairs = fixtures.primes3072;

  // Paillier keys from committed primes (the simple variant g = N + 1, as BitGo asks for).
  let next = 0;
  paillier.generateRandomKeys = async () => {
    const [p, q] = pairs[3 + (next++ % 3)] as [bigint, bigint];
    const n = p * q;
    const lambda = (p - 1n) * (q - 1n);
    const pub = new paillier.PublicKey(n, n + 1n);
    return {
      publicKey: pub,
      privateKey: new paillier.PrivateKey(lambda, modInverse(lambda, n), pub, p, q),
    };
  };

  const ecdsa: Any = new tss.Ecdsa();
  const kg: number[] = [];
  let combined: Any[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const ks = await Promise.all([1, 2, 3].map((i) => ecdsa.keyShare(i, 2, 3)));
    combined = [1, 2, 3].map((i) =>
      ecdsa.keyCombine(
        ks[i - 1].pShare,
        [1, 2, 3].filter((j) => j !== i).map((j) => ks[j - 1].nShares[i]),
      ),
    );
    kg.push(performance.now() - t0);
  }
  row('bitgo 2-of-3 keygen (Paillier keys from fixtures)', stat(kg));

  // Range-proof setup per party: Ntilde = p·q of safe primes, h1 = f1², h2 = h1^f2, and the two
  // proofs of BitGo's generateNtilde (the timed part).
  const setup: number[] = [];
  const ntildes: Any[] = [];
  for (let r = 0; r < Math.min(runs, 2); r++) {
    const [p, q] = pairs[r % 3] as [bigint, bigint];
    const N = p * q;
    const q1 = (p - 1n) / 2n;
    const q2 = (q - 1n) / 2n;
    const f1 = 0xc0ffeen + BigInt(r);
    const f2 = 0xdecafn + 2n * BigInt(r);
    const t0 = performance.now();
    const h1 = (f1 * f1) % N;
    const h2 = bigPow(h1, f2, N);
    const beta = modInverse(f2, q1 * q2);
    const [a, b] = await Promise.all([
      mpc.EcdsaRangeProof.generateNtildeProof({ h1, h2, ntilde: N }, f2, q1, q2),
      mpc.EcdsaRangeProof.generateNtildeProof({ h1: h2, h2: h1, ntilde: N }, beta, q1, q2),
    ]);
    setup.push(performance.now() - t0);
    ntildes.push({
      ntilde: N,
      h1,
      h2,
      ntildeProof: { h1WrtH2: { alpha: a.alpha, t: a.t }, h2WrtH1: { alpha: b.alpha, t: b.t } },
    });
  }
  row('bitgo range-proof setup (Ntilde proofs, per party)', stat(setup));

  const [kc1, kc2] = combined as [Any, Any];
  const message = Buffer.from('quorate bench');
  const sg: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const i1 = kc1.xShare.i;
    const i2 = kc2.xShare.i;
    const [n1, n2] = [
      mpc.EcdsaTypes.serializeNtildeWithProofs(ntildes[0]),
      mpc.EcdsaTypes.serializeNtildeWithProofs(ntildes[1]),
    ];
    const [c12, c21] = await Promise.all([
      mpc.EcdsaPaillierProof.generateP(mpc.hexToBigInt(kc1.yShares[i2].n)),
      mpc.EcdsaPaillierProof.generateP(mpc.hexToBigInt(kc2.yShares[i1].n)),
    ]);
    const ch12 = mpc.EcdsaTypes.serializePaillierChallenge({ p: c12 });
    const ch21 = mpc.EcdsaTypes.serializePaillierChallenge({ p: c21 });
    const xShare1 = ecdsa.appendChallenge(kc1.xShare, n1, ch12);
    const xShare2 = ecdsa.appendChallenge(kc2.xShare, n2, ch21);
    const yShare2 = ecdsa.appendChallenge(kc1.yShares[i2], n2, ch21);
    const ss = await ecdsa.signShare(xShare1, yShare2);
    const s1 = await ecdsa.signConvertStep1({
      xShare: xShare2,
      yShare: kc2.yShares[i1],
      kShare: ss.kShare,
    });
    const s2 = await ecdsa.signConvertStep2({ aShare: s1.aShare, wShare: ss.wShare });
    const s3 = await ecdsa.signConvertStep3({ muShare: s2.muShare, bShare: s1.bShare });
    const sc1 = ecdsa.signCombine({
      gShare: s2.gShare,
      signIndex: { i: s2.muShare.i, j: s2.muShare.j },
    });
    const sc2 = ecdsa.signCombine({
      gShare: s3.gShare,
      signIndex: { i: s3.signIndex.i, j: s3.signIndex.j },
    });
    const t1 = performance.now();
    const v1 = ecdsa.generateVAProofs(message, ecdsa.sign(message, sc1.oShare, sc2.dShare));
    const v2 = ecdsa.generateVAProofs(message, ecdsa.sign(message, sc2.oShare, sc1.dShare));
    const u1 = ecdsa.verifyVAShares(v1, [v2]);
    const u2 = ecdsa.verifyVAShares(v2, [v1]);
    const sig = ecdsa.constructSignature([
      ecdsa.verifyUTShares(u1, [u2]),
      ecdsa.verifyUTShares(u2, [u1]),
    ]);
    if (!ecdsa.verify(message, sig)) throw new Error('BitGo signature does not verify');
    const t2 = performance.now();
    sg.push(t2 - t0);
    if (r === 0)
      console.log(
        `(bitgo first run: phases 1–4 ${(t1 - t0).toFixed(0)} ms, phase 5 ${(t2 - t1).toFixed(1)} ms)`,
      );
  }
  row('bitgo 2-of-3 sign total', stat(sg));
}

function bigPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
