// Loads the FROST test vectors from ../shared/vectors/frost (beside the repository clone).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VECTOR_DIR = fileURLToPath(
  new URL('../../../../shared/vectors/frost/', import.meta.url),
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON test vectors
export function loadVector(name: string): any {
  return JSON.parse(
    readFileSync(
      new URL(name, new URL('../../../../shared/vectors/frost/', import.meta.url)),
      'utf8',
    ),
  );
}
export const hb = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
