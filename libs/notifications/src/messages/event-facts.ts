import type { NotificationCause, NotificationEvent } from '../notification.model';
import { byCodeUnits, counted, parseTime, truncate } from './message-text';

/**
 * What every message says, derived once from a NotificationEvent so the channels only differ in
 * formatting: the cause first, then the affected instances GROUPED by service (an incident of 500
 * instances is 20 lines, not 500), what recovered, and how long it lasted.
 *
 * Contract: pure and deterministic. Services are sorted by name in code-unit order and instance
 * names within a service likewise, whatever order the event lists them in; duplicates count once.
 * Precondition: incident.rootCauses holds at least one cause (TypeError otherwise).
 * Complexity: O(I log I) for I instance keys.
 */

export interface ServiceGroup {
  service: string;
  instanceCount: number;
  /** Distinct instance names (the part after `<service>/`), sorted. */
  instances: string[];
}

export interface EventFacts {
  /** The best-ranked cause: the one every message names. */
  cause: NotificationCause;
  /** The other ranked candidates, best first. */
  otherCauses: NotificationCause[];
  affected: ServiceGroup[];
  affectedInstanceCount: number;
  /** Resolved events: what recovered, grouped by service (the affected instances when the event does not say). */
  recovered: ServiceGroup[] | null;
  recoveredInstanceCount: number;
  /** Resolved events where exactly the affected instances recovered: messages then list them once, not twice. */
  recoveredAllAffected: boolean;
  /** openedAt → resolvedAt, when both are known times. */
  durationMs: number | null;
}

/** Shown instead of a service when an instance key does not have the `instance:<service>/<instance>` shape. */
export const UNKNOWN_SERVICE = '(unknown service)';
/** Instance names shown per service before "+N more". */
export const INSTANCE_SAMPLE_SIZE = 3;
/** A shown instance name is cut to this many characters: names may be 200 long, a sample stays one short line. */
export const INSTANCE_NAME_MAX = 60;

export function eventFacts(event: NotificationEvent): EventFacts {
  const { incident } = event;
  const [cause, ...otherCauses] = incident.rootCauses;
  if (!cause)
    throw new TypeError(`incident ${incident.id} has no root cause: a notification must name one`);
  const affected = groupInstances(incident.affected.services, incident.affected.instances);
  const recovered =
    event.kind === 'resolved'
      ? incident.recovered
        ? groupRecovered(incident.recovered)
        : affected
      : null;
  const opened = parseTime(incident.openedAt);
  const resolved = parseTime(incident.resolvedAt);
  return {
    cause,
    otherCauses,
    affected,
    affectedInstanceCount: totalInstances(affected),
    recovered,
    recoveredInstanceCount: recovered ? totalInstances(recovered) : 0,
    recoveredAllAffected: recovered !== null && sameGroups(recovered, affected),
    durationMs: opened !== null && resolved !== null ? resolved - opened : null,
  };
}

/** Groups instance keys (`instance:<service>/<instance>`) by service; every listed service appears, with 0 if none of its instances is listed. */
export function groupInstances(
  services: readonly string[],
  instanceKeys: readonly string[],
): ServiceGroup[] {
  const byService = new Map<string, Set<string>>();
  for (const service of services) namesOf(byService, service);
  for (const key of instanceKeys) {
    const { service, instance } = splitInstanceKey(key, byService);
    namesOf(byService, service).add(instance);
  }
  return toGroups(byService);
}

/** Groups the recovered symptoms, merging repeated services; accepts instance names or full instance keys. */
export function groupRecovered(
  recovered: readonly { service: string; instances: readonly string[] }[],
): ServiceGroup[] {
  const byService = new Map<string, Set<string>>();
  for (const entry of recovered) {
    const names = namesOf(byService, entry.service);
    for (const instance of entry.instances) names.add(instanceName(entry.service, instance));
  }
  return toGroups(byService);
}

/**
 * `instance:<service>/<instance>` → its parts. Service names cannot contain "/" (report schema),
 * so the first slash separates them; a listed service that does contain one (data from elsewhere)
 * is still recognised, the longest listed prefix winning.
 */
export function splitInstanceKey(
  key: string,
  knownServices: { has(service: string): boolean } = new Set(),
): { service: string; instance: string } {
  const bare = key.startsWith('instance:') ? key.slice('instance:'.length) : key;
  const first = bare.indexOf('/');
  let slash = first;
  for (
    let at = bare.indexOf('/', first + 1);
    first !== -1 && at !== -1;
    at = bare.indexOf('/', at + 1)
  ) {
    if (knownServices.has(bare.slice(0, at))) slash = at;
  }
  return slash > 0
    ? { service: bare.slice(0, slash), instance: bare.slice(slash + 1) }
    : { service: UNKNOWN_SERVICE, instance: bare };
}

/** The first few instance names of a group (cut to a readable length) and how many are left out. */
export function instanceSample(
  group: ServiceGroup,
  size = INSTANCE_SAMPLE_SIZE,
): { names: string[]; more: number } {
  const names = group.instances.slice(0, size).map((name) => truncate(name, INSTANCE_NAME_MAX));
  return { names, more: group.instanceCount - names.length };
}

/** Plain text of one group: "nova-api: 25 instances (nova-api-1, nova-api-2, nova-api-3 +22 more)". */
export function describeGroup(group: ServiceGroup): string {
  if (group.instanceCount === 0) return group.service;
  const { names, more } = instanceSample(group);
  return `${group.service}: ${counted(group.instanceCount, 'instance')} (${names.join(', ')}${more > 0 ? ` +${more} more` : ''})`;
}

function instanceName(service: string, instance: string): string {
  const prefix = `${service}/`;
  const bare = instance.startsWith('instance:') ? instance.slice('instance:'.length) : instance;
  return bare.startsWith(prefix) ? bare.slice(prefix.length) : instance;
}

function namesOf(byService: Map<string, Set<string>>, service: string): Set<string> {
  let names = byService.get(service);
  if (!names) byService.set(service, (names = new Set()));
  return names;
}

function toGroups(byService: Map<string, Set<string>>): ServiceGroup[] {
  return [...byService]
    .map(([service, names]) => ({
      service,
      instanceCount: names.size,
      instances: [...names].sort(byCodeUnits),
    }))
    .sort((a, b) => byCodeUnits(a.service, b.service));
}

function sameGroups(a: readonly ServiceGroup[], b: readonly ServiceGroup[]): boolean {
  return (
    a.length === b.length &&
    a.every((group, i) =>
      sameList([group.service, ...group.instances], [b[i].service, ...b[i].instances]),
    )
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function totalInstances(groups: readonly ServiceGroup[]): number {
  return groups.reduce((sum, group) => sum + group.instanceCount, 0);
}
