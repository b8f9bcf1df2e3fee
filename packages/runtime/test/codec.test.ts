// Strict canonical decoding: unknown fields, wrong types, oversize values and non-canonical
// encodings are each rejected with a DecodeError naming the field.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../src/codec.ts';
import { DecodeError } from '../src/errors.ts';

const te = new TextEncoder();
const schema = c.object({
  K: c.bytes({ len: 2 }),
  x: c.bigint({ maxBits: 16, signed: true }),
  n: c.uint({ max: 10 }),
  list: c.array(c.uint({ max: 255 }), { max: 3 }),
  opt: c.optional(c.string({ max: 4 })),
});

function rejects(text: string, path: string, max = 1000) {
  assert.throws(
    () => c.decodeCanonical(schema, te.encode(text), max),
    (e: unknown) => e instanceof DecodeError && e.path === path,
    `expected DecodeError at "${path}" for ${text}`,
  );
}

describe('codec', () => {
  const good = '{"K":"00ff","list":[1,2],"n":3,"x":"-7f"}';

  test('canonical value round-trips', () => {
    const v = c.decodeCanonical(schema, te.encode(good), 1000);
    assert.deepEqual([...v.K], [0, 255]);
    assert.equal(v.x, -127n);
    assert.equal(v.opt, undefined);
    assert.equal(new TextDecoder().decode(c.encodeCanonical(schema, v)), good);
  });

  test('unknown field', () => rejects('{"K":"00ff","extra":1,"list":[],"n":3,"x":"1"}', 'extra'));
  test('missing field', () => rejects('{"K":"00ff","list":[],"x":"1"}', 'n'));
  test('wrong type', () => rejects('{"K":"00ff","list":[],"n":"3","x":"1"}', 'n'));
  test('byte string of wrong length', () => rejects('{"K":"00","list":[],"n":3,"x":"1"}', 'K'));
  test('upper-case hex', () => rejects('{"K":"00FF","list":[],"n":3,"x":"1"}', 'K'));
  test('integer too large', () => rejects('{"K":"00ff","list":[],"n":11,"x":"1"}', 'n'));
  test('big integer over maxBits', () => rejects('{"K":"00ff","list":[],"n":3,"x":"1ffff"}', 'x'));
  test('big integer with a leading zero', () =>
    rejects('{"K":"00ff","list":[],"n":3,"x":"01"}', 'x'));
  test('negative zero', () => rejects('{"K":"00ff","list":[],"n":3,"x":"-0"}', 'x'));
  test('array too long', () => rejects('{"K":"00ff","list":[1,2,3,4],"n":3,"x":"1"}', 'list'));
  test('array item wrong type names the index', () =>
    rejects('{"K":"00ff","list":[1,"a"],"n":3,"x":"1"}', 'list[1]'));
  test('non-safe number', () => rejects('{"K":"00ff","list":[],"n":3.5,"x":"1"}', 'n'));
  test('keys out of order are non-canonical', () =>
    rejects('{"n":3,"K":"00ff","list":[],"x":"1"}', ''));
  test('white space is non-canonical', () => rejects('{"K":"00ff", "list":[],"n":3,"x":"1"}', ''));
  test('duplicate keys are non-canonical', () =>
    rejects('{"K":"00ff","K":"00ff","list":[],"n":3,"x":"1"}', ''));
  test('oversized input is refused before parsing', () => rejects(good, '', 10));
  test('invalid JSON', () => rejects('{"K":', ''));
  test('invalid UTF-8', () => {
    assert.throws(
      () => c.decodeCanonical(schema, Uint8Array.of(0x7b, 0xff, 0x7d), 100),
      (e: unknown) => e instanceof DecodeError && /UTF-8/.test(e.message),
    );
  });
  test('unsigned bigint refuses negatives', () => {
    assert.throws(
      () => c.bigint({ maxBits: 8 }).parse('-1', 'y'),
      (e: unknown) => e instanceof DecodeError && e.path === 'y',
    );
  });
  test('rawJson bounds depth', () => {
    let deep: c.Json = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    assert.throws(() => c.rawJson(32).parse(deep, 'p'), DecodeError);
  });
  test('error message never contains the value', () => {
    try {
      c.bytes({ len: 2 }).parse('deadbeef', 'secret');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof DecodeError);
      assert.ok(!e.message.includes('deadbeef'));
    }
  });
});
