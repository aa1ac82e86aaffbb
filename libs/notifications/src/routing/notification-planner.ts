import { changeFields } from '../messages/change-text';
import type { NotificationCause, NotificationEvent, NotificationKind } from '../notification.model';
import {
  type IncidentMatcher,
  type MatchableIncident,
  matches,
  severityOf,
} from './incident-matcher';

export interface PlannableIncident {
  id: string;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  /** The first symptom (RFC 3339): messages time the changes they name against it. */
  firstEvidenceAt?: string;
  rootCauses: NotificationCause[];
  affected: { services: string[]; instances: string[] };
  /**
   * Set by the engine on an incident whose cause keeps failing and recovering: it stays ONE
   * incident across its cycles (reopened, same id, if it had resolved in between). A cycle (or the
   * timeline growing) is not an event; the incident resolving and reopening are. Read only to say
   * which cycle a reopened message is about.
   */
  flapping?: boolean;
  cycles?: number;
}

export interface RouteRule {
  id: string;
  match: IncidentMatcher;
  channelIds: string[];
  repeatIntervalMs: number | null;
}

export interface ActiveSilence {
  id: string;
  match: IncidentMatcher;
}

/** A notification already planned for the incident (any status). */
export interface PastNotification {
  channelId: string;
  eventKey: string;
  topCause: string;
  /** Wall clock, ms. */
  createdAt: number;
}

export interface PlannedNotification {
  channelId: string;
  eventKey: string;
  kind: NotificationKind;
  topCause: string;
  event: NotificationEvent;
  /** Silences that hold it back (recorded, not sent); empty to send. */
  silencedBy: string[];
  /** Recorded as skipped (never sent), for this reason; unless a silence holds it back. */
  skipReason?: string;
}

export interface PlanInput {
  incident: PlannableIncident;
  /** Label name → values carried by the affected instances. */
  labels: ReadonlyMap<string, ReadonlySet<string>>;
  channelIds: readonly string[];
  routes: readonly RouteRule[];
  silences: readonly ActiveSilence[];
  past: readonly PastNotification[];
  /** Wall clock, ms. */
  now: number;
  incidentUrl: string;
}

/** Why an opened (and its resolved) was skipped: the incident was over before the channel heard of it. */
export const RESOLVED_BEFORE_OPENED = 'resolved before opened was delivered';

/** The delivery-log facts resolvedGate reads about a channel's opened row. */
export interface OpenedRow {
  status: 'pending' | 'sent' | 'failed' | 'silenced' | 'skipped';
  /** Delivery attempts started (counted before sending: 0 means the receiver cannot have it). */
  attempts: number;
}

/**
 * Whether a pending resolved row may go out now (pure). The rule: a channel is sent `resolved`
 * only after its `opened` for the incident is `sent`, and never without it.
 *   send         opened was sent
 *   skip-opened  opened is pending and no attempt has started: skip it and then the resolved
 *                (the skip is conditional on attempts = 0, and an attempt starts by raising
 *                attempts on a pending row, so in a race exactly one wins; if the attempt won,
 *                ask again)
 *   wait         opened is pending and an attempt started: it may be in flight, or have reached
 *                the receiver before timing out, so it is delivered, and the resolved after it
 *   skip         opened was never planned, skipped, silenced or failed for good
 * Only the resolved row's own delivery decides (not the planner, which cannot know whether an
 * opened is in flight), so a resolved is never lost for a channel that got the opened, and never
 * sent to one that did not.
 */
export function resolvedGate(
  opened: OpenedRow | null,
): { action: 'send' | 'wait' | 'skip-opened' } | { action: 'skip'; reason: string } {
  if (!opened) return { action: 'skip', reason: 'opened was never planned for this channel' };
  switch (opened.status) {
    case 'sent':
      return { action: 'send' };
    case 'pending':
      return { action: opened.attempts === 0 ? 'skip-opened' : 'wait' };
    case 'skipped':
      return { action: 'skip', reason: RESOLVED_BEFORE_OPENED };
    case 'silenced':
      return { action: 'skip', reason: 'opened was silenced' };
    case 'failed':
      return { action: 'skip', reason: 'opened failed to be delivered' };
  }
}

/**
 * What to send about one incident now, per channel (pure; idempotent by event key: the caller
 * stores each (incident, event key, channel) once, so planning the same state twice sends nothing
 * twice). Channels: those of every route that matches, plus every channel no route names (the
 * default route). Events per channel:
 *   opened          the first time the channel hears of the incident while it is open
 *   cause-changed   the top cause is not the one the channel was last told (event key per cause)
 *   repeat          still open, and the channel's route repeats, and the last message is older than that
 *   resolved        resolved; it lists what recovered, grouped by service. The first resolution is
 *                   `resolved`, each one after a reopen `resolved:<n>` (n = 2, 3, ...: the
 *                   channel's n-th resolution), so the log's (incident, event key, channel)
 *                   uniqueness keeps each once. A channel that has no opened row (the incident
 *                   opened and resolved before it was planned) gets opened and resolved recorded
 *                   as skipped; otherwise the resolved row's delivery waits for the opened one
 *                   (resolvedGate), so a channel never gets a resolved without its opened sent
 *   reopened        open again after the channel was told it resolved (the engine reopens an
 *                   incident whose cause fails again soon after it resolved: it flaps): one
 *                   `reopened:<n>` after the channel's n-th resolution, saying it flaps (and the
 *                   cycle); never a second opened
 * So a flapping incident gets one opened, a cause-changed only when the top cause moves, and a
 * reopened / resolved:<n> pair only when it resolved between cycles (the engine bridges its up
 * periods once it knows it flaps); nothing per cycle otherwise.
 * A matching active silence keeps every event but marks it silenced (recorded, never sent).
 */
