/**
 * Small text helpers shared by the renderers: one-line text, length caps that never split a
 * character, counts with their noun, percentages, durations and link checks. Pure: the same input
 * always gives the same text (no locale, no clock).
 */

// eslint-disable-next-line no-control-regex -- intended: oneLine replaces control characters (they would break a subject or header line)
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** Collapses line breaks and control characters to one space: subjects, headers and summaries are single lines. */
export function oneLine(text: string): string {
  return text.replace(CONTROL_OR_BREAK, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Cuts to at most `max` UTF-16 units (never through a surrogate pair), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** "1 instance", "500 instances". */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A confidence in [0, 1] as "93 %"; out-of-range values are clamped, a non-number shows as "?". */
export function percent(confidence: number): string {
  if (!Number.isFinite(confidence)) return '? %';
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)} %`;
}

/** "45 s", "12 min", "3 min 20 s", "1 h 5 min", "2 d 3 h": the two largest units are enough to read. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const units: [number, string][] = [
    [Math.floor(totalSeconds / 86_400), 'd'],
    [Math.floor(totalSeconds / 3600) % 24, 'h'],
    [Math.floor(totalSeconds / 60) % 60, 'min'],
    [totalSeconds % 60, 's'],
  ];
  const first = units.findIndex(([value]) => value > 0);
  if (first === -1) return '0 s';
  return units
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}

/** Milliseconds of an RFC 3339 time, or null when it does not parse. */
export function parseTime(text: string | null | undefined): number | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The URL when it is an absolute http(s) URL, else null. Renderers only turn such URLs into links
 * or buttons: a `javascript:` href is a script even when escaped, and Slack refuses a whole
 * message over one malformed button URL.
 */
export function httpUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
