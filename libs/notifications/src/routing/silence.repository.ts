import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { IncidentMatcher } from './incident-matcher';

export interface SilenceRow {
  id: string;
  match: IncidentMatcher;
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_at: Date;
}

/** The silences table. Silences are never deleted: an expired one records what it held back. */
@Injectable()
export class SilenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(silence: {
    match: IncidentMatcher;
    startsAt: Date;
    endsAt: Date;
    comment: string;
  }): Promise<SilenceRow> {
    const rows = await this.dataSource.query<SilenceRow[]>(
      'INSERT INTO silences (match, starts_at, ends_at, comment) VALUES ($1, $2, $3, $4) RETURNING *',
      [JSON.stringify(silence.match), silence.startsAt, silence.endsAt, silence.comment],
    );
    return rows[0];
  }

  /** The newest thousand, by start. */
  list(): Promise<SilenceRow[]> {
    return this.dataSource.query<SilenceRow[]>(
      'SELECT * FROM silences ORDER BY starts_at DESC, id LIMIT 1000',
    );
  }

  /** Silences in force at `at`. */
  activeAt(at: Date): Promise<SilenceRow[]> {
    return this.dataSource.query<SilenceRow[]>(
      'SELECT * FROM silences WHERE starts_at <= $1 AND ends_at > $1',
      [at],
    );
  }

  /**
   * Ends the silence at `at` (never before it started, never later than it would have); null
   * when there is no silence `id`.
   */
  async endAt(id: string, at: Date): Promise<SilenceRow | null> {
    const rows = await this.dataSource.query<SilenceRow[]>(
      "UPDATE silences SET ends_at = LEAST(ends_at, GREATEST(starts_at + interval '1 ms', $2)) WHERE id = $1 RETURNING *",
      [id, at],
    );
    return rows[0] ?? null;
  }
}
