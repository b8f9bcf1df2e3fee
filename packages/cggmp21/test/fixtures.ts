// Loads the committed key-share fixtures (see scripts/make-fixtures.ts).
import { readFileSync } from 'node:fs';
import { deserializeKeyShare } from '../src/key-share.ts';
import type { KeyShare } from '../src/key-share.ts';

export function fixtureText(t: number, n: number): { shares: string[] } {
  return JSON.parse(
    readFileSync(new URL(`./fixtures/shares-${t}-of-${n}-2048.json`, import.meta.url), 'utf8'),
  );
}

export function loadShares(t: number, n: number): KeyShare[] {
  return fixtureText(t, n).shares.map((s) => deserializeKeyShare(new TextEncoder().encode(s)));
}
