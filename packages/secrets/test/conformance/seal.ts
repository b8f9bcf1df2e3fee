/**
 * Conformance suite every Seal passes (seal.ts states the contract). Call
 * `sealConformance(name, factory)` from a *.test.ts file. `isWrongSecret` recognises the seal's
 * own "wrong passphrase / key / PIN" error, which `other` (same kind, another secret) must cause.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Seal } from '../../src/seal.ts';
import { IntegrityError, SealBlobError } from '../../src/errors.ts';

export interface SealFixture {
  readonly seal: Seal;
  /** Same kind of seal, different secret. */
  readonly other: Seal;
  readonly isWrongSecret: (e: unknown) => boolean;
  readonly cleanup?: () => void | Promise<void>;
}

function editBlob(blob: Uint8Array, edit: (o: Record<string, unknown>) => void): Uint8Array {
  const o = JSON.parse(new TextDecoder().decode(blob)) as Record<string, unknown>;
  edit(o);
  return new TextEncoder().encode(JSON.stringify(o));
}

function flipBase64(s: unknown, at = 0): string {
  const b = Buffer.from(String(s), 'base64');
  b[at] = (b[at] ?? 0) ^ 0x01;
  return b.toString('base64');
}

export function sealConformance(name: string, make: () => Promise<SealFixture>): void {
  describe(`seal conformance: ${name}`, () => {
    let f: SealFixture;
    before(async () => {
      f = await make();
    });
    after(async () => {
      await f.cleanup?.();
    });

    test('selfTest passes', async () => {
      await f.seal.selfTest();
    });

    test('unwrap(wrap(k)) = k; wraps are randomized; the blob does not contain k', async () => {
      const k = randomBytes(32);
      const b1 = await f.seal.wrap(k);
      const b2 = await f.seal.wrap(k);
      assert.notDeepEqual(b1, b2);
      assert.deepEqual(Buffer.from(await f.seal.unwrap(b1)), k);
      assert.deepEqual(Buffer.from(await f.seal.unwrap(b2)), k);
      const text = Buffer.from(b1).toString('latin1');
      for (const enc of [k.toString('hex'), k.toString('base64'), k.toString('latin1')])
        assert.equal(text.includes(enc), false);
    });

    test('the blob names its seal kind and version', async () => {
      const o = JSON.parse(new TextDecoder().decode(await f.seal.wrap(randomBytes(32)))) as Record<
        string,
        unknown
      >;
      assert.equal(o.seal, f.seal.kind);
      assert.equal(o.v, 1);
    });

    test('a flipped ciphertext bit fails with IntegrityError', async () => {
      const blob = await f.seal.wrap(randomBytes(32));
      for (const at of [0, 31, 40]) {
        const bad = editBlob(blob, (o) => (o.ct = flipBase64(o.ct, at)));
        await assert.rejects(
          f.seal.unwrap(bad),
          (e: unknown) => e instanceof IntegrityError && e.reason === 'authentication-failed',
        );
      }
    });

    test('a flipped nonce fails with IntegrityError', async () => {
      const blob = await f.seal.wrap(randomBytes(32));
      const field = 'nonce' in JSON.parse(new TextDecoder().decode(blob)) ? 'nonce' : 'iv';
      const bad = editBlob(blob, (o) => (o[field] = flipBase64(o[field])));
      await assert.rejects(f.seal.unwrap(bad), (e: unknown) => e instanceof IntegrityError);
    });

    test('the other secret fails with the seal’s wrong-secret error', async () => {
      const blob = await f.seal.wrap(randomBytes(32));
      await assert.rejects(f.other.unwrap(blob), (e: unknown) => f.isWrongSecret(e));
    });

    test('malformed blobs fail with SealBlobError naming the field', async () => {
      const blob = await f.seal.wrap(randomBytes(32));
      const cases: [Uint8Array, string][] = [
        [new TextEncoder().encode('not json'), 'blob'],
        [new TextEncoder().encode('[]'), 'blob'],
        [editBlob(blob, (o) => (o.seal = 'someone-else')), 'seal'],
        [editBlob(blob, (o) => (o.v = 2)), 'v'],
        [editBlob(blob, (o) => (o.extra = 1)), 'extra'],
        [editBlob(blob, (o) => (o.ct = 'not base64!')), 'ct'],
        [
          editBlob(
            blob,
            (o) => (o.ct = Buffer.from(String(o.ct), 'base64').subarray(1).toString('base64')),
          ),
          'ct',
        ],
        [editBlob(blob, (o) => delete o.ct), 'ct'],
      ];
      for (const [bad, field] of cases)
        await assert.rejects(
          f.seal.unwrap(bad),
          (e: unknown) => e instanceof SealBlobError && e.field === field && e.seal === f.seal.kind,
        );
    });
  });
}
