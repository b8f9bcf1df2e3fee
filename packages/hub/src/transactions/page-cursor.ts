/**
 * Keyset pagination of the transaction list (newest first: created_at descending, then id
 * ascending). A cursor names the last transaction of a page; the next page starts after it. It
 * is opaque to clients (base64url of "createdAt:id") and validated like any other input.
 */
import { HubError } from '../http/errors.ts';

export interface PagePosition {
  readonly createdAt: number;
  readonly id: string;
}

export function encodeCursor(p: PagePosition): string {
  return Buffer.from(`${p.createdAt}:${p.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(text);
  // Buffer's decoder skips characters outside the alphabet: the round trip catches those too.
  if (!m || encodeCursor({ createdAt: Number(m[1]), id: m[2]! }) !== cursor)
    throw new HubError(
      'validation_failed',
      'before must be the "next" value of a previous page, unchanged',
      'before',
    );
  return { createdAt: Number(m[1]), id: m[2]! };
}
