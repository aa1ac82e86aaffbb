import { api, type IncidentDetail } from '../api';
import { ago, badge, counted, h, percent } from '../dom';
import { GraphView } from '../graph-view';
import type { View } from '../router';

/** One incident: ranked causes with evidence, affected services and instances, timeline, notifications, the graph around the cause. */
export const incidentView: View = async (root, params, keep) => {
  const id = params[0];
  const [incident, notifications] = await Promise.all([
    api.incident(id),
    api.notifications(id).catch(() => ({ items: [] })),
  ]);
  const top = incident.rootCauses[0];
  const graphBox = (keep.graphBox ??= h('div', {
    class: 'graph small',
    id: 'incident-graph',
  })) as HTMLElement;
  root.replaceChildren(
    h('h1', {}, badge(incident.status), ' ', h('span', { class: 'key' }, top?.key ?? incident.id)),
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
            { class: `card cause${i === 0 ? ' top' : ''}`, 'data-rank': String(i + 1) },
            h('span', { class: 'conf' }, percent(c.confidence)),
            h('a', { class: 'key', href: `#/graph/${encodeURIComponent(c.key)}` }, c.key),
            h('div', {}, c.summary),
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
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        incident.timeline.map((e) =>
          h('tr', {}, h('td', { class: 'muted' }, e.at), h('td', {}, e.what)),
        ),
      ),
    ),
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
    const view = (keep.graph ??= new GraphView(graphBox)) as GraphView;
    view.update(await api.graph(top.key, 2), top.key);
  }
};

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
