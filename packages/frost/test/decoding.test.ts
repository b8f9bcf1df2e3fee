import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { DecodeError } from '@quorate/runtime';
import { FrostEncodingError } from '../src/errors.ts';
import type { EncodingFault } from '../src/errors.ts';
import { getSuite } from '../src/suite.ts';
import { decodePok } from '../src/dkg.ts';

const hb = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function rejects(f: () => unknown, field: string, fault: EncodingFault) {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof FrostEncodingError, String(e));
    assert.ok(e instanceof DecodeError, 'sessions turn it into blame');
    assert.equal(e.path, field);
    assert.equal(e.fault, fault);
    return true;
  });
}

describe('Ed25519 decoding', () => {
  const s = getSuite('ed25519');
  const order2 = 'ec' + 'ff'.repeat(30) + '7f'; // (0, −1)
  const order4 = '00'.repeat(32); // (√−1, 0)
  test('accepts a prime-order point and round-trips it', () => {
    const g = s.encodePoint(s.mulBase(7n));
    assert.equal(hex(s.encodePoint(s.decodePoint(g, 'P'))), hex(g));
  });
  test('identity', () =>
    rejects(() => s.decodePoint(hb('01' + '00'.repeat(31)), 'P'), 'P', 'identity'));
  test('small order (2 and 4)', () => {
    rejects(() => s.decodePoint(hb(order2), 'P'), 'P', 'small-order');
    rejects(() => s.decodePoint(hb(order4), 'Q'), 'Q', 'small-order');
  });
  test('mixed order: a prime-order point plus a torsion point', () => {
    const mixed = ed25519.Point.BASE.multiply(3n)
      .add(ed25519.Point.fromBytes(hb(order2)))
      .toBytes();
    rejects(() => s.decodePoint(mixed, 'C[1]'), 'C[1]', 'mixed-order');
  });
  test('a point that passed is remembered; a refused encoding is refused again, every time', () => {
    const g = s.encodePoint(s.mulBase(0xfeedn));
    const first = s.decodePoint(g, 'P');
    assert.equal(s.decodePoint(Uint8Array.from(g), 'P'), first);
    const mixed = ed25519.Point.BASE.multiply(5n)
      .add(ed25519.Point.fromBytes(hb(order2)))
      .toBytes();
    for (const field of ['a', 'b'])
      rejects(() => s.decodePoint(mixed, field), field, 'mixed-order');
    // A wrong length of a remembered point's bytes is still a length fault.
    rejects(() => s.decodePoint(g.subarray(0, 31), 'P'), 'P', 'length');
  });
  test('non-canonical: y ≥ p, and x = 0 with the sign bit set', () => {
    rejects(() => s.decodePoint(hb('ee' + 'ff'.repeat(30) + '7f'), 'P'), 'P', 'non-canonical'); // y = p + 1
    rejects(() => s.decodePoint(hb('01' + '00'.repeat(30) + '80'), 'P'), 'P', 'non-canonical'); // −0
  });
  test('not on the curve, and wrong length', () => {
    let y = 2;
    for (; ; y++) {
      const b = new Uint8Array(32);
      b[0] = y;
      try {
        ed25519.Point.fromBytes(b, true);
      } catch {
        break;
      }
    }
    const b = new Uint8Array(32);
    b[0] = y;
    rejects(() => s.decodePoint(b, 'P'), 'P', 'not-on-curve');
    rejects(() => s.decodePoint(new Uint8Array(31), 'P'), 'P', 'length');
  });
  test('scalars ≥ ℓ are refused (no reduction), zero only where allowed', () => {
    const L = s.order;
    rejects(() => s.decodeScalar(s.encodeScalar(L), 'z'), 'z', 'scalar-out-of-range');
    rejects(() => s.decodeScalar(hb('ff'.repeat(32)), 'z'), 'z', 'scalar-out-of-range');
    assert.equal(s.decodeScalar(s.encodeScalar(L - 1n), 'z'), L - 1n);
    assert.equal(s.decodeScalar(new Uint8Array(32), 'z'), 0n);
    rejects(() => s.decodeScalar(new Uint8Array(32), 'share', true), 'share', 'zero-scalar');
  });
});

describe('secp256k1 decoding', () => {
  for (const id of ['secp256k1', 'secp256k1-tr'] as const) {
    const s = getSuite(id);
    test(`${id}: non-canonical, off-curve, identity, length, scalar range`, () => {
      rejects(() => s.decodePoint(hb('02' + 'ff'.repeat(32)), 'P'), 'P', 'non-canonical'); // x ≥ p
      rejects(() => s.decodePoint(hb('04' + '11'.repeat(32)), 'P'), 'P', 'non-canonical');
      rejects(() => s.decodePoint(hb('00' + '00'.repeat(32)), 'P'), 'P', 'non-canonical');
      rejects(() => s.decodePoint(hb('00'), 'P'), 'P', 'length'); // SEC1 identity
      let x = 1;
      for (; ; x++) {
        try {
          s.decodePoint(hb('02' + x.toString(16).padStart(64, '0')), 'P');
        } catch {
          break;
        }
      }
      rejects(
        () => s.decodePoint(hb('02' + x.toString(16).padStart(64, '0')), 'P'),
        'P',
        'not-on-curve',
      );
      rejects(() => s.decodeScalar(s.encodeScalar(s.order), 'z'), 'z', 'scalar-out-of-range');
      rejects(() => s.decodeScalar(new Uint8Array(33), 'z'), 'z', 'length');
    });
  }
  test('Taproot proof of knowledge: x-only R that is not on the curve', () => {
    const s = getSuite('secp256k1-tr');
    rejects(
      () => decodePok(s, hb('ff'.repeat(32) + '00'.repeat(32)), 'pok'),
      'pok.R',
      'non-canonical',
    );
    rejects(() => decodePok(s, new Uint8Array(65), 'pok'), 'pok', 'length');
  });
});
