// Aux-info (CGGMP21 Fig. 6, aux part): honest run and blame for bad moduli and proofs; and the
// committed key-share fixtures that pin the stored format.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fixtures, LEVEL_2048 } from '@quorate/paillier';
import { simulate, tamperField } from '@quorate/runtime/harness';
import type { Json } from '@quorate/runtime';
import { auxInfo, checkPublicAux } from '../src/aux-info.ts';
import { serializeKeyShare, deserializeKeyShare, InvalidKeyShareError } from '../src/key-share.ts';
import { fixtureText, loadShares } from './fixtures.ts';

const primes = (p: number) => fixtures.primes2048[p - 1] as [bigint, bigint];

describe('aux-info', () => {
  test("three parties agree on everyone's public parameters; own primes match own N", () => {
    const r = simulate(auxInfo, {
      parties: [1, 2, 3],
      config: (p) => ({ level: LEVEL_2048, primes: primes(p) }),
      seed: 'aux',
    });
    assert.equal(r.errors.size, 0, [...r.errors.values()].map((e) => e.message).join());
    const outs = [...r.outputs.values()];
    for (const o of outs) {
      assert.deepEqual(o.public, outs[0]!.public);
      assert.equal(o.p * o.q, o.public[o.parties.indexOf(o.i)]!.N);
      assert.equal(o.level, '2048');
    }
  });

  test('an opening that does not match its commitment names the sender', () => {
    const r = simulate(auxInfo, {
      parties: [1, 2],
      config: (p) => ({ level: LEVEL_2048, primes: primes(p) }),
      seed: 'aux-bad',
      interceptors: [
        tamperField({ from: 2, round: 2 }, 'u', (u: Json) =>
          (u as string).replace(/^./, (c) => (c === '0' ? '1' : '0')),
        ),
      ],
    });
    assert.deepEqual(r.errors.get(1)?.culprits, [2]);
    assert.equal(
      r.errors.get(1)?.blame[0]?.reason,
      'opening does not match its round-1 commitment V',
    );
  });

  test('public parameters with a bad modulus are refused (BitForge, even, short)', () => {
    const [p, q] = fixtures.primes2048[5]!;
    const N = p * q;
    const good = { N, s: 4n, t: 9n };
    assert.equal(checkPublicAux(good, LEVEL_2048), undefined);
    const smallFactors = (N / 3n) * 3n + 3n; // a multiple of 3 of the same size
    assert.match(
      checkPublicAux({ ...good, N: smallFactors }, LEVEL_2048) ?? '',
      /^bad Paillier\/ring-Pedersen parameters/,
    );
    assert.match(
      checkPublicAux({ ...good, N: N + 1n }, LEVEL_2048) ?? '',
      /^bad Paillier\/ring-Pedersen parameters/,
    );
    assert.match(
      checkPublicAux({ ...good, N: p }, LEVEL_2048) ?? '',
      /^bad Paillier\/ring-Pedersen parameters/,
    );
    assert.match(
      checkPublicAux({ ...good, s: 1n }, LEVEL_2048) ?? '',
      /^bad Paillier\/ring-Pedersen parameters/,
    );
    assert.match(
      checkPublicAux({ ...good, s: 9n }, LEVEL_2048) ?? '',
      /^bad Paillier\/ring-Pedersen parameters/,
    );
  });
});

describe('key-share format fixtures', () => {
  for (const [t, n] of [
    [2, 3],
    [3, 3],
    [3, 5],
  ] as const) {
    test(`${t}-of-${n}: committed shares decode, validate and re-encode byte for byte`, () => {
      const text = fixtureText(t, n).shares;
      const shares = loadShares(t, n);
      assert.equal(shares.length, n);
      shares.forEach((s, k) =>
        assert.equal(new TextDecoder().decode(serializeKeyShare(s)), text[k]),
      );
      for (const s of shares) assert.ok(s.core.publicKey.equals(shares[0]!.core.publicKey));
    });
  }

  test('a share whose aux primes do not match its modulus is refused', () => {
    const json = JSON.parse(fixtureText(2, 3).shares[0]!);
    json.aux.p = json.aux.q;
    assert.throws(
      () => deserializeKeyShare(new TextEncoder().encode(JSON.stringify(json))),
      (e: unknown) => e instanceof InvalidKeyShareError && e.field === 'aux.p',
    );
  });

  test('an unknown format version is refused with the field named', () => {
    const json = JSON.parse(fixtureText(2, 3).shares[0]!);
    json.core.version = 2;
    assert.throws(
      () => deserializeKeyShare(new TextEncoder().encode(JSON.stringify(json))),
      (e: unknown) => e instanceof InvalidKeyShareError && e.field === 'core.version',
    );
  });
});
