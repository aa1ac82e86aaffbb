import type { UnresolvedComponent } from '@faultline/formats';
import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface UnresolvedComponentView extends UnresolvedComponent {
  /** Where it was seen: `target:<id>` (polled), `source:<id>` (a push source) or `push` (anonymous push). */
  source: string;
  firstSeen: string;
  lastSeen: string;
}

/** One component name left unresolved by every service and source that names it. */
export interface UnresolvedComponentGroup {
  component: string;
  services: string[];
  sources: string[];
  /** (source, service) pairs it was seen in. */
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** The request that maps it fleet-wide (its body: {"target": "<uri or host:port>"}). */
  suggestedMapping: string;
}

// last_seen is refreshed at most this often: a component seen in every poll costs no write per poll.
const REFRESH_AFTER = '1 minute';
// Rows not seen for UNRESOLVED_COMPONENT_RETENTION_DAYS are deleted at recording, at most this often.
const PRUNE_EVERY_MS = 10 * 60_000;
type Limits = Pick<
  FaultlineConfig,
  'UNRESOLVED_COMPONENT_MAX_LENGTH' | 'UNRESOLVED_COMPONENT_RETENTION_DAYS'
>;
const DEFAULT_LIMITS: Limits = {
  UNRESOLVED_COMPONENT_MAX_LENGTH: 200,
  UNRESOLVED_COMPONENT_RETENTION_DAYS: 30,
};

/**
 * Dependencies a health document named only by component name, with the service-scoped
 * target they got meanwhile: what an operator maps (fleet-wide, or per source) to join them to
 * the real backend. Bounded: a name longer than UNRESOLVED_COMPONENT_MAX_LENGTH is not
 * recorded, and rows not seen for UNRESOLVED_COMPONENT_RETENTION_DAYS are deleted as new ones
 * are recorded.
 */
@Injectable()
export class UnresolvedComponentRepository {
  private readonly limits: Limits;
  private prunedAt = -Infinity;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @InjectConfig() config?: Limits,
  ) {
    this.limits = config ?? DEFAULT_LIMITS;
  }

  async record(source: string, all: readonly UnresolvedComponent[]): Promise<void> {
    const max = this.limits.UNRESOLVED_COMPONENT_MAX_LENGTH;
    const components = all.filter((c) => c.component.length <= max);
    if (components.length === 0) return;
    await this.prune();
    await this.dataSource.query(
      // A name the fleet maps is not recorded even if this process adapted with an older mapping
      // (its cache lags a few seconds): it would stay listed, its last_seen never moving again.
      `INSERT INTO unresolved_components (source, service, component, target)
       SELECT $1, s, c, t FROM json_to_recordset($2::json) AS x(s text, c text, t text)
       WHERE NOT EXISTS (SELECT 1 FROM component_mappings m WHERE m.name = x.c)
       ON CONFLICT (source, service, component) DO UPDATE SET target = EXCLUDED.target, last_seen = now()
       WHERE unresolved_components.last_seen < now() - interval '${REFRESH_AFTER}' OR unresolved_components.target <> EXCLUDED.target`,
      [
        source,
        JSON.stringify(
          dedupe(components).map((c) => ({ s: c.service, c: c.component, t: c.target })),
        ),
      ],
    );
  }

  /** Deletes what was not seen for the retention period (at most every PRUNE_EVERY_MS). */
  async prune(now = Date.now()): Promise<void> {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    await this.dataSource.query(
      `DELETE FROM unresolved_components WHERE last_seen < now() - make_interval(days => $1::int)`,
      [this.limits.UNRESOLVED_COMPONENT_RETENTION_DAYS],
    );
  }

  /** Forgets the components of a source that its mapping now names. */
  async forgetMapped(source: string, components: readonly string[]): Promise<void> {
    if (components.length === 0) return;
    await this.dataSource.query(
      'DELETE FROM unresolved_components WHERE source = $1 AND component = ANY($2)',
      [source, components],
    );
  }

  /** Forgets a component name for every source: the fleet-wide mapping names it now. */
  async forgetEverywhere(components: readonly string[]): Promise<void> {
    if (components.length === 0) return;
    await this.dataSource.query('DELETE FROM unresolved_components WHERE component = ANY($1)', [
      components,
    ]);
  }

  /**
   * Unresolved components grouped by name across services and sources, most recently seen
   * first: one fleet-wide mapping (PUT /api/v1/mappings/<name>) resolves each group.
   */
  async listByName(
    filter: { service?: string; source?: string },
    limit: number,
  ): Promise<UnresolvedComponentGroup[]> {
    const rows: {
      component: string;
      services: string[];
      sources: string[];
      count: string;
      first_seen: Date;
      last_seen: Date;
    }[] = await this.dataSource.query(
      `SELECT component, array_agg(DISTINCT service ORDER BY service) AS services,
              array_agg(DISTINCT source ORDER BY source) AS sources, count(*) AS count,
              min(first_seen) AS first_seen, max(last_seen) AS last_seen
       FROM unresolved_components
       WHERE ($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR source = $2)
       GROUP BY component ORDER BY max(last_seen) DESC, component LIMIT $3`,
      [filter.service ?? null, filter.source ?? null, limit],
    );
    return rows.map((r) => ({
      component: r.component,
      services: r.services,
      sources: r.sources,
      count: Number(r.count),
      firstSeen: r.first_seen.toISOString(),
      lastSeen: r.last_seen.toISOString(),
      suggestedMapping: `PUT /api/v1/mappings/${encodeURIComponent(r.component)}`,
    }));
  }

  async list(
    filter: { service?: string; source?: string },
    limit: number,
  ): Promise<UnresolvedComponentView[]> {
    const rows: {
      source: string;
      service: string;
      component: string;
      target: string;
      first_seen: Date;
      last_seen: Date;
    }[] = await this.dataSource.query(
      `SELECT source, service, component, target, first_seen, last_seen FROM unresolved_components
       WHERE ($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR source = $2)
       ORDER BY last_seen DESC, source, service, component LIMIT $3`,
      [filter.service ?? null, filter.source ?? null, limit],
    );
    return rows.map((r) => ({
      source: r.source,
      service: r.service,
      component: r.component,
      target: r.target,
      firstSeen: r.first_seen.toISOString(),
      lastSeen: r.last_seen.toISOString(),
    }));
  }
}

/** One row per (service, component): ON CONFLICT cannot touch a row twice in one statement. */
function dedupe(components: readonly UnresolvedComponent[]): UnresolvedComponent[] {
  return [...new Map(components.map((c) => [`${c.service}\u0000${c.component}`, c])).values()];
}
