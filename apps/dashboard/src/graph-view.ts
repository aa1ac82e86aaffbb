import Graph from 'graphology';
import circular from 'graphology-layout/circular';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import { drawDiscNodeLabel } from 'sigma/rendering';

import type { GraphJson } from './api';

const STATUS_COLOURS: Record<string, string> = {
  fail: '#d93025',
  warn: '#f29900',
  pass: '#188038',
  stale: '#80868b',
};
const KIND_SIZES: Record<string, number> = {
  zone: 12,
  host: 7,
  service: 9,
  backend: 8,
  instance: 3,
};
// The ring around an entity changed lately (a deploy, a config push, …).
const CHANGED_RING = '#7b1fa2';
// Iterations of the layout, run once per graph shape (never per frame): 1,000 nodes take ~100 ms.
const LAYOUT_ITERATIONS = 150;

/**
 * The dependency graph drawn with sigma.js (WebGL). The layout is computed once for a set of
 * nodes and edges; later updates only recolour nodes by status, so a storm does not make the
 * graph jump or the page stall. The suspected cause is drawn large with a label; `focus` moves
 * the camera to a node and highlights it and its neighbours; `markChanged` rings the entities
 * changed lately and adds the change to their label.
 */
export class GraphView {
  private readonly graph = new Graph({ multi: false, type: 'directed' });
  private readonly sigma: Sigma;
  private shape = '';
  private highlighted: string | null = null;
  private focused: string | null = null;
  /** Entity key → what changed on it ("deploy v2.3.1 12 min ago"), drawn as a ring and label. */
  private changed = new Map<string, string>();
  private layouts = 0;

  constructor(private readonly container: HTMLElement) {
    this.sigma = new Sigma(this.graph, container, {
      renderEdgeLabels: false,
      labelRenderedSizeThreshold: 8,
      defaultEdgeColor: '#dadce0',
      // Labels are drawn on a 2D canvas over the nodes: a changed node's ring is drawn with its label.
      defaultDrawNodeLabel: (context, data, settings) => {
        const key = (data as { key?: string }).key;
        if (key !== undefined && this.changed.has(key)) {
          context.beginPath();
          context.arc(data.x, data.y, data.size + 3, 0, Math.PI * 2);
          context.lineWidth = 2.5;
          context.strokeStyle = CHANGED_RING;
          context.stroke();
        }
        drawDiscNodeLabel(context, data, settings);
      },
      nodeReducer: (node, data) => {
        const note = this.changed.get(node);
        // A changed node always shows its label (and so its ring), with what changed.
        const base = note
          ? { ...data, forceLabel: true, label: `${data.label as string} · ${note}` }
          : { ...data };
        if (node === this.highlighted)
          return {
            ...base,
            size: (data.size as number) * 2.2,
            forceLabel: true,
            zIndex: 2,
            highlighted: true,
          };
        if (this.focused && node !== this.focused && !this.graph.areNeighbors(node, this.focused))
          return { ...base, color: '#e8eaed', label: '' };
        return base;
      },
    });
  }

  /** Shows this graph: re-laid out only when its nodes or edges changed, recoloured always. */
  update(json: GraphJson, highlight: string | null): void {
    const shape = `${json.nodes.length}:${json.edges.length}:${json.nodes.map((n) => n.key).join('|')}`;
    if (shape !== this.shape) {
      this.shape = shape;
      const started = performance.now();
      // Laid out apart from the drawn graph, then handed over with positions: sigma draws only placed nodes.
      const laid = new Graph({ multi: false, type: 'directed' });
      for (const n of json.nodes)
        laid.mergeNode(n.key, {
          label: label(n.key),
          kind: n.attributes.kind,
          size: KIND_SIZES[n.attributes.kind] ?? 4,
          color: '#9aa0a6',
        });
      for (const e of json.edges)
        if (laid.hasNode(e.source) && laid.hasNode(e.target) && !laid.hasEdge(e.source, e.target))
          laid.addEdge(e.source, e.target);
      circular.assign(laid);
      if (laid.order > 1)
        forceAtlas2.assign(laid, {
          iterations: LAYOUT_ITERATIONS,
          settings: { ...forceAtlas2.inferSettings(laid), barnesHutOptimize: laid.order > 300 },
        });
      this.graph.clear();
      this.graph.import(laid.export());
      this.layouts++;
      this.container.dataset.layouts = String(this.layouts);
      this.container.dataset.layoutMs = String(Math.round(performance.now() - started));
    }
    for (const n of json.nodes)
      if (this.graph.hasNode(n.key))
        this.graph.setNodeAttribute(
          n.key,
          'color',
          STATUS_COLOURS[n.attributes.status] ?? '#9aa0a6',
        );
    this.highlighted = highlight && this.graph.hasNode(highlight) ? highlight : null;
    this.container.dataset.highlighted = this.highlighted ?? '';
    this.container.dataset.nodes = String(this.graph.order);
    this.sigma.refresh();
  }

  /** Rings these entities (key → what changed) and names the change in their label; replaces the last set. */
  markChanged(changed: ReadonlyMap<string, string>): void {
    this.changed = new Map([...changed].filter(([key]) => this.graph.hasNode(key)));
    this.container.dataset.changed = JSON.stringify([...this.changed.keys()].sort());
    this.sigma.refresh();
  }

  /** Moves the camera to a node and dims everything but it and its neighbours; null clears. */
  focus(key: string | null): boolean {
    this.focused = key && this.graph.hasNode(key) ? key : null;
    this.sigma.refresh();
    if (!this.focused) return false;
    const pos = this.sigma.getNodeDisplayData(this.focused);
    if (pos)
      void this.sigma.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.4 }, { duration: 300 });
    return true;
  }

  onClick(handler: (key: string) => void): void {
    this.sigma.on('clickNode', ({ node }) => handler(node));
  }

  kill(): void {
    this.sigma.kill();
  }
}

/** The short name of an entity key for a label: `backend:amqp://rabbit-1:5672` → `amqp://rabbit-1:5672`. */
function label(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(colon + 1);
}
