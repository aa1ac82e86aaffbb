import type { NotificationEvent } from '../notification.model';
import { eventFacts } from './event-facts';
import { counted, formatDuration, oneLine, percent, truncate } from './message-text';

/**
 * The one line every channel starts from (Slack fallback text, PagerDuty summary, webhook
 * summary, first line of the email):
 *   open:     "<cause key> is the likely cause: <summary> (confidence NN %); N services, M instances affected"
 *   resolved: "Resolved: <cause key> (<duration>), N instances recovered"
 *   reopened: "<cause key> is failing again (flapping, cycle K): <summary> (confidence NN %); N services, M instances affected"
 *             ("(flapping)" when the cycle is not known)
 * opened, repeat and cause-changed share the open form: the line states the incident, the
 * channel says what happened to it. reopened says it in the line: it is news, not a reminder.
 *
 * Contract: pure, one line (no line breaks), at most HEADLINE_MAX characters: the key and the
 * summary are cut first (a backend key may be 2 kB), so the counts at the end always survive.
 */

/** Cause keys and summaries are cut to these lengths inside the headline. */
const KEY_MAX = 200;
const SUMMARY_MAX = 300;
export const HEADLINE_MAX = 640;

export function headline(event: NotificationEvent): string {
  const facts = eventFacts(event);
  const key = truncate(oneLine(facts.cause.key), KEY_MAX);
  if (event.kind === 'resolved') {
    const lasted =
      facts.durationMs === null ? 'duration unknown' : formatDuration(facts.durationMs);
    return `Resolved: ${key} (${lasted}), ${counted(facts.recoveredInstanceCount, 'instance')} recovered`;
  }
  const summary = truncate(oneLine(facts.cause.summary), SUMMARY_MAX);
  const spread = `${counted(facts.affected.length, 'service')}, ${counted(facts.affectedInstanceCount, 'instance')} affected`;
  if (event.kind === 'reopened')
    return `${key} is failing again (${flappingNote(event)}): ${summary} (confidence ${percent(facts.cause.confidence)}); ${spread}`;
  return `${key} is the likely cause: ${summary} (confidence ${percent(facts.cause.confidence)}); ${spread}`;
}

/** "flapping, cycle 3", or "flapping" when the event does not say which cycle. */
export function flappingNote(event: NotificationEvent): string {
  const cycles = event.incident.cycles;
  return cycles !== undefined && Number.isInteger(cycles) && cycles >= 2
    ? `flapping, cycle ${cycles}`
    : 'flapping';
}
