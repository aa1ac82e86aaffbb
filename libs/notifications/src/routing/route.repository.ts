import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { IncidentMatcher } from './incident-matcher';

export interface RouteRow {
  id: string;
  name: string;
  match: IncidentMatcher;
  channel_ids: string[];
  repeat_interval_ms: number | null;
  created_at: Date;
}

/** The notification_routes table. */
@Injectable()
export class RouteRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(route: {
    name: string;
    match: IncidentMatcher;
    channelIds: readonly string[];
    repeatIntervalMs: number | null;
  }): Promise<RouteRow> {
    const rows = await this.dataSource.query<RouteRow[]>(
      'INSERT INTO notification_routes (name, match, channel_ids, repeat_interval_ms) VALUES ($1, $2, $3, $4) RETURNING *',
      [route.name, JSON.stringify(route.match), route.channelIds, route.repeatIntervalMs],
    );
    return rows[0];
  }

  list(): Promise<RouteRow[]> {
    return this.dataSource.query<RouteRow[]>(
      'SELECT * FROM notification_routes ORDER BY created_at, id',
    );
  }

  /** Whether there was a route `id` to delete. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      'DELETE FROM notification_routes WHERE id = $1 RETURNING id',
      [id],
    );
    return rows.length > 0;
  }
}
