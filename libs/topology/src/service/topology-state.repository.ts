import { EVENT_NOW_SQL, staleSql } from '@faultline/inventory';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { AliasRow, CheckStateRow, InstanceStateRow } from '../topology-snapshot';

/**
 * The current state the graph is rebuilt from: every instance and every current check, in two
 * sequential scans (no per-entity queries), inside one read-only snapshot so the two agree.
 */
@Injectable()
export class TopologyStateRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(): Promise<{
    instances: InstanceStateRow[];
    checks: CheckStateRow[];
    aliases: AliasRow[];
    eventNow: Date | null;
  }> {
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const [clock]: { now: Date | null }[] = await em.query(`SELECT ${EVENT_NOW_SQL} AS now`);
      const instances: InstanceStateRow[] = await em.query(
        `SELECT i.service, i.name, i.host, i.zone, i.status, ${staleSql('i', '$1::timestamptz')} AS stale FROM instances i`,
        [clock.now],
      );
      const checks: CheckStateRow[] = await em.query(
        `SELECT service, instance, name, backend_key, status FROM check_states`,
      );
      const aliases: AliasRow[] = await em.query(
        `SELECT target_key, served_by FROM aliases ORDER BY target_key`,
      );
      return { instances, checks, aliases, eventNow: clock.now };
    });
  }
}
