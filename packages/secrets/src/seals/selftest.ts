/**
 * Known-answer tests run by the software seals at start (after FIPS 140 power-up self-tests):
 * AES-256-GCM from the GCM specification's test case 14 (McGrew & Viega), and scrypt from
 * RFC 7914 section 12 (the first, cheapest vector).
 */
import { scrypt as scryptCb } from 'node:crypto';
import { gcmOpen, gcmSeal } from '../aead.ts';
import { SelfTestError } from '../errors.ts';

const GCM_EXPECTED = 'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919';
const SCRYPT_EXPECTED =
  '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906';

export function gcmKnownAnswer(seal: string): void {
  const key = Buffer.alloc(32);
  const iv = Buffer.alloc(12);
  const pt = Buffer.alloc(16);
  const ct = gcmSeal(key, iv, pt, new Uint8Array(0));
  if (ct.toString('hex') !== GCM_EXPECTED)
    throw new SelfTestError(seal, 'AES-256-GCM known answer');
  const back = gcmOpen(key, iv, ct, new Uint8Array(0));
  if (back === undefined || !back.equals(pt))
    throw new SelfTestError(seal, 'AES-256-GCM decrypt known answer');
  const bad = Buffer.from(ct);
  bad[0] = (bad[0] ?? 0) ^ 1;
  if (gcmOpen(key, iv, bad, new Uint8Array(0)) !== undefined)
    throw new SelfTestError(seal, 'AES-256-GCM rejects forgery');
}

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export function scrypt(
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
  length: number,
): Promise<Buffer> {
  const maxmem = 256 * params.N * params.r + 1024 * 1024 * 32;
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, length, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function scryptKnownAnswer(seal: string): Promise<void> {
  const out = await scrypt(new Uint8Array(0), new Uint8Array(0), { N: 16, r: 1, p: 1 }, 64);
  if (out.toString('hex') !== SCRYPT_EXPECTED) throw new SelfTestError(seal, 'scrypt known answer');
}
