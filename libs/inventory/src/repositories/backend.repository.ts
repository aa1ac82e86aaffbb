import type { Status } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface BackendRow {
  key: string;
  scheme: string;
  host: string;
  port: number | null;
  first_seen_at: Date;
}

export interface BackendSummaryRow extends BackendRow {
  dependents: number;
  failing: number;
  services: string[];
}

export interface DependentRow {
  service: string;
  instance: string;
  check: string;
  status: Status;
  since: Date;
}

export interface BackendFilter {
  failing: boolean | null;
  /** Substring of the key, already lower-cased (keys are). */
  q: string | null;
  scheme: string | null;
  /** Key of the last backend of the previous page. */
  after: string | null;
  take: number;
}

/**
 * Backends with what depends on them now. Walks the backends primary key in key order and
 * aggregates each shown backend's current checks through check_states_backend_idx.
 */
@Injectable()
export class BackendRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(f: BackendFilter): Promise<BackendSummaryRow[]> {
    // Every filter applies to backends alone, before the aggregate: failing is "some current
    // check on it fails" (one pass over check_states, hashed), so the aggregate runs only for
    // the rows of the page. Grouping per instance first is cheaper than count(DISTINCT row).
    return this.dataSource.query(
      `SELECT b.key, b.scheme, b.host, b.port, b.first_seen_at, d.dependents, d.failing, d.services
       FROM backends b
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS dependents,
                coalesce(sum(p.failing), 0)::int AS failing,
                coalesce(array_agg(DISTINCT p.service ORDER BY p.service), '{}') AS services
         FROM (
           SELECT c.service, count(*) FILTER (WHERE c.status = 'fail') AS failing
           FROM check_states c WHERE c.backend_key = b.key
           GROUP BY c.service, c.instance
         ) p
       ) d
       WHERE ($1::text IS NULL OR b.key > $1)
         AND ($2::text IS NULL OR strpos(b.key, $2) > 0)
         AND ($3::text IS NULL OR b.scheme = $3)
         AND ($4::boolean IS NULL OR (b.key IN (SELECT f.backend_key FROM check_states f WHERE f.status = 'fail' AND f.backend_key IS NOT NULL)) = $4)
       ORDER BY b.key
       LIMIT $5`,
      [f.after, f.q, f.scheme, f.failing, f.take],
    );
  }

  async find(key: string): Promise<BackendRow | null> {
    const rows: BackendRow[] = await this.dataSource.query(
      `SELECT key, scheme, host, port, first_seen_at FROM backends WHERE key = $1`,
      [key],
    );
    return rows[0] ?? null;
  }

  /** One page of the current checks on a backend, after (service, instance, check) `after`. */
  dependents(
    key: string,
    page: { after: readonly string[] | null; take: number },
  ): Promise<DependentRow[]> {
    const [service, instance, check] = page.after ?? [null, null, null];
    return this.dataSource.query(
      `SELECT service, instance, name AS check, status, since
       FROM check_states WHERE backend_key = $1
         AND ($2::text IS NULL OR (service, instance, name) > ($2::text, $3::text, $4::text))
       ORDER BY service, instance, name LIMIT $5`,
      [key, service, instance, check, page.take],
    );
  }

  /** What the detail counts over every current check on a backend, whatever page is shown. */
  async dependentCounts(
    key: string,
  ): Promise<{ dependentCount: number; failing: number; services: string[] }> {
    const rows: { dependents: number; failing: number; services: string[] }[] =
      await this.dataSource.query(
        `SELECT count(DISTINCT (service, instance))::int AS dependents,
                count(*) FILTER (WHERE status = 'fail')::int AS failing,
                coalesce(array_agg(DISTINCT service ORDER BY service), '{}') AS services
         FROM check_states WHERE backend_key = $1`,
        [key],
      );
    const r = rows[0];
    return {
      dependentCount: r?.dependents ?? 0,
      failing: r?.failing ?? 0,
      services: r?.services ?? [],
    };
  }
}
