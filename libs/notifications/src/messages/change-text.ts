import type {
  NotificationCause,
  NotificationChange,
  NotificationEvent,
} from '../notification.model';
import { splitInstanceKey } from './event-facts';
import { counted, formatDuration, oneLine, parseTime, truncate } from './message-text';

/**
 * How messages name a recorded change (a deploy, a config push, …), the same words on every
 * channel:
 *   the top cause is a change   "Cause: billing deployed v2.3.1 at 12:00:05 UTC (ci) — 3 of 3
 *                                instances began failing 40 s later": the change from its fields,
 *                                then the engine's evidence (its summary reads "<the change>;
 *                                <evidence>": the part after the first "; "). A summary without
 *                                that form is not cut up: the evidence is then worked out here
 *                                ("3 instances of billing began failing 40 s later"). This line
 *                                takes the place of the plain evidence line.
 *   changes in a cause's evidence  "reconfigured 2 min before (config v42, ci)", after the
 *                                evidence as "<summary>; <that>", the entity named when it is not
 *                                the cause itself. The engine writes these into the summary
 *                                already; a change the summary does not name (its "<kind>
 *                                <version>" does not appear in it) is added, so each is said once.
 * Times are the event's own (the change's startedAt against the incident's firstEvidenceAt), in
 * UTC, so the text never depends on the clock or the machine's zone. Without a first symptom time
 * a change is dated instead ("at 12:00:05 UTC").
 *
 * Contract: pure and deterministic; one line each (control characters collapsed), every value
 * cut to a readable length. Channels escape the result for their own markup.
 */

/** Changes named in one cause's evidence before "and N more". */
export const EVIDENCE_CHANGES_SHOWN = 2;
const NAME_MAX = 120;
const VERSION_MAX = 60;

/** What follows "Cause:" when the cause is a change; null for any other cause. */
export function changeCauseText(event: NotificationEvent, cause: NotificationCause): string | null {
  const change = cause.kind === 'change' ? cause.change : undefined;
  if (!change) return null;
  const version = change.version ? ` ${value(change.version, VERSION_MAX)}` : '';
  const source = change.source ? ` (${value(change.source, NAME_MAX)})` : '';
  const when = clock(change.startedAt);
  const head = `${subject(change.entity)} ${verb(change)}${version}${when ? ` at ${when}` : ''}${source}`;
  const summary = oneLine(cause.summary);
  const split = summary.indexOf('; ');
  if (split >= 0 && split + 2 < summary.length) return `${head} — ${summary.slice(split + 2)}`;
  const lead = leadMs(event, change);
  if (lead === null) return summary ? `${head} — ${summary}` : head;
  const failing = failingInstances(event, change.entity);
  const who = failing === null ? 'the first failure came' : `${failing} began failing`;
  return lead >= 0
    ? `${head} — ${who} ${formatDuration(lead)} later`
    : `${head} — ${who} ${formatDuration(-lead)} before it`;
}

/**
 * "reconfigured 2 min before (config v42, ci)" for the changes in the cause's evidence (at most
 * EVIDENCE_CHANGES_SHOWN, then "and N more changes"); `unsaid` keeps only those its summary does
 * not name. Null without any.
 */
export function evidenceChangesText(
  event: NotificationEvent,
  cause: NotificationCause,
  opts: { unsaid?: boolean } = {},
): string | null {
  const summary = oneLine(cause.summary);
  const changes = (cause.changes ?? []).filter(
    (c) => c.id !== cause.change?.id && !(opts.unsaid && summary.includes(kindAndVersion(c))),
  );
  if (changes.length === 0) return null;
  const shown = changes.slice(0, EVIDENCE_CHANGES_SHOWN).map((c) => {
    const who = c.entity === cause.key ? '' : `${subject(c.entity)} `;
    const lead = leadMs(event, c);
    const when =
      lead === null
        ? `at ${clock(c.startedAt) ?? value(c.startedAt, 40)}`
        : lead >= 0
          ? `${formatDuration(lead)} before`
          : `${formatDuration(-lead)} after the first failure`;
    return `${who}${verb(c)} ${when} (${detail(c)})`;
  });
  const more = changes.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${counted(more, 'more change')}` : '');
}

/**
 * A cause's summary, then the changes it bears that the summary does not name ("<summary>;
 * reconfigured 2 min before (…)"). For a change cause channels show changeCauseText instead.
 */
export function evidenceWithChanges(event: NotificationEvent, cause: NotificationCause): string {
  const summary = oneLine(cause.summary);
  const changes = evidenceChangesText(event, cause, { unsaid: true });
  return changes === null ? summary : summary ? `${summary}; ${changes}` : changes;
}

/** Exactly a change's fields, in one order, whatever else the value carried (events and JSON payloads). */
export const changeFields = (c: NotificationChange): NotificationChange => ({
  id: c.id,
  entity: c.entity,
  kind: c.kind,
  status: c.status,
  startedAt: c.startedAt,
  version: c.version,
  source: c.source,
  summary: c.summary,
});

/** "config v42": how a summary that names a change writes it. */
const kindAndVersion = (c: NotificationChange): string =>
  `${value(c.kind, 20)}${c.version ? ` ${value(c.version, VERSION_MAX)}` : ''}`;

/** "config v42, ci": the kind and version, then the source. */
function detail(c: NotificationChange): string {
  return c.source ? `${kindAndVersion(c)}, ${value(c.source, NAME_MAX)}` : kindAndVersion(c);
}

/** `service:billing` → `billing`; any other key stays whole (a backend's scheme and port matter). */
function subject(entity: string): string {
  const name = entity.startsWith('service:') ? entity.slice('service:'.length) : entity;
  return value(name, NAME_MAX);
}

const DONE: Record<string, string> = {
  deploy: 'deployed',
  config: 'reconfigured',
  scale: 'scaled',
  infra: 'changed (infra)',
  flag: 'had a flag flipped',
};

const FAILED: Record<string, string> = {
  deploy: 'failed to deploy',
  config: 'failed to reconfigure',
  scale: 'failed to scale',
};

function verb(change: NotificationChange): string {
  if (change.status === 'rolled-back') return change.version ? 'rolled back to' : 'rolled back';
  if (change.status === 'failed') return FAILED[change.kind] ?? 'failed to change';
  return DONE[change.kind] ?? 'changed';
}

/** "12:00:05 UTC" of an RFC 3339 time; null when it does not parse. */
function clock(rfc3339: string): string | null {
  const ms = parseTime(rfc3339);
  return ms === null ? null : `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** First symptom minus the change's start (positive: the change came first); null when either is unknown. */
function leadMs(event: NotificationEvent, change: NotificationChange): number | null {
  const first = parseTime(event.incident.firstEvidenceAt);
  const started = parseTime(change.startedAt);
  return first === null || started === null ? null : first - started;
}

/** "3 instances of billing" when the changed entity is a service with affected instances; else null. */
function failingInstances(event: NotificationEvent, entity: string): string | null {
  if (!entity.startsWith('service:')) return null;
  const service = entity.slice('service:'.length);
  const names = new Set<string>();
  for (const key of event.incident.affected.instances) {
    const parts = splitInstanceKey(key, new Set([service]));
    if (parts.service === service) names.add(parts.instance);
  }
  return names.size === 0
    ? null
    : `${counted(names.size, 'instance')} of ${value(service, NAME_MAX)}`;
}

const value = (text: string, max: number): string => truncate(oneLine(text), max);
