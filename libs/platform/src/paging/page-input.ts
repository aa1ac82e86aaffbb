import { InvalidInputError } from '../errors/domain-errors';
import {
  type CursorField,
  decodeCursor,
  DEFAULT_PAGE_LIMIT,
  InvalidCursorError,
  MAX_PAGE_LIMIT,
} from './keyset-cursor';

/** The sort key in a client's cursor, or null for the first page; a bad one is a 400 naming /cursor. */
export function readCursor(
  raw: string | undefined,
  fields: readonly CursorField[],
): string[] | null {
  if (raw === undefined) return null;
  try {
    return decodeCursor(raw, fields);
  } catch (e) {
    if (e instanceof InvalidCursorError)
      throw new InvalidInputError([{ path: '/cursor', reason: e.message }], 'invalid cursor');
    throw e;
  }
}

/** The page size; the HTTP edge already validated it, this keeps the services safe on their own. */
export function readLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidInputError([
      { path: '/limit', reason: `must be an integer from 1 to ${MAX_PAGE_LIMIT}` },
    ]);
  }
  return limit;
}
