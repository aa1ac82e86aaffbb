import { api } from '../api';
import { counted, h } from '../dom';
import { GraphView } from '../graph-view';
import type { View } from '../router';

/** The whole dependency graph (or around one entity), coloured by status, with search, focus and impact. */
export const graphView: View = async (root, params, keep) => {
  const focus = params[0] ?? null;
  const [whole, open] = await Promise.all([api.graph(), api.incidents('open', 20)]);
  const cause = open.items[0]?.rootCauses[0]?.key ?? null;
  // Over the server's node limit the whole graph is cut: show the neighbourhood of what is
  // looked at (the focused entity, else the newest incident's cause) in full instead.
  const centre = whole.truncated ? (focus ?? cause) : null;
  const graph = centre ? await api.graph(centre, 2).catch(() => whole) : whole;
  const note = whole.truncated
    ? graph !== whole
      ? `${whole.totalNodes ?? 'Too many'} entities: showing those within 2 hops of ${centre}`
      : `${whole.totalNodes ?? 'Too many'} entities: showing the first ${whole.nodes.length} (unwell first); focus an entity to see its neighbourhood`
    : '';
  if (!keep.box) {
    const box = (keep.box = h('div', { class: 'graph', id: 'graph' }));
    const search = h('input', {
      type: 'search',
      placeholder: 'Find an entity: backend:…, service:…, host:…',
      list: 'entities',
    });
    keep.list = h('datalist', { id: 'entities' });
    keep.impact = h('div', { id: 'impact' });
    keep.note = h('p', { class: 'muted', id: 'graph-note' });
    const go = () => (location.hash = `#/graph/${encodeURIComponent(search.value.trim())}`);
    root.replaceChildren(
      h('h1', {}, 'Dependency graph'),
      h(
        'div',
        { class: 'toolbar' },
        search,
        h('button', { type: 'button', onclick: go }, 'Focus'),
        h('button', { type: 'button', onclick: () => (location.hash = '#/graph') }, 'Clear'),
        h(
          'span',
          { class: 'legend' },
          ['fail', 'warn', 'pass', 'stale'].map((s) =>
            h('span', {}, h('i', { style: `background: var(--${s})` }), s),
          ),
        ),
      ),
      keep.list as HTMLElement,
      keep.note as HTMLElement,
      box,
      keep.impact as HTMLElement,
    );
    search.addEventListener('keydown', (e) => e.key === 'Enter' && go());
    const view = (keep.graph = new GraphView(box));
    view.onClick((key) => (location.hash = `#/graph/${encodeURIComponent(key)}`));
  }
  const view = keep.graph as GraphView;
  (keep.note as HTMLElement).replaceChildren(note);
  view.update(graph, cause);
  (keep.list as HTMLElement).replaceChildren(
    ...graph.nodes.slice(0, 2000).map((n) => h('option', { value: n.key })),
  );
  const impactBox = keep.impact as HTMLElement;
  if (focus && view.focus(focus)) {
    const impact = await api.impact(focus);
    impactBox.replaceChildren(
      h(
        'h2',
        {},
        `Impact of ${focus}: ${counted(impact.direct.length, 'direct dependent')}, ${impact.transitive.length} in all`,
      ),
      h(
        'p',
        { class: 'key muted' },
        impact.transitive.slice(0, 60).join('  ·  ') + (impact.transitive.length > 60 ? ' …' : ''),
      ),
    );
  } else {
    view.focus(null);
    impactBox.replaceChildren(
      focus ? h('p', { class: 'error' }, `${focus} is not in the graph`) : '',
    );
  }
};
