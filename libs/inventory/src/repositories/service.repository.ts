import type { Status } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { EVENT_NOW_SQL, staleSql } from '../staleness';

export interface ServiceRow {
  name: string;
  first_seen_at: Date;
  instances: number;
  failing: number;
  stale: number;
  status: Status;
}

export interface ServiceFilter {
  status: Status | null;
  prefix: string | null;
  /** Name of the last service of the previous page. */
  after: string | null;
  /** Rows to fetch (page size + 1). */
  take: number;
}

/**
 * Services with their instance counts. Walks the services primary key in name order and
 * aggregates each service's instances through the instances primary key (service, name), so
 * a page costs one index range per service shown, not a scan of every instance.
 */
@Injectable()
export class ServiceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(f: ServiceFilter): Promise<ServiceRow[]> {
    return this.dataSource.query(
      `WITH clock AS MATERIALIZED (SELECT ${EVENT_NOW_SQL} AS now)
       SELECT s.name, s.first_seen_at, a.instances, a.failing, a.stale, a.status
       FROM services s
       CROSS JOIN clock
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS instances,
                count(*) FILTER (WHERE i.status = 'fail')::int AS failing,
                count(*) FILTER (WHERE ${staleSql('i', 'clock.now')})::int AS stale,
                (ARRAY['pass', 'warn', 'fail'])[1 + coalesce(max(CASE i.status WHEN 'fail' THEN 2 WHEN 'warn' THEN 1 ELSE 0 END), 0)] AS status
         FROM instances i WHERE i.service = s.name
       ) a
       WHERE ($1::text IS NULL OR s.name > $1)
         AND ($2::text IS NULL OR starts_with(s.name, $2))
         AND ($3::text IS NULL OR a.status = $3)
       ORDER BY s.name
       LIMIT $4`,
      [f.after, f.prefix, f.status, f.take],
    );
  }
}
