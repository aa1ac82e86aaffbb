import { api } from '../api';
import { badge, h } from '../dom';
import type { View } from '../router';

export const servicesView: View = async (root) => {
  const { items } = await api.services();
  root.replaceChildren(
    h('h1', {}, 'Services'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['status', 'service', 'instances', 'failing', 'stale'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((s) =>
          h(
            'tr',
            {
              class: 'link',
              onclick: () => (location.hash = `#/graph/${encodeURIComponent(`service:${s.name}`)}`),
            },
            h('td', {}, badge(s.status)),
            h('td', {}, s.name),
            h('td', {}, s.instances),
            h('td', {}, s.failing),
            h('td', {}, s.stale),
          ),
        ),
      ),
    ),
  );
};

export const backendsView: View = async (root) => {
  const { items } = await api.backends();
  root.replaceChildren(
    h('h1', {}, 'Backends'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['status', 'backend', 'dependents', 'failing checks'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((b) =>
          h(
            'tr',
            {
              class: 'link',
              onclick: () => (location.hash = `#/graph/${encodeURIComponent(b.key)}`),
            },
            h('td', {}, badge(b.failing > 0 ? 'fail' : 'pass')),
            h('td', { class: 'key' }, b.key),
            h('td', {}, b.dependents),
            h('td', {}, b.failing),
          ),
        ),
      ),
    ),
  );
};
