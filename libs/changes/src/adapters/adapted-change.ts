import type { FieldError } from '@faultline/reports';

import type { ChangeInput } from '../change.model';
import { CHANGE_LIMITS } from '../change.schema';

/**
 * What an adapter makes of a sender's document: native changes, each with the place in the
 * document every field came from (so a refusal names the sender's field, `/payload/timestamp`,
 * not ours), and the parts that are no change Faultline records (another event type, a ping),
 * which are answered 202 and listed rather than refused: a webhook sender that sends every
 * event it has must not see failures for the ones we do not read.
 */
export interface AdaptedChanges {
  changes: AdaptedChange[];
  ignored: FieldError[];
}

export interface AdaptedChange {
  input: ChangeInput;
  /** JSON pointer (or `/<name>` for a query parameter, as the validation pipe names them) of the place each field came from. */
  paths: Partial<Record<keyof ChangeInput, string>>;
}

/** A document that is not of the adapter's format; `errors` name the places. */
export class ChangeFormatError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path || '/'} ${e.reason}`).join('; '));
  }
}

/**
 * An error about a native field (`/startedAt`, `/links/0/href`) as a place in the sender's
 * document, by the adapter's `paths`; a field with no recorded place keeps our name for it.
 */
export function documentError(error: FieldError, paths: AdaptedChange['paths']): FieldError {
  const [, field = '', ...rest] = error.path.split('/');
  const place = paths[field as keyof ChangeInput];
  if (place === undefined) return error;
  return { path: [place, ...rest].join('/'), reason: error.reason };
}

/** A JSON object (not an array, not null), or null. */
export const objectAt = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;

/** A non-empty string, or null. */
export const textAt = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

/** A scalar as label text (strings, numbers, booleans), or null. */
export const scalarText = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : null;

/** Text cut to `max` characters (an ellipsis marks the cut): senders allow longer texts than we keep. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A summary as we keep it: one line, at most CHANGE_LIMITS.summaryLength. */
export const summaryText = (text: string): string =>
  cut(text.replace(/\s+/g, ' ').trim(), CHANGE_LIMITS.summaryLength);

/** Labels from string-valued pairs, sorted by key, within the label limits (longer keys dropped). */
export function labelsFrom(pairs: Iterable<[string, string | null]>): Record<string, string> {
  const labels: Record<string, string> = {};
  const sorted = [...pairs]
    .filter(
      (p): p is [string, string] => p[1] !== null && p[0].length <= CHANGE_LIMITS.labelKeyLength,
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of sorted.slice(0, CHANGE_LIMITS.labels))
    labels[key] = cut(value, CHANGE_LIMITS.labelValueLength);
  return labels;
}

/**
 * A sender's time as RFC 3339: PagerDuty documents `2020-07-17T08:42:58.315+0000` (ISO 8601
 * without the offset's colon), which Date.parse reads but our schema would refuse.
 */
export function rfc3339Time(text: string): string | null {
  const normalised = text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return /^\d{4}-\d{2}-\d{2}T/i.test(normalised) && Number.isFinite(ms) ? normalised : null;
}
