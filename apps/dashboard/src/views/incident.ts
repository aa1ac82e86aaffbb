import { api, type Change, type ChangeRef, type IncidentDetail } from '../api';
import {
  causeEntity,
  changeBlock,
  changePhrase,
  incidentChanges,
  relativeToFirst,
  roleNote,
} from '../changes';
import { ago, badge, counted, h, percent } from '../dom';
import { GraphView } from '../graph-view';
import type { View } from '../router';

// Changes listed around the incident: from this long before the first failure…
const CHANGES_BEFORE_MS = 15 * 60_000;
// …to this long after it resolved (or last changed, while open).
const CHANGES_AFTER_MS = 5 * 60_000;
// Entities whose changes are listed for their links (the cause's first).
const CHANGE_ENTITIES_MAX = 5;

/** One incident: ranked causes with evidence, affected services and instances, timeline (with the changes that bear on it), notifications, the graph around the cause. */
export const incidentView: View = async (root, params, keep) => {
  const id = params[0];
  const [incident, notifications] = await Promise.all([
    api.incident(id),
    api.notifications(id).catch(() => ({ items: [] })),
  ]);
  const top = incident.rootCauses[0];
  const listed = await listedChanges(incident);
  const named = incidentChanges(
    incident,
    top ? listed.filter((c) => c.entity === causeEntity(top)) : [],
  );
  // The listed record is fresher (a status may have moved on) and has the links.
  const fresh = new Map(listed.map((c) => [c.id, c]));
  const block = (ref: ChangeRef, note?: string) => {
    const change = fresh.get(ref.id) ?? ref;
    return changeBlock(
      change,
      relativeToFirst(change.startedAt, incident.firstEvidenceAt),
      fresh.get(ref.id)?.links,
      note,
    );
  };
  const graphBox = (keep.graphBox ??= h('div', {
    class: 'graph small',
    id: 'incident-graph',
  })) as HTMLElement;
  root.replaceChildren(
    h(
      'h1',
      {},
      badge(incident.status),
      ' ',
      h('span', { class: 'key' }, top?.key ?? incident.id),
      top?.change ? h('span', { class: 'muted' }, ` ${changePhrase(top.change)}`) : null,
    ),
    h(
      'p',
      { class: 'muted' },
      `opened ${ago(incident.openedAt)} (${incident.openedAt})${incident.resolvedAt ? `, resolved ${ago(incident.resolvedAt)}` : ''} · first evidence ${incident.firstEvidenceAt}`,
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'div',
        {},
        h('h2', {}, 'Likely causes'),
        incident.rootCauses.map((c, i) =>
          h(
            'div',
            {
              class: `card cause${i === 0 ? ' top' : ''}${c.kind === 'change' ? ' change-cause' : ''}`,
              'data-rank': String(i + 1),
            },
            h('span', { class: 'conf' }, percent(c.confidence)),
            c.kind === 'change' ? [h('span', { class: 'tag' }, 'change'), ' '] : null,
            h('a', { class: 'key', href: `#/graph/${encodeURIComponent(causeEntity(c))}` }, c.key),
            h('div', {}, c.summary),
            c.change ? block(c.change) : null,
            c.changes?.length
              ? h(
                  'div',
                  { class: 'evidence-changes' },
                  h('div', { class: 'muted' }, `${counted(c.changes.length, 'change')} before it:`),
                  c.changes.map((x) => block(x)),
                )
              : null,
          ),
        ),
        h(
          'h2',
          {},
          `Affected: ${counted(incident.affected.services.length, 'service')}, ${counted(incident.affected.instances, 'instance')}`,
        ),
        affectedList(incident),
      ),
      h('div', {}, h('h2', {}, 'Around the cause'), graphBox),
    ),
    h('h2', {}, 'Timeline'),
    timeline(incident, named, block),
    h('h2', {}, 'Notifications'),
    notifications.items.length === 0
      ? h('p', { class: 'muted' }, 'None sent (no channel, or not yet).')
      : h(
          'table',
          {},
          h(
            'tbody',
            {},
            notifications.items.map((n) =>
              h(
                'tr',
                {},
                h('td', {}, badge(n.status)),
                h('td', {}, n.kind),
                h('td', {}, n.channelName ?? n.channelId),
                h('td', {}, counted(n.attempts, 'attempt')),
                h('td', { class: 'muted' }, n.lastError ?? n.sentAt ?? ''),
              ),
            ),
          ),
        ),
  );
  if (top) {
    const centre = causeEntity(top);
    const view = (keep.graph ??= new GraphView(graphBox)) as GraphView;
    view.update(await api.graph(centre, 2), centre);
    view.markChanged(new Map(named.map((c) => [c.change.entity, changePhrase(c.change)])));
  }
};

