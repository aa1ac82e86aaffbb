import type { EngineEventLike, ScoredIncidentChange } from './engine-event';

const WINDOW_MS = 60_000;

/**
 * The naive baseline the engine is compared with: in each 60 s window of event time, blame the
 * check target that failed most often (at least `minFailures` failing reports; ties by key).
 * Consecutive windows blaming the same target are one incident; a window blaming another
 * target, or none, resolves it. Fed the same events as the engine, it answers the same changes
 * shape, so the same scorer grades both. O(checks) per report, O(targets) per window.
 */
export class NaiveBaseline {
  private windowStart: number | null = null;
  private counts = new Map<string, { n: number; instances: Set<string> }>();
  private current: { id: string; key: string; openedAt: number; instances: Set<string> } | null =
    null;

  constructor(private readonly minFailures = 3) {}

  apply(event: EngineEventLike): ScoredIncidentChange[] {
    const at =
      event.kind === 'report' ? event.report.observedAt : event.kind === 'tick' ? event.at : null;
    if (at === null) return [];
    if (this.windowStart === null) this.windowStart = at;
    const out: ScoredIncidentChange[] = [];
    while (at >= this.windowStart + WINDOW_MS) {
      this.windowStart += WINDOW_MS;
      out.push(...this.closeWindow(this.windowStart));
    }
    if (event.kind === 'report') {
      const r = event.report;
      for (const c of r.checks) {
        if (c.status !== 'fail' || c.targetKey === null) continue;
        let entry = this.counts.get(c.targetKey);
        if (!entry) this.counts.set(c.targetKey, (entry = { n: 0, instances: new Set() }));
        entry.n++;
        entry.instances.add(`instance:${r.service}/${r.instance}`);
      }
    }
    return out;
  }

  private closeWindow(at: number): ScoredIncidentChange[] {
    let top: string | null = null;
    let topN = this.minFailures - 1;
    for (const [key, { n }] of this.counts)
      if (n > topN || (n === topN && top !== null && key < top)) [top, topN] = [key, n];
    const counts = this.counts;
    this.counts = new Map();
    const out: ScoredIncidentChange[] = [];
    if (this.current && this.current.key !== top) {
      out.push(this.change('resolved', at));
      this.current = null;
    }
    if (top === null) return out;
    const instances = counts.get(top)?.instances ?? new Set<string>();
    if (this.current) {
      for (const i of instances) this.current.instances.add(i);
      out.push(this.change('updated', at));
    } else {
      this.current = {
        id: `naive-${at}-${top}`,
        key: top,
        openedAt: at,
        instances: new Set(instances),
      };
      out.push(this.change('opened', at));
    }
    return out;
  }

  private change(type: ScoredIncidentChange['type'], at: number): ScoredIncidentChange {
    const c = this.current as NonNullable<NaiveBaseline['current']>;
    return {
      type,
      at,
      incident: {
        id: c.id,
        status: type === 'resolved' ? 'resolved' : 'open',
        openedAt: c.openedAt,
        rootCauses: [{ key: c.key }],
        affected: { instances: [...c.instances].sort() },
      },
    };
  }
}
