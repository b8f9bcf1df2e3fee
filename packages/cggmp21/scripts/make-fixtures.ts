/**
 * Regenerates the committed key-share fixtures (test/fixtures/*.json): deterministic keygen and
 * aux-info runs at the 2048-bit level with the committed safe primes of @quorate/paillier.
 * The fixtures pin the stored key-share format: a format change makes the tests that load them
 * fail until the fixtures are regenerated on purpose (and a migration is written).
 *
 *   node --import tsx packages/cggmp21/scripts/make-fixtures.ts
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fixtures, LEVEL_2048 } from '@quorate/paillier';
import { simulate } from '@quorate/runtime/harness';
import { auxInfo } from '../src/aux-info.ts';
import { keygen } from '../src/keygen.ts';
import { serializeKeyShare, validateKeyShare } from '../src/key-share.ts';

const dir = new URL('../test/fixtures/', import.meta.url);
mkdirSync(dir, { recursive: true });

for (const [t, n] of [
  [2, 3],
  [3, 3],
  [3, 5],
] as const) {
  const parties = Array.from({ length: n }, (_, i) => i + 1);
  process.stderr.write(`keygen ${t}-of-${n}…\n`);
  const kg = simulate(keygen, {
    parties,
    threshold: t,
    config: () => ({ t }),
    seed: `fixture-keygen-${t}-${n}`,
  });
  if (kg.errors.size) throw [...kg.errors.values()][0];
  process.stderr.write(`aux-info ${n} parties…\n`);
  const aux = simulate(auxInfo, {
    parties,
    config: (p) => ({ level: LEVEL_2048, primes: fixtures.primes2048[p - 1] as [bigint, bigint] }),
    seed: `fixture-aux-${t}-${n}`,
  });
  if (aux.errors.size) throw [...aux.errors.values()][0];
  const shares = parties.map((p) => {
    const share = validateKeyShare({ core: kg.outputs.get(p)!, aux: aux.outputs.get(p)! });
    return new TextDecoder().decode(serializeKeyShare(share));
  });
  const file = new URL(`shares-${t}-of-${n}-2048.json`, dir);
  writeFileSync(
    file,
    JSON.stringify({ format: 'quorate/cggmp21/fixture/v1', level: '2048', t, n, shares }, null, 1) +
      '\n',
  );
  process.stderr.write(`wrote ${file.pathname}\n`);
}
