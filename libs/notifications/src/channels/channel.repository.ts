import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { ChannelType } from './channel.model';

/** A stored channel, as Postgres returns it (secrets still sealed). */
export interface ChannelRow {
  id: string;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  secrets_sealed: string | null;
  /** Names of the sealed secrets, in clear; NULL for rows sealed before names were kept. */
  secret_names: string[] | null;
  rate_per_minute: number;
  consecutive_failures: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What a channel is stored with: validated, secrets already sealed. */
export interface ChannelFields {
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  secretsSealed: string | null;
  secretNames: string[];
  ratePerMinute: number;
}

/** Another channel already has the name (channel names are unique). */
export const NAME_TAKEN = 'name-taken';

/** The notification_channels table. */
@Injectable()
export class ChannelRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(fields: ChannelFields): Promise<ChannelRow | typeof NAME_TAKEN> {
    try {
      const rows = await this.dataSource.query<ChannelRow[]>(
        `INSERT INTO notification_channels (name, type, settings, secrets_sealed, rate_per_minute, secret_names) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          fields.name,
          fields.type,
          JSON.stringify(fields.settings),
          fields.secretsSealed,
          fields.ratePerMinute,
          fields.secretNames,
        ],
      );
      return rows[0];
    } catch (e) {
      return nameTakenOr(e);
    }
  }

  /** The replaced channel; null when there is no channel `id`. */
  async update(id: string, fields: ChannelFields): Promise<ChannelRow | typeof NAME_TAKEN | null> {
    let rows: ChannelRow[];
    try {
      rows = await this.dataSource.query<ChannelRow[]>(
        `UPDATE notification_channels SET name = $2, type = $3, settings = $4, secrets_sealed = $5, rate_per_minute = $6, secret_names = $7, updated_at = now() WHERE id = $1 RETURNING *`,
        [
          id,
          fields.name,
          fields.type,
          JSON.stringify(fields.settings),
          fields.secretsSealed,
          fields.ratePerMinute,
          fields.secretNames,
        ],
      );
    } catch (e) {
      return nameTakenOr(e);
    }
    return rows[0] ?? null;
  }

  list(): Promise<ChannelRow[]> {
    return this.dataSource.query<ChannelRow[]>('SELECT * FROM notification_channels ORDER BY name');
  }

  async get(id: string): Promise<ChannelRow | null> {
    const rows = await this.dataSource.query<ChannelRow[]>(
      'SELECT * FROM notification_channels WHERE id = $1',
      [id],
    );
    return rows[0] ?? null;
  }

  /** Whether there was a channel `id` to delete. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      'DELETE FROM notification_channels WHERE id = $1 RETURNING id',
      [id],
    );
    return rows.length > 0;
  }

  async ids(): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      'SELECT id FROM notification_channels ORDER BY id',
    );
    return rows.map((r) => r.id);
  }

  /** Which of these ids name a channel. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      'SELECT id FROM notification_channels WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Resets (error null) or extends the channel's run of failed deliveries; returns the run. */
  async recordOutcome(id: string, error: string | null): Promise<number> {
    const rows = await this.dataSource.query<{ consecutive_failures: number }[]>(
      error === null
        ? 'UPDATE notification_channels SET consecutive_failures = 0, last_error = NULL WHERE id = $1 RETURNING consecutive_failures'
        : 'UPDATE notification_channels SET consecutive_failures = consecutive_failures + 1, last_error = $2 WHERE id = $1 RETURNING consecutive_failures',
      error === null ? [id] : [id, error.slice(0, 1000)],
    );
    return rows[0]?.consecutive_failures ?? 0;
  }

  /** Channels with at least this many failed deliveries in a row, by name. */
  failing(minConsecutiveFailures: number): Promise<ChannelRow[]> {
    return this.dataSource.query<ChannelRow[]>(
      'SELECT * FROM notification_channels WHERE consecutive_failures >= $1 ORDER BY name',
      [minConsecutiveFailures],
    );
  }
}

// Postgres' unique_violation: the only unique constraint besides the id is the name.
function nameTakenOr(e: unknown): typeof NAME_TAKEN {
  if ((e as { code?: string }).code === '23505') return NAME_TAKEN;
  throw e;
}
