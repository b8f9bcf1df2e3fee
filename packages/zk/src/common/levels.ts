/** The supported security levels, for codecs that must accept a proof of any of them. */
import { LEVEL_2048, LEVEL_3072 } from '@quorate/paillier';
import type { SecurityLevel } from '@quorate/paillier';

export const LEVELS: readonly SecurityLevel[] = [LEVEL_2048, LEVEL_3072];

/** A level with the largest value of every size parameter, for the level-independent codec. */
export const WIDEST_LEVEL: SecurityLevel = Object.freeze({
  ...LEVEL_3072,
  name: 'widest',
  paillierBits: Math.max(...LEVELS.map((l) => l.paillierBits)),
  ell: Math.max(...LEVELS.map((l) => l.ell)),
  ellPrime: Math.max(...LEVELS.map((l) => l.ellPrime)),
  epsilon: Math.max(...LEVELS.map((l) => l.epsilon)),
  m: Math.max(...LEVELS.map((l) => l.m)),
  challengeBits: Math.max(...LEVELS.map((l) => l.challengeBits)),
});

export const MIN_ITERATIONS: number = Math.min(...LEVELS.map((l) => l.m));
