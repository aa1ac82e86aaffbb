import { api } from '../api';
import { ago, badge, counted, h, percent } from '../dom';
import type { View } from '../router';

/** Open and recent incidents: cause, confidence, affected count, age. */
export const incidentsView: View = async (root) => {
  const { items } = await api.incidents('all', 100);
  const open = items.filter((i) => i.status === 'open');
  const rows = items.map((i) =>
    h(
      'tr',
      {
        class: 'link',
        'data-incident': i.id,
        onclick: () => (location.hash = `#/incidents/${encodeURIComponent(i.id)}`),
      },
      h('td', {}, badge(i.status)),
      h(
        'td',
        {},
        h('div', { class: 'key' }, i.rootCauses[0]?.key ?? ''),
        h('div', { class: 'muted' }, i.rootCauses[0]?.summary ?? ''),
      ),
      h('td', {}, percent(i.rootCauses[0]?.confidence ?? 0)),
      h(
        'td',
        {},
        `${counted(i.affected.services.length, 'service')}, ${counted(i.affected.instances, 'instance')}`,
      ),
      h('td', { title: i.openedAt }, ago(i.openedAt)),
      h('td', {}, i.resolvedAt ? ago(i.resolvedAt) : ''),
    ),
  );
  root.replaceChildren(
    h('h1', {}, open.length === 0 ? 'No open incident' : counted(open.length, 'open incident')),
    items.length === 0
      ? h('p', { class: 'muted' }, 'Nothing has gone wrong yet.')
      : h(
          'table',
          { id: 'incidents' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['', 'likely cause', 'confidence', 'affected', 'opened', 'resolved'].map((t) =>
                h('th', {}, t),
              ),
            ),
          ),
          h('tbody', {}, rows),
        ),
  );
};
