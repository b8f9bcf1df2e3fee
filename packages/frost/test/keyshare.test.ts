import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DecodeError } from '@quorate/runtime';
import { deterministicRng } from '@quorate/runtime/harness';
import { dealerSplit } from '../src/dealer.ts';
import { KeyShareError } from '../src/errors.ts';
import { parseKeyShare, serializeKeyShare } from '../src/keyshare.ts';
import type { KeyShare } from '../src/keyshare.ts';
import { SUITE_IDS } from '../src/suite.ts';

const fixture = (id: string) => new URL(`./fixtures/keyshare-${id}-v1.json`, import.meta.url);
const te = (s: string) => new TextEncoder().encode(s);

// The fixtures pin the stored format: a deterministic dealer split, party 2 of 2-of-3.
export function fixtureShare(id: (typeof SUITE_IDS)[number]): KeyShare {
  const shares = dealerSplit({
    suite: id,
    threshold: 2,
    parties: [1, 2, 3],
    secret: 0x5eed5eed5eedn,
    rng: deterministicRng(`fixture-${id}`),
  });
  return shares.get(2) as KeyShare;
}

for (const id of SUITE_IDS) {
  test(`${id}: stored format is stable and round-trips`, () => {
    const stored = readFileSync(fixture(id));
    const bytes = serializeKeyShare(fixtureShare(id));
    assert.equal(Buffer.from(bytes).toString('utf8'), stored.toString('utf8').trim());
    const parsed = parseKeyShare(new Uint8Array(stored).subarray(0, bytes.length));
    assert.deepEqual(serializeKeyShare(parsed), bytes);
  });
}

test('loading refuses tampered shares, naming the field', () => {
  const good = JSON.parse(readFileSync(fixture('ed25519'), 'utf8'));
  const load = (o: object) => parseKeyShare(te(JSON.stringify(o)));
  const expectKs = (o: object, field: string) =>
    assert.throws(
      () => load(o),
      (e: unknown) => e instanceof KeyShareError && e.field === field,
    );
  assert.throws(
    () => load({ ...good, v: 2 }),
    (e: unknown) => e instanceof DecodeError && e.path === 'v',
  );
  assert.throws(
    () => load({ ...good, extra: 1 }),
    (e: unknown) => e instanceof DecodeError && e.path === 'extra',
  );
  // Loaded once, its public part is remembered as consistent: the tampered variants below must
  // still be refused (each changes the public part, or the secret share that is always checked).
  assert.equal(load(good).self, load(good).self);
  const flip = (h: string) =>
    h.slice(0, 2) + (parseInt(h.slice(2, 4), 16) ^ 1).toString(16).padStart(2, '0') + h.slice(4);
  expectKs({ ...good, secretShare: flip(good.secretShare) }, 'secretShare');
  const other = dealerSplit({ suite: 'ed25519', threshold: 2, parties: [1, 2, 3] });
  const foreignY = Buffer.from(
    (other.get(3) as KeyShare).verifyingShares.get(3)!.toBytes(),
  ).toString('hex');
  expectKs(
    { ...good, verifyingShares: [good.verifyingShares[0], good.verifyingShares[1], foreignY] },
    'verifyingShares[3]',
  );
  expectKs({ ...good, threshold: 4 }, 'threshold');
  expectKs({ ...good, self: 4 }, 'self');
});
