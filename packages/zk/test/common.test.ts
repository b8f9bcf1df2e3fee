import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL_2048 } from '@quorate/paillier';
import { checkModulus, isqrt, iroot, isPerfectPower, proofTranscript } from '../src/index.ts';

test('isqrt and iroot are floors', () => {
  for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, (1n << 200n) + 12345n]) {
    const r = isqrt(n);
    assert.ok(r * r <= n && (r + 1n) * (r + 1n) > n);
  }
  assert.equal(iroot(1000n, 3), 10n);
  assert.equal(iroot(999n, 3), 9n);
});

test('checkModulus refuses 0, 1, even, wrong length, prime and perfect powers', () => {
  assert.equal(checkModulus(0n, 16, 'N'), 'N-even');
  assert.equal(checkModulus(1n, 16, 'N'), 'N-bits');
  assert.equal(checkModulus(65534n, 16, 'N'), 'N-even');
  assert.equal(checkModulus(3n * 5n, 16, 'N'), 'N-bits');
  assert.equal(checkModulus(65521n, 16, 'N'), 'N-prime');
  assert.equal(checkModulus(251n ** 2n, 16, 'N'), 'N-small-factor');
  assert.equal(checkModulus(4099n * 3n * 5n, 16, 'N'), 'N-small-factor');
  assert.equal(checkModulus(4099n ** 2n, 25, 'N'), 'N-perfect-power');
  assert.equal(checkModulus(4099n * 4111n, 25, 'N'), null);
  assert.ok(isPerfectPower(3n ** 41n));
});

test('proofTranscript binds session, prover, level and extra', () => {
  const base = { sessionId: new Uint8Array([1, 2]), prover: 1, level: LEVEL_2048 } as const;
  const e = (ctx: Parameters<typeof proofTranscript>[1]) =>
    Buffer.from(proofTranscript('d', ctx).challengeBytes('e', 16)).toString('hex');
  const ref = e(base);
  assert.equal(e(base), ref);
  assert.notEqual(e({ ...base, prover: 2 }), ref);
  assert.notEqual(e({ ...base, sessionId: new Uint8Array([1, 3]) }), ref);
  assert.notEqual(e({ ...base, extra: new Uint8Array() }), ref);
  assert.notEqual(
    e({ ...base, extra: new Uint8Array([0]) }),
    e({ ...base, extra: new Uint8Array() }),
  );
});
