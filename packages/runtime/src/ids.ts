/** Party ids are small positive integers, 1..n, fixed for a key's committee. */
export type PartyId = number;

export const MAX_PARTIES = 1024;

export function isPartyId(x: unknown): x is PartyId {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 1 && x <= MAX_PARTIES;
}

/** Validates a party set: sorted copy, unique, all ids valid, at least two parties. */
export function normalizeParties(parties: readonly number[]): readonly PartyId[] {
  const sorted = [...parties].sort((a, b) => a - b);
  if (sorted.length < 2) throw new RangeError('parties: need at least 2 parties');
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i];
    if (!isPartyId(p))
      throw new RangeError(`parties[${i}]: expected an integer in 1..${MAX_PARTIES}`);
    if (i > 0 && sorted[i - 1] === p) throw new RangeError(`parties: party ${p} appears twice`);
  }
  return Object.freeze(sorted);
}