export function planNotifications(input: PlanInput): PlannedNotification[] {
  const { incident, now } = input;
  const top = incident.rootCauses[0];
  if (!top) return [];
  const matchable: MatchableIncident = {
    topCause: top,
    services: incident.affected.services,
    labels: input.labels,
    severity: severityOf(top.kind),
  };
  const repeatOf = new Map<string, number | null>();
  const named = new Set<string>();
  for (const route of input.routes) {
    for (const id of route.channelIds) named.add(id);
    if (!matches(route.match, matchable)) continue;
    for (const id of route.channelIds) {
      const prev = repeatOf.get(id);
      const mine = route.repeatIntervalMs;
      repeatOf.set(
        id,
        prev === undefined
          ? mine
          : prev === null
            ? mine
            : mine === null
              ? prev
              : Math.min(prev, mine),
      );
    }
  }
  for (const id of input.channelIds) if (!named.has(id)) repeatOf.set(id, null);
  const silencedBy = input.silences
    .filter((s) => matches(s.match, matchable))
    .map((s) => s.id)
    .sort();

  const planned: PlannedNotification[] = [];
  for (const channelId of [...repeatOf.keys()].sort()) {
    const past = input.past
      .filter((p) => p.channelId === channelId)
      .sort((a, b) => a.createdAt - b.createdAt);
    const has = (key: string) => past.some((p) => p.eventKey === key);
    const add = (
      kind: NotificationKind,
      eventKey: string,
      previousTopCause?: string,
      skipReason?: string,
    ) =>
      planned.push({
        channelId,
        eventKey,
        kind,
        topCause: top.key,
        silencedBy,
        event: eventOf(input, kind, eventKey, previousTopCause),
        ...(skipReason !== undefined ? { skipReason } : {}),
      });
    // Resolutions the channel was told of, and reopenings: more of the first means it was last
    // told the incident resolved.
    const resolutions = past.filter((p) => isResolvedKey(p.eventKey)).length;
    const reopenings = past.filter((p) => p.eventKey.startsWith(REOPENED_PREFIX)).length;
    if (incident.status === 'resolved') {
      if (resolutions > reopenings) continue;
      if (has('opened'))
        add('resolved', resolutions === 0 ? 'resolved' : `resolved:${resolutions + 1}`);
      else {
        add('opened', 'opened', undefined, RESOLVED_BEFORE_OPENED);
        add('resolved', 'resolved', undefined, RESOLVED_BEFORE_OPENED);
      }
      continue;
    }
    if (!has('opened')) {
      add('opened', 'opened');
      continue;
    }
    if (resolutions > reopenings) {
      add('reopened', `${REOPENED_PREFIX}${resolutions}`);
      continue;
    }
    const last = past[past.length - 1];
    if (last.topCause !== top.key && !has(`cause:${top.key}`)) {
      add('cause-changed', `cause:${top.key}`, last.topCause);
      continue;
    }
    const repeat = repeatOf.get(channelId);
    if (repeat && now - last.createdAt >= repeat)
      add('repeat', `repeat:${past.filter((p) => p.eventKey.startsWith('repeat:')).length + 1}`);
  }
  return planned;
}

const REOPENED_PREFIX = 'reopened:';

/** `resolved` (the first resolution) or `resolved:<n>` (one after a reopen). */
function isResolvedKey(key: string): boolean {
  return key === 'resolved' || /^resolved:\d+$/.test(key);
}

function eventOf(
  input: PlanInput,
  kind: NotificationKind,
  eventKey: string,
  previousTopCause?: string,
): NotificationEvent {
  const { incident } = input;
  const top = incident.rootCauses[0];
  return {
    id: `${incident.id}:${eventKey}`,
    kind,
    incident: {
      id: incident.id,
      status: incident.status,
      openedAt: incident.openedAt,
      resolvedAt: incident.resolvedAt,
      ...(incident.firstEvidenceAt !== undefined && { firstEvidenceAt: incident.firstEvidenceAt }),
      rootCauses: incident.rootCauses.map((c) => ({
        key: c.key,
        kind: c.kind,
        confidence: c.confidence,
        summary: c.summary,
        ...(c.change && { change: changeFields(c.change) }),
        ...(c.changes && { changes: c.changes.map(changeFields) }),
      })),
      affected: {
        services: [...incident.affected.services].sort(),
        instances: [...incident.affected.instances].sort(),
      },
      ...(previousTopCause !== undefined ? { previousTopCause } : {}),
      ...(kind === 'resolved'
        ? { recovered: recoveredByService(incident.affected.instances) }
        : {}),
      ...(kind === 'reopened' ? reopenedFacts(incident) : {}),
      url: input.incidentUrl,
    },
    severity: severityOf(top.kind),
    createdAt: new Date(input.now).toISOString(),
  };
}

function reopenedFacts(incident: PlannableIncident): { flapping: true; cycles?: number } {
  const cycles = incident.cycles;
  return cycles !== undefined && cycles >= 2 ? { flapping: true, cycles } : { flapping: true };
}

/** `instance:<service>/<name>` keys grouped by service, sorted. */
export function recoveredByService(
  instanceKeys: readonly string[],
): { service: string; instances: string[] }[] {
  const by = new Map<string, string[]>();
  for (const key of instanceKeys) {
    const rest = key.startsWith('instance:') ? key.slice('instance:'.length) : key;
    const slash = rest.indexOf('/');
    const service = slash < 0 ? rest : rest.slice(0, slash);
    const name = slash < 0 ? rest : rest.slice(slash + 1);
    const list = by.get(service);
    if (list) list.push(name);
    else by.set(service, [name]);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, instances]) => ({ service, instances: instances.sort() }));
}
