import { InvalidInputError, NotFoundError } from '@faultline/platform';
import { toFieldError } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Ajv from 'ajv';
import type { DataSource } from 'typeorm';
import { type IncidentMatcher, incidentMatcherSchema } from './incident-matcher';
import type { ActiveSilence, RouteRule } from './notification-planner';

export interface RouteView extends RouteRule {
  name: string;
  createdAt: string;
}

export interface SilenceView extends ActiveSilence {
  startsAt: string;
  endsAt: string;
  comment: string;
  createdAt: string;
  active: boolean;
}

const uuid = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  formats: {
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s),
  },
});
const validateRoute = ajv.compile<{
  name: string;
  match?: IncidentMatcher;
  channelIds: string[];
  repeatIntervalMs?: number | null;
}>({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'channelIds'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    match: incidentMatcherSchema,
    channelIds: { type: 'array', minItems: 1, maxItems: 50, items: uuid },
    repeatIntervalMs: { type: ['integer', 'null'], minimum: 60_000, maximum: 7 * 86_400_000 },
  },
});
const validateSilence = ajv.compile<{
  match: IncidentMatcher;
  startsAt?: string;
  endsAt: string;
  comment: string;
}>({
  type: 'object',
  additionalProperties: false,
  required: ['match', 'endsAt', 'comment'],
  properties: {
    match: incidentMatcherSchema,
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    comment: { type: 'string', minLength: 1, maxLength: 1000 },
  },
});

const refuse = (errors: { path: string; reason: string }[], what: string) =>
  new InvalidInputError(errors, `invalid ${what}`);
const ajvErrors = (errors: typeof validateRoute.errors) =>
  (errors ?? []).map((e) =>
    e.keyword === 'pattern'
      ? { path: e.instancePath, reason: 'must be a channel id (uuid)' }
      : e.keyword === 'format'
        ? { path: e.instancePath, reason: 'must be an RFC 3339 time' }
        : toFieldError('', e, 'an object'),
  );

/** Routes (incident matcher → channels, optional repeat) and silences (matcher + time range). */
@Injectable()
export class RoutingRulesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async createRoute(body: unknown): Promise<RouteView> {
    if (!validateRoute(body)) throw refuse(ajvErrors(validateRoute.errors), 'route');
    const known: { id: string }[] = await this.dataSource.query(
      'SELECT id FROM notification_channels WHERE id = ANY($1::uuid[])',
      [body.channelIds],
    );
    const missing = body.channelIds.findIndex((id) => !known.some((k) => k.id === id));
    if (missing >= 0)
      throw refuse([{ path: `/channelIds/${missing}`, reason: 'is not a channel' }], 'route');
    const rows = await this.dataSource.query(
      'INSERT INTO notification_routes (name, match, channel_ids, repeat_interval_ms) VALUES ($1, $2, $3, $4) RETURNING *',
      [body.name, JSON.stringify(body.match ?? {}), body.channelIds, body.repeatIntervalMs ?? null],
    );
    return routeView(rows[0]);
  }

  async routes(): Promise<RouteView[]> {
    return (
      await this.dataSource.query('SELECT * FROM notification_routes ORDER BY created_at, id')
    ).map(routeView);
  }

  async deleteRoute(id: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(
      'DELETE FROM notification_routes WHERE id = $1 RETURNING id',
      [id],
    );
    if (rows.length === 0) throw new NotFoundError(`no route ${id}`);
  }

  async createSilence(body: unknown, now = Date.now()): Promise<SilenceView> {
    if (!validateSilence(body)) throw refuse(ajvErrors(validateSilence.errors), 'silence');
    const startsAt = body.startsAt ? Date.parse(body.startsAt) : now;
    if (Date.parse(body.endsAt) <= startsAt)
      throw refuse([{ path: '/endsAt', reason: 'must be after startsAt' }], 'silence');
    const rows = await this.dataSource.query(
      'INSERT INTO silences (match, starts_at, ends_at, comment) VALUES ($1, $2, $3, $4) RETURNING *',
      [JSON.stringify(body.match), new Date(startsAt), new Date(body.endsAt), body.comment],
    );
    return silenceView(rows[0], now);
  }

  async silences(now = Date.now()): Promise<SilenceView[]> {
    return (
      await this.dataSource.query('SELECT * FROM silences ORDER BY starts_at DESC, id LIMIT 1000')
    ).map((r: SilenceRow) => silenceView(r, now));
  }

  async activeSilences(now = Date.now()): Promise<ActiveSilence[]> {
    const rows: SilenceRow[] = await this.dataSource.query(
      'SELECT * FROM silences WHERE starts_at <= $1 AND ends_at > $1',
      [new Date(now)],
    );
    return rows.map((r) => ({ id: r.id, match: r.match }));
  }

  /** Ends a silence now (kept, for the record of what it held back). */
  async expireSilence(id: string, now = Date.now()): Promise<SilenceView> {
    const rows: SilenceRow[] = await this.dataSource.query(
      "UPDATE silences SET ends_at = LEAST(ends_at, GREATEST(starts_at + interval '1 ms', $2)) WHERE id = $1 RETURNING *",
      [id, new Date(now)],
    );
    if (!rows[0]) throw new NotFoundError(`no silence ${id}`);
    return silenceView(rows[0], now);
  }
}

interface SilenceRow {
  id: string;
  match: IncidentMatcher;
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_at: Date;
}

function routeView(r: {
  id: string;
  name: string;
  match: IncidentMatcher;
  channel_ids: string[];
  repeat_interval_ms: number | null;
  created_at: Date;
}): RouteView {
  return {
    id: r.id,
    name: r.name,
    match: r.match,
    channelIds: r.channel_ids,
    repeatIntervalMs: r.repeat_interval_ms,
    createdAt: r.created_at.toISOString(),
  };
}

function silenceView(r: SilenceRow, now: number): SilenceView {
  return {
    id: r.id,
    match: r.match,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    comment: r.comment,
    createdAt: r.created_at.toISOString(),
    active: r.starts_at.getTime() <= now && now < r.ends_at.getTime(),
  };
}
