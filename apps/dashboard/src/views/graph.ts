import { api, type Change } from '../api';
import { causeEntity, changeBlock } from '../changes';
import { ago, counted, h } from '../dom';
import { GraphView } from '../graph-view';
import type { View } from '../router';

// Entities changed this recently are marked on the graph.
const CHANGED_WITHIN_MS = 60 * 60_000;

/** The whole dependency graph (or around one entity), coloured by status, with search, focus and impact; entities changed in the last hour ringed. */
export const graphView: View = async (root, params, keep) => {
  const focus = params[0] ?? null;
  const [whole, open, recent] = await Promise.all([
    api.graph(),
    api.incidents('open', 20),
    api
      .changes({ since: new Date(Date.now() - CHANGED_WITHIN_MS).toISOString(), limit: 500 })
      // The graph is worth showing without the changes.
      .catch(() => ({ items: [] as Change[] })),
  ]);
  const top = open.items[0]?.rootCauses[0];
  const cause = top ? causeEntity(top) : null;
  // Newest first: an entity's first change is its latest.
  const changesOf = new Map<string, Change[]>();
  for (const c of [...recent.items].sort(
    (a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt),
  ))
    changesOf.set(c.entity, [...(changesOf.get(c.entity) ?? []), c]);
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
          h('span', {}, h('i', { class: 'ring' }), 'changed in the last hour'),
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
  view.markChanged(
    new Map(
      [...changesOf].map(([entity, [latest]]) => [
        entity,
        `${latest.kind}${latest.version ? ` ${latest.version}` : ''}${latest.status === 'succeeded' ? '' : ` (${latest.status})`} ${ago(latest.startedAt)}`,
      ]),
    ),
  );
  (keep.list as HTMLElement).replaceChildren(
    ...graph.nodes.slice(0, 2000).map((n) => h('option', { value: n.key })),
  );
  const impactBox = keep.impact as HTMLElement;
  if (focus && view.focus(focus)) {
    const impact = await api.impact(focus);
    const changes = changesOf.get(focus) ?? [];
    impactBox.replaceChildren(
      changes.length
        ? h(
            'div',
            { id: 'focus-changes' },
            h('h3', {}, `${focus}: ${counted(changes.length, 'change')} in the last hour`),
            changes.map((c) => changeBlock(c, ago(c.startedAt), c.links)),
          )
        : '',
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
