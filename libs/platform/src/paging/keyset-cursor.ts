import { isRfc3339 } from './rfc3339';

/**
 * Keyset pagination. A cursor is the sort key of the last row a page returned, as a JSON
 * array of strings, base64url-encoded: opaque to clients, and the next page starts strictly
 * after it (`WHERE key > cursor`), so rows written meanwhile never shift a page the way
 * OFFSET would, and a deep page costs the same index probe as the first.
 */

/** What each position of a cursor holds; checked on decode so bad input never reaches SQL. */
export type CursorField = 'text' | 'time' | 'id';

export class InvalidCursorError extends Error {}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;
const MAX_CURSOR_LENGTH = 4096;

const ID = /^\d{1,19}$/;
const MAX_BIGINT = 2n ** 63n - 1n;

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key inside a cursor; throws InvalidCursorError unless it has exactly these fields. */
export function decodeCursor(raw: string, fields: readonly CursorField[]): string[] {
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw))
    throw new InvalidCursorError('is not a cursor returned by this list');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('is not a cursor returned by this list');
  }
  if (
    !Array.isArray(key) ||
    key.length !== fields.length ||
    !key.every((v, i) => typeof v === 'string' && fits(v, fields[i]))
  ) {
    throw new InvalidCursorError('is not a cursor returned by this list');
  }
  return key as string[];
}

function fits(value: string, field: CursorField): boolean {
  // Times keep Postgres' microseconds (see cursorTimeSql), so a row is never skipped or
  // repeated for sharing a millisecond with the previous page's last row.
  if (field === 'time') return isRfc3339(value);
  if (field === 'id') return ID.test(value) && BigInt(value) <= MAX_BIGINT;
  // Postgres text cannot hold NUL: it would fail the query instead of matching nothing.
  return !value.includes('\u0000');
}

/**
 * Builds a page from rows fetched with LIMIT limit + 1: the extra row only says that another
 * page exists, and is not returned.
 */
export function toPage<R, V>(
  rows: readonly R[],
  limit: number,
  keyOf: (row: R) => string[],
  toView: (row: R) => V,
): Page<V> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return {
    items: shown.map(toView),
    nextCursor: more ? encodeCursor(keyOf(shown[shown.length - 1])) : null,
  };
}

/** SQL for a timestamptz column as the exact UTC text a 'time' cursor field holds. */
export const cursorTimeSql = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
