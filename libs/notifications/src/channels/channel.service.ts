import {
  ConflictError,
  type FaultlineConfig,
  InjectConfig,
  InvalidInputError,
  NotFoundError,
  SecretBox,
  SecretKeyMissingError,
} from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ChannelType, ChannelView, OpenedChannel } from './channel.model';
import { splitSecrets, validateChannel } from './channel.schema';

interface Row {
  id: string;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  secrets_sealed: string | null;
  rate_per_minute: number;
  consecutive_failures: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const DEFAULT_RATE_PER_MINUTE = 30;
// A channel counts as failing (readiness, metrics) after this many deliveries failed in a row.
export const FAILING_AFTER = 3;

/** Notification channels: validated per type, secrets sealed, never returned. */
@Injectable()
export class ChannelService {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig() config: FaultlineConfig,
  ) {
    this.box = new SecretBox(config.FAULTLINE_SECRET_KEY);
  }

  async create(body: unknown): Promise<ChannelView> {
    const { settings, sealed, name, type, rate } = this.prepare(body);
    try {
      const rows: Row[] = await this.dataSource.query(
        `INSERT INTO notification_channels (name, type, settings, secrets_sealed, rate_per_minute) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [name, type, JSON.stringify(settings), sealed.text, rate],
      );
      return view(rows[0], sealed.names);
    } catch (e) {
      throw uniqueName(e, name);
    }
  }

  async replace(id: string, body: unknown): Promise<ChannelView> {
    const { settings, sealed, name, type, rate } = this.prepare(body);
    let rows: Row[];
    try {
      rows = await this.dataSource.query(
        `UPDATE notification_channels SET name = $2, type = $3, settings = $4, secrets_sealed = $5, rate_per_minute = $6, updated_at = now() WHERE id = $1 RETURNING *`,
        [id, name, type, JSON.stringify(settings), sealed.text, rate],
      );
    } catch (e) {
      throw uniqueName(e, name);
    }
    if (!rows[0]) throw notFound(id);
    return view(rows[0], sealed.names);
  }

  async list(): Promise<ChannelView[]> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT * FROM notification_channels ORDER BY name',
    );
    return rows.map((r) => view(r, this.secretNames(r)));
  }

  async get(id: string): Promise<ChannelView> {
    const row = await this.row(id);
    return view(row, this.secretNames(row));
  }

  async delete(id: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(
      'DELETE FROM notification_channels WHERE id = $1 RETURNING id',
      [id],
    );
    if (rows.length === 0) throw notFound(id);
  }

  async ids(): Promise<string[]> {
    return (await this.dataSource.query('SELECT id FROM notification_channels ORDER BY id')).map(
      (r: { id: string }) => r.id,
    );
  }

  /** A channel with its secrets opened, for sending; null when it was deleted since. */
  async open(id: string): Promise<OpenedChannel | null> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT * FROM notification_channels WHERE id = $1',
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const secrets = r.secrets_sealed
      ? (JSON.parse(this.box.open(r.secrets_sealed)) as Record<string, string>)
      : {};
    return {
      id: r.id,
      name: r.name,
      type: r.type,
      settings: r.settings,
      secrets,
      ratePerMinute: r.rate_per_minute,
    };
  }

  /** Records how the last delivery through a channel ended (after its retries). */
  async recordOutcome(id: string, error: string | null): Promise<number> {
    const rows: { consecutive_failures: number }[] = await this.dataSource.query(
      error === null
        ? 'UPDATE notification_channels SET consecutive_failures = 0, last_error = NULL WHERE id = $1 RETURNING consecutive_failures'
        : 'UPDATE notification_channels SET consecutive_failures = consecutive_failures + 1, last_error = $2 WHERE id = $1 RETURNING consecutive_failures',
      error === null ? [id] : [id, error.slice(0, 1000)],
    );
    return rows[0]?.consecutive_failures ?? 0;
  }

  /** Channels whose deliveries keep failing: for readiness and metrics. */
  async failing(): Promise<
    { name: string; consecutiveFailures: number; lastError: string | null }[]
  > {
    const rows: Row[] = await this.dataSource.query(
      'SELECT * FROM notification_channels WHERE consecutive_failures >= $1 ORDER BY name',
      [FAILING_AFTER],
    );
    return rows.map((r) => ({
      name: r.name,
      consecutiveFailures: r.consecutive_failures,
      lastError: r.last_error,
    }));
  }

  private prepare(body: unknown) {
    const result = validateChannel(body);
    if (!result.ok) throw new InvalidInputError(result.errors, 'invalid channel');
    const { settings, secrets } = splitSecrets(result.input);
    const names = Object.keys(secrets).sort();
    if (names.length > 0 && !this.box.available)
      throw new InvalidInputError(
        [{ path: `/${names[0]}`, reason: new SecretKeyMissingError().message }],
        'invalid channel',
      );
    return {
      name: result.input.name,
      type: result.input.type,
      rate: result.input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
      settings,
      sealed: { names, text: names.length > 0 ? this.box.seal(JSON.stringify(secrets)) : null },
    };
  }

  private secretNames(r: Row): string[] {
    return r.secrets_sealed
      ? Object.keys(JSON.parse(this.box.open(r.secrets_sealed)) as object).sort()
      : [];
  }

  private async row(id: string): Promise<Row> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT * FROM notification_channels WHERE id = $1',
      [id],
    );
    if (!rows[0]) throw notFound(id);
    return rows[0];
  }
}

function view(r: Row, secrets: string[]): ChannelView {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    settings: r.settings,
    secrets,
    ratePerMinute: r.rate_per_minute,
    consecutiveFailures: r.consecutive_failures,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const notFound = (id: string) => new NotFoundError(`no channel ${id}`);

function uniqueName(e: unknown, name: string): unknown {
  if ((e as { code?: string }).code !== '23505') return e;
  return new ConflictError(`a channel named ${name} exists`, [
    { path: '/name', reason: 'is taken by another channel' },
  ]);
}
