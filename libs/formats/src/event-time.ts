import { FormatError } from './format.model';

/**
 * Event time as formats write it. RFC 3339 (with any number of fractional digits: Alertmanager
 * writes nanoseconds) and, for oslo's detailed `now`, Python's `str(datetime.utcnow())`, which has
 * a space for the `T` and no zone because it is UTC by construction.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const NAIVE_UTC = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** Epoch ms of an RFC 3339 time, or null when the text is not one. */
export function parseRfc3339(text: string): number | null {
  if (!RFC3339.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

/** Epoch ms of a zone-less time that is known to be UTC, or of an RFC 3339 time. */
export function parseUtcTime(text: string): number | null {
  if (NAIVE_UTC.test(text)) return parseRfc3339(`${text}Z`);
  return parseRfc3339(text);
}

/** ctx.observedAt as the RFC 3339 string a report carries; refuses a context without a usable time. */
export function contextTime(observedAt: number): number {
  if (
    typeof observedAt !== 'number' ||
    !Number.isFinite(observedAt) ||
    Math.abs(observedAt) > 8.64e15
  ) {
    throw new FormatError([
      { path: '', reason: 'cannot be stamped: the source context has no observedAt (epoch ms)' },
    ]);
  }
  return observedAt;
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();
