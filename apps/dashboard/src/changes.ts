import type { Change, ChangeRef, IncidentDetail, RootCause } from './api';
import { h } from './dom';

/**
 * Changes (deploys, config pushes, …) on the dashboard: which ones bear on an incident, how they
 * read ("deploy of service:billing v2.3.1 · succeeded · via ci · 40 s before the first failure")
 * and their links. Everything from data is set as text; a link is made only of an http(s) URL.
 */

/** Where a cause sits in the graph: a change's entity for a change cause, else its own key. */
export const causeEntity = (cause: RootCause): string =>
  cause.kind === 'change' && cause.change ? cause.change.entity : cause.key;

/** A change the incident names, with why: the cause itself, evidence of a cause, or a timeline entry. */
export interface IncidentChange {
  change: ChangeRef;
  /** The ranked cause it is (`cause`) or supports (`evidence`); a timeline entry's (`timeline`). */
  role: 'cause' | 'evidence' | 'timeline' | 'nearby';
  /** For evidence: the key of the cause it bears on. */
  of?: string;
}

/**
 * Every change the incident names, once each (the strongest role wins: cause, then evidence,
 * then timeline), oldest first. `nearby` adds changes found by listing (on the cause's entity
 * around the first failure) that the incident does not name.
 */
export function incidentChanges(
  incident: Pick<IncidentDetail, 'rootCauses' | 'timeline'>,
  nearby: readonly ChangeRef[] = [],
): IncidentChange[] {
  const byId = new Map<string, IncidentChange>();
  const add = (entry: IncidentChange) => {
    if (!byId.has(entry.change.id)) byId.set(entry.change.id, entry);
  };
  for (const cause of incident.rootCauses)
    if (cause.kind === 'change' && cause.change) add({ change: cause.change, role: 'cause' });
  for (const cause of incident.rootCauses)
    for (const change of cause.changes ?? []) add({ change, role: 'evidence', of: cause.key });
  for (const entry of incident.timeline)
    if (entry.change) add({ change: entry.change, role: 'timeline' });
  for (const change of nearby) add({ change, role: 'nearby' });
  return [...byId.values()].sort((a, b) => time(a.change.startedAt) - time(b.change.startedAt));
}

/** How the page says why a change is shown. */
export function roleNote(entry: IncidentChange): string {
  switch (entry.role) {
    case 'cause':
      return 'the likely cause';
    case 'evidence':
      return `evidence for ${entry.of ?? 'a cause'}`;
    case 'timeline':
      return 'on the timeline';
    case 'nearby':
      return 'on the cause, not ranked';
  }
}

/** A short phrase for a change: "deploy of service:billing v2.3.1". */
export const changePhrase = (c: ChangeRef): string =>
  `${c.kind} of ${c.entity}${c.version ? ` ${c.version}` : ''}`;

/** "40 s before the first failure", "2 min 5 s after the first failure". */
export function relativeToFirst(startedAt: string, firstEvidenceAt: string): string {
  const ms = time(firstEvidenceAt) - time(startedAt);
  if (!Number.isFinite(ms)) return '';
  return `${duration(Math.abs(ms))} ${ms >= 0 ? 'before' : 'after'} the first failure`;
}

/** "45 s", "3 min 20 s", "1 h 5 min": the two largest units. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor(s / 60) % 60, 'min'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0 s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/** The URL when it is absolute http(s), else null: a `javascript:` or `data:` href never becomes a link. */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A class name from data: only lower-case letters, digits and dashes survive. */
const token = (text: string): string => text.toLowerCase().replace(/[^a-z0-9-]/g, '');

/**
 * One change as a block: kind, entity (a link to it in the graph), version, status, source, when
 * (`when`, e.g. relative to the first failure), its summary and links (http(s) only).
 */
export function changeBlock(
  change: ChangeRef,
  when: string,
  links: readonly Change['links'][number][] = [],
  note?: string,
): HTMLElement {
  const hrefs = links
    .map((l) => ({ href: safeHref(l.href), text: l.text || l.href }))
    .filter((l): l is { href: string; text: string } => l.href !== null);
  return h(
    'div',
    { class: 'change', 'data-change': change.id },
    h('span', { class: `tag kind-${token(change.kind)}` }, change.kind),
    ' ',
    h(
      'a',
      { class: 'change-entity', href: `#/graph/${encodeURIComponent(change.entity)}` },
      change.entity,
    ),
    change.version ? [' ', h('strong', { class: 'version' }, change.version)] : null,
    ' · ',
    h('span', { class: `status ${token(change.status)}` }, change.status),
    change.source ? [' · via ', h('span', { class: 'source' }, change.source)] : null,
    ' · ',
    h('span', { class: 'when', title: change.startedAt }, when),
    note ? h('span', { class: 'muted' }, ` · ${note}`) : null,
    change.summary ? h('div', { class: 'muted' }, change.summary) : null,
    hrefs.length
      ? h(
          'div',
          { class: 'links' },
          hrefs.map((l) =>
            h('a', { href: l.href, target: '_blank', rel: 'noopener noreferrer' }, l.text),
          ),
        )
      : null,
  );
}

const time = (iso: string): number => Date.parse(iso);