/**
 * The engine's timeline with the changes that bear on the incident among it, by time: an entry
 * about a change shows it inline; the others (the cause, a cause's evidence, changes on the
 * cause's entity around the first failure) get a row of their own at the time they started.
 */
function timeline(
  incident: IncidentDetail,
  named: ReturnType<typeof incidentChanges>,
  block: (ref: ChangeRef, note?: string) => HTMLElement,
): HTMLElement {
  const onEntries = new Set(incident.timeline.flatMap((e) => (e.change ? [e.change.id] : [])));
  const rows = [
    // Changes first: at the same instant, the change comes before what followed it.
    ...named
      .filter((c) => !onEntries.has(c.change.id))
      .map((c) => ({
        at: c.change.startedAt,
        row: h(
          'tr',
          { class: `change-row ${c.role}` },
          h('td', { class: 'muted' }, c.change.startedAt),
          h('td', {}, block(c.change, roleNote(c))),
        ),
      })),
    ...incident.timeline.map((e) => ({
      at: e.at,
      row: h(
        'tr',
        e.change ? { class: 'change-row timeline' } : {},
        h('td', { class: 'muted' }, e.at),
        h('td', {}, e.what, e.change ? block(e.change) : null),
      ),
    })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return h(
    'table',
    { id: 'timeline' },
    h(
      'tbody',
      {},
      rows.map((r) => r.row),
    ),
  );
}

/**
 * The changes recorded on the cause's entity and on every entity a named change touched, from
 * CHANGES_BEFORE_MS before the first failure (or the earliest named change) to CHANGES_AFTER_MS
 * after the incident's last word: their links, and what the incident does not name itself.
 */
async function listedChanges(incident: IncidentDetail): Promise<Change[]> {
  const top = incident.rootCauses[0];
  if (!top) return [];
  const named = incidentChanges(incident).map((c) => c.change);
  const entities = [...new Set([causeEntity(top), ...named.map((c) => c.entity)])].slice(
    0,
    CHANGE_ENTITIES_MAX,
  );
  const first = Date.parse(incident.firstEvidenceAt);
  const since = Math.min(first - CHANGES_BEFORE_MS, ...named.map((c) => Date.parse(c.startedAt)));
  const last = Date.parse(incident.resolvedAt ?? incident.changedAt);
  const until = Math.max(first, last) + CHANGES_AFTER_MS;
  if (!Number.isFinite(since) || !Number.isFinite(until)) return [];
  const lists = await Promise.all(
    entities.map((entity) =>
      api
        .changes({
          entity,
          since: new Date(since).toISOString(),
          until: new Date(until).toISOString(),
          limit: 100,
        })
        // Changes are evidence beside the incident: without them the page still shows it.
        .catch(() => ({ items: [] as Change[] })),
    ),
  );
  return lists.flatMap((l) => l.items);
}

/** Services with their affected instances, grouped: never a line per symptom. */
function affectedList(incident: IncidentDetail): HTMLElement {
  const by = new Map<string, string[]>();
  for (const key of incident.affected.instanceKeys) {
    const rest = key.replace(/^instance:/, '');
    const slash = rest.indexOf('/');
    const service = rest.slice(0, slash);
    (by.get(service) ?? by.set(service, []).get(service))?.push(rest.slice(slash + 1));
  }
  return h(
    'ul',
    { class: 'plain', id: 'affected' },
    [...by.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([service, names]) =>
        h(
          'li',
          {},
          h('strong', {}, service),
          ` — ${counted(names.length, 'instance')}: `,
          h(
            'span',
            { class: 'muted' },
            names.slice(0, 5).join(', ') + (names.length > 5 ? ` +${names.length - 5} more` : ''),
          ),
        ),
      ),
  );
}
