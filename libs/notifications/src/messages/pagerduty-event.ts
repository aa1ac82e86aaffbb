import type { NotificationEvent } from '../notification.model';
import { changeCauseText, changeFields, evidenceChangesText } from './change-text';
import { describeGroup, eventFacts } from './event-facts';
import { headline } from './headline';
import { incidentPageUrl } from './incident-link';
import { counted, httpUrl, percent, truncate } from './message-text';

/**
 * PagerDuty Events API v2 body (POST https://events.pagerduty.com/v2/enqueue).
 *
 * opened, cause-changed, repeat, reopened → event_action "trigger": {routing_key, event_action, dedup_key,
 * payload: {summary, source, severity, timestamp, component, group, class, custom_details},
 * client, client_url, links}. Re-triggering with the same dedup_key updates the open alert
 * rather than opening another, which is what a cause change or a reminder should do; after a
 * resolve it opens the alert again under the same key, which is what a reopened (flapping)
 * incident should do (its summary says "failing again (flapping, cycle K)").
 * resolved → event_action "resolve": {routing_key, event_action, dedup_key} and nothing else.
 *
 * dedup_key is `faultline-<incident.id>`: stable over the incident's whole life, so every update
 * and the resolve land on the same PagerDuty alert.
 *
 * Field choices: summary is the headline (names the cause and its evidence; ≤ 1024 characters,
 * PagerDuty's limit); source is the cause key (the "where" PagerDuty groups on); component is
 * the cause entity without its kind prefix (`amqp://rabbit-1:5672`); group is the first affected
 * service by name; class is the cause kind; timestamp is incident.openedAt. custom_details lists
 * the causes and the affected services with instance counts (grouped, at most 50 services, so
 * the event stays far below PagerDuty's 512 KB), and the incident's links: incident_url its
 * dashboard page (as client_url and links, incidentPageUrl), incident_api_url its API route.
 * When the top cause is a change, custom_details.change holds it ({id, entity, kind, status,
 * startedAt, version, source, summary}); when its evidence names changes, custom_details.changes
 * lists them; change_text says either in words ("billing deployed v2.3.1 at 12:00:05 UTC (ci) —
 * …", "reconfigured 2 min before (config v42)"). Existing fields keep their names and values.
 *
 * Preconditions: routingKey is not empty; the dedup_key fits PagerDuty's 255 characters (ids
 * of the engine are about 20). Both throw TypeError/RangeError: a bad routing key is a
 * configuration error, better loud than an event PagerDuty drops.
 */

export const PAGERDUTY_SUMMARY_MAX = 1024;
export const PAGERDUTY_DEDUP_KEY_MAX = 255;
/** Services listed in custom_details before "…and N more". */
export const PAGERDUTY_MAX_SERVICES = 50;

export interface PagerDutyTrigger {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: 'critical' | 'warning';
    timestamp: string;
    component: string;
    group?: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  client: string;
  client_url?: string;
  links: { href: string; text: string }[];
}

export interface PagerDutyResolve {
  routing_key: string;
  event_action: 'resolve';
  dedup_key: string;
}

/** The dedup_key of an incident: the same for its trigger, its updates and its resolve. */
export function pagerDutyDedupKey(incidentId: string): string {
  const key = `faultline-${incidentId}`;
  if (key.length > PAGERDUTY_DEDUP_KEY_MAX)
    throw new RangeError(
      `dedup_key would be ${key.length} characters; PagerDuty accepts ${PAGERDUTY_DEDUP_KEY_MAX}`,
    );
  return key;
}

export function renderPagerDuty(
  event: NotificationEvent,
  routingKey: string,
): PagerDutyTrigger | PagerDutyResolve {
  if (typeof routingKey !== 'string' || routingKey.trim() === '')
    throw new TypeError('a PagerDuty routing key is required');
  const dedupKey = pagerDutyDedupKey(event.incident.id);
  if (event.kind === 'resolved')
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };

  const { incident } = event;
  const facts = eventFacts(event);
  const page = incidentPageUrl(incident.url);
  const url = httpUrl(page);
  const shownGroups = facts.affected.slice(0, PAGERDUTY_MAX_SERVICES);
  const hiddenServices = facts.affected.length - shownGroups.length;
  const customDetails: Record<string, unknown> = {
    notification: event.kind,
    cause: facts.cause.key,
    evidence: facts.cause.summary,
    confidence: percent(facts.cause.confidence),
    ...changeDetails(event, facts.cause),
    causes: incident.rootCauses.map(
      (c) => `${c.key} (${c.kind}, ${percent(c.confidence)}): ${c.summary}`,
    ),
    ...(event.kind === 'cause-changed' &&
      incident.previousTopCause !== undefined && { previous_cause: incident.previousTopCause }),
    ...(event.kind === 'reopened' && { flapping: true }),
    ...(event.kind === 'reopened' && incident.cycles !== undefined && { cycles: incident.cycles }),
    affected_services: [
      ...shownGroups.map(describeGroup),
      ...(hiddenServices > 0 ? [`…and ${counted(hiddenServices, 'more service')}`] : []),
    ],
    affected_service_count: facts.affected.length,
    affected_instance_count: facts.affectedInstanceCount,
    incident_id: incident.id,
    incident_url: page,
    incident_api_url: incident.url,
  };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(headline(event), PAGERDUTY_SUMMARY_MAX),
      source: facts.cause.key,
      severity: event.severity,
      timestamp: incident.openedAt,
      component: entityName(facts.cause.key),
      ...(facts.affected[0] && { group: facts.affected[0].service }),
      class: facts.cause.kind,
      custom_details: customDetails,
    },
    client: 'Faultline',
    ...(url !== null && { client_url: url }),
    // PagerDuty rejects links that are not URLs; custom_details still carries the raw text.
    links:
      url !== null ? [{ href: url, text: `Faultline incident ${truncate(incident.id, 200)}` }] : [],
  };
}

/** The change fields of custom_details: the cause's change and the changes its evidence names. */
function changeDetails(
  event: NotificationEvent,
  cause: NotificationEvent['incident']['rootCauses'][number],
): Record<string, unknown> {
  const change = cause.kind === 'change' ? cause.change : undefined;
  const changes = cause.changes?.filter((c) => c.id !== change?.id) ?? [];
  const said = [changeCauseText(event, cause), evidenceChangesText(event, cause)];
  const text = said.filter((t): t is string => t !== null).join('; ') || null;
  return {
    ...(change && { change: changeFields(change) }),
    ...(changes.length > 0 && { changes: changes.map(changeFields) }),
    ...(text !== null && { change_text: text }),
  };
}

/** `backend:amqp://rabbit-1:5672` → `amqp://rabbit-1:5672`; a key without a kind prefix stays whole. */
function entityName(key: string): string {
  const colon = key.indexOf(':');
  return colon > 0 && /^[a-z]+$/.test(key.slice(0, colon)) ? key.slice(colon + 1) : key;
}
