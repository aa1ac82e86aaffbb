import { InvalidInputError } from '../errors/domain-errors';
import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from './keyset-cursor';
import { readCursor, readLimit } from './page-input';

describe('keyset cursor', () => {
  it('round-trips a sort key, including text that is not ASCII or URL-safe', () => {
    const key = ['nova/api ü', '2026-11-25T10:00:00.123456Z', '42'];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ['text', 'time', 'id'])).toEqual(key);
  });

  it.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['not an array', Buffer.from('{"a":1}').toString('base64url')],
    ['too few fields', encodeCursor(['2026-11-25T10:00:00Z'])],
    ['a bad time', encodeCursor(['yesterday', '1'])],
    ['a time without zone', encodeCursor(['2026-11-25T10:00:00', '1'])],
    ['a bad id', encodeCursor(['2026-11-25T10:00:00Z', '1; DROP TABLE x'])],
    ['an id beyond bigint', encodeCursor(['2026-11-25T10:00:00Z', '9223372036854775808'])],
    ['a date the calendar lacks', encodeCursor(['2026-02-30T10:00:00Z', '1'])],
    ['a number where text is due', Buffer.from('[12, "1"]').toString('base64url')],
    ['empty', ''],
  ])('refuses %s', (_what, raw) => {
    expect(() => decodeCursor(raw, ['time', 'id'])).toThrow(InvalidCursorError);
  });

  it('takes the largest bigint id, and refuses NUL in text', () => {
    expect(
      decodeCursor(encodeCursor(['2026-11-25T10:00:00Z', '9223372036854775807']), [
        'time',
        'id',
      ])[1],
    ).toBe('9223372036854775807');
    expect(() => decodeCursor(encodeCursor(['a\u0000b']), ['text'])).toThrow(InvalidCursorError);
  });

  it('makes a page from LIMIT n+1 rows: the extra row only means "more"', () => {
    const rows = [{ k: 'a' }, { k: 'b' }, { k: 'c' }];
    const full = toPage(
      rows,
      2,
      (r) => [r.k],
      (r) => r.k.toUpperCase(),
    );
    expect(full.items).toEqual(['A', 'B']);
    expect(decodeCursor(full.nextCursor!, ['text'])).toEqual(['b']);
    expect(
      toPage(
        rows,
        3,
        (r) => [r.k],
        (r) => r.k,
      ),
    ).toEqual({ items: ['a', 'b', 'c'], nextCursor: null });
    expect(
      toPage(
        [],
        3,
        (r: { k: string }) => [r.k],
        (r) => r,
      ),
    ).toEqual({ items: [], nextCursor: null });
  });
});

describe('query input', () => {
  it('turns a bad cursor into a 400 naming /cursor', () => {
    expect(readCursor(undefined, ['text'])).toBeNull();
    try {
      readCursor('garbage!', ['text']);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).errors).toEqual([
        { path: '/cursor', reason: expect.any(String) },
      ]);
    }
  });

  it('defaults the limit and refuses one out of range', () => {
    expect(readLimit(undefined)).toBe(100);
    expect(readLimit(500)).toBe(500);
    expect(() => readLimit(0)).toThrow(InvalidInputError);
    expect(() => readLimit(501)).toThrow(InvalidInputError);
    expect(() => readLimit(1.5)).toThrow(InvalidInputError);
  });
});
