/**
 * Conformance suite every PhysicalBackend passes (after Vault's physical.ExerciseBackend).
 * Call `physicalConformance(name, factory)` from a *.test.ts file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PhysicalBackend } from '../../src/physical.ts';
import { RecordIdError } from '../../src/errors.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);

export function physicalConformance(
  name: string,
  make: () => { backend: PhysicalBackend; cleanup?: () => void },
): void {
  describe(`physical backend conformance: ${name}`, () => {
    const withBackend = (fn: (b: PhysicalBackend) => void) => () => {
      const { backend, cleanup } = make();
      try {
        fn(backend);
      } finally {
        backend.close();
        cleanup?.();
      }
    };

    test(
      'get of a missing key is undefined; put then get round-trips; overwrite replaces',
      withBackend((b) => {
        assert.equal(b.get('a/b'), undefined);
        b.put('a/b', bytes(1, 2, 3));
        assert.deepEqual(b.get('a/b'), bytes(1, 2, 3));
        b.put('a/b', bytes(9));
        assert.deepEqual(b.get('a/b'), bytes(9));
        b.put('empty', new Uint8Array(0));
        assert.deepEqual(b.get('empty'), new Uint8Array(0));
      }),
    );

    test(
      'returned values are copies: mutating them or the input does not change the store',
      withBackend((b) => {
        const v = bytes(1, 2, 3);
        b.put('k', v);
        v[0] = 7;
        const got = b.get('k');
        assert.deepEqual(got, bytes(1, 2, 3));
        got![1] = 7;
        assert.deepEqual(b.get('k'), bytes(1, 2, 3));
      }),
    );

    test(
      'delete reports whether the key existed',
      withBackend((b) => {
        b.put('k', bytes(1));
        assert.equal(b.delete('k'), true);
        assert.equal(b.delete('k'), false);
        assert.equal(b.get('k'), undefined);
      }),
    );

    test(
      'list returns exactly the keys with the prefix, sorted; LIKE/GLOB metacharacters are literal',
      withBackend((b) => {
        for (const k of ['r/x/2', 'r/x/1', 'r/x%/1', 'r/x_/1', 'r/y/1', 'r/x', 'q/x/1', 'r/x/1/~'])
          b.put(k, bytes(0));
        assert.deepEqual(b.list('r/x/'), ['r/x/1', 'r/x/1/~', 'r/x/2']);
        assert.deepEqual(b.list('r/x%'), ['r/x%/1']);
        assert.deepEqual(b.list('r/x_'), ['r/x_/1']);
        assert.deepEqual(b.list('nothing'), []);
        assert.equal(b.list('').length, 8);
      }),
    );

    test(
      'a transaction commits all of its writes and sees its own writes',
      withBackend((b) => {
        b.put('keep', bytes(1));
        b.put('gone', bytes(2));
        const out = b.transaction((tx) => {
          tx.put('new', bytes(3));
          assert.deepEqual(tx.get('new'), bytes(3));
          assert.equal(tx.delete('gone'), true);
          assert.equal(tx.get('gone'), undefined);
          assert.deepEqual(tx.list(''), ['keep', 'new']);
          return 42;
        });
        assert.equal(out, 42);
        assert.deepEqual(b.list(''), ['keep', 'new']);
        assert.deepEqual(b.get('new'), bytes(3));
      }),
    );

    test(
      'a transaction that throws writes nothing',
      withBackend((b) => {
        b.put('keep', bytes(1));
        assert.throws(
          () =>
            b.transaction((tx) => {
              tx.put('new', bytes(3));
              tx.put('keep', bytes(9));
              tx.delete('keep');
              throw new Error('boom');
            }),
          { message: 'boom' },
        );
        assert.deepEqual(b.list(''), ['keep']);
        assert.deepEqual(b.get('keep'), bytes(1));
      }),
    );

    test(
      'transactions do not nest',
      withBackend((b) => {
        assert.throws(() => b.transaction(() => b.transaction(() => 1)), /do not nest/);
        // And the backend still works afterwards.
        b.put('k', bytes(1));
        assert.deepEqual(b.get('k'), bytes(1));
      }),
    );

    test(
      'invalid keys are refused with RecordIdError naming the key',
      withBackend((b) => {
        for (const bad of ['', 'has space', 'tab\t', 'é', 'x'.repeat(513)]) {
          assert.throws(
            () => b.put(bad, bytes(1)),
            (e: unknown) => e instanceof RecordIdError && e.field === 'key',
          );
          assert.throws(
            () => b.get(bad),
            (e: unknown) => e instanceof RecordIdError && e.field === 'key',
          );
        }
        assert.throws(
          () => b.put('k', 'text' as unknown as Uint8Array),
          (e: unknown) => e instanceof RecordIdError && e.field === 'value',
        );
      }),
    );

    test(
      'large values round-trip',
      withBackend((b) => {
        const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
        b.put('big', big);
        assert.deepEqual(b.get('big'), big);
      }),
    );
  });
}
