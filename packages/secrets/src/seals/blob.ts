/**
 * The wrapped-key blob every seal writes: canonical JSON `{seal, v, ...fields}` with base64
 * binary fields. Parsed strictly, because the physical store is untrusted: exact field set,
 * exact types, bounded integers, exact byte lengths; a failure names the field.
 */
import { SealBlobError } from '../errors.ts';

export type BlobValue = string | number;

export function encodeBlob(
  seal: string,
  fields: Record<string, BlobValue | Uint8Array>,
): Uint8Array {
  const out: Record<string, BlobValue> = { seal, v: 1 };
  for (const [k, v] of Object.entries(fields))
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
  return new TextEncoder().encode(JSON.stringify(out));
}

export class BlobReader {
  private readonly obj: Record<string, unknown>;
  private readonly seen = new Set<string>(['seal', 'v']);

  constructor(
    private readonly seal: string,
    bytes: Uint8Array,
  ) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new SealBlobError(seal, 'blob', 'UTF-8 JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new SealBlobError(seal, 'blob', 'a JSON object');
    this.obj = parsed as Record<string, unknown>;
    if (this.obj.seal !== seal)
      throw new SealBlobError(seal, 'seal', `"${seal}" (the blob was written by another seal)`);
    if (this.obj.v !== 1) throw new SealBlobError(seal, 'v', '1');
  }

  int(field: string, min: number, max: number): number {
    this.seen.add(field);
    const v = this.obj[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      throw new SealBlobError(this.seal, field, `an integer in [${min}, ${max}]`);
    return v;
  }

  str(field: string, allowed: readonly string[]): string {
    this.seen.add(field);
    const v = this.obj[field];
    if (typeof v !== 'string' || !allowed.includes(v))
      throw new SealBlobError(this.seal, field, `one of ${allowed.join(', ')}`);
    return v;
  }

  text(field: string, re: RegExp): string {
    this.seen.add(field);
    const v = this.obj[field];
    if (typeof v !== 'string' || !re.test(v))
      throw new SealBlobError(this.seal, field, `a string matching ${re.source}`);
    return v;
  }

  bytes(field: string, min: number, max = min): Buffer {
    this.seen.add(field);
    const v = this.obj[field];
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      throw new SealBlobError(this.seal, field, 'base64');
    const b = Buffer.from(v, 'base64');
    if (b.toString('base64') !== v || b.length < min || b.length > max)
      throw new SealBlobError(
        this.seal,
        field,
        min === max ? `${min} bytes` : `${min}-${max} bytes`,
      );
    return b;
  }

  /** Call after reading every field: refuses unknown ones. */
  done(): void {
    for (const k of Object.keys(this.obj))
      if (!this.seen.has(k)) throw new SealBlobError(this.seal, k, 'no such field');
  }
}
