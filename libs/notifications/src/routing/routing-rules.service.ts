import { InvalidInputError, NotFoundError } from '@faultline/platform';
import { toFieldError } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import Ajv from 'ajv';

import { ChannelRepository } from '../channels/channel.repository';
import { type IncidentMatcher, incidentMatcherSchema } from './incident-matcher';
import type { ActiveSilence, RouteRule } from './notification-planner';
import { RouteRepository, type RouteRow } from './route.repository';
import { SilenceRepository, type SilenceRow } from './silence.repository';

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
  constructor(
    private readonly channels: ChannelRepository,
    private readonly routeRepository: RouteRepository,
    private readonly silenceRepository: SilenceRepository,
  ) {}

  async createRoute(body: unknown): Promise<RouteView> {
    if (!validateRoute(body)) throw refuse(ajvErrors(validateRoute.errors), 'route');
    const known = await this.channels.existing(body.channelIds);
    const missing = body.channelIds.findIndex((id) => !known.has(id));
    if (missing >= 0)
      throw refuse([{ path: `/channelIds/${missing}`, reason: 'is not a channel' }], 'route');
    const row = await this.routeRepository.insert({
      name: body.name,
      match: body.match ?? {},
      channelIds: body.channelIds,
      repeatIntervalMs: body.repeatIntervalMs ?? null,
    });
    return routeView(row);
  }

  async routes(): Promise<RouteView[]> {
    return (await this.routeRepository.list()).map(routeView);
  }

  async deleteRoute(id: string): Promise<void> {
    if (!(await this.routeRepository.delete(id))) throw new NotFoundError(`no route ${id}`);
  }

  async createSilence(body: unknown, now = Date.now()): Promise<SilenceView> {
    if (!validateSilence(body)) throw refuse(ajvErrors(validateSilence.errors), 'silence');
    const startsAt = body.startsAt ? Date.parse(body.startsAt) : now;
    if (Date.parse(body.endsAt) <= startsAt)
      throw refuse([{ path: '/endsAt', reason: 'must be after startsAt' }], 'silence');
    const row = await this.silenceRepository.insert({
      match: body.match,
      startsAt: new Date(startsAt),
      endsAt: new Date(body.endsAt),
      comment: body.comment,
    });
    return silenceView(row, now);
  }

  async silences(now = Date.now()): Promise<SilenceView[]> {
    return (await this.silenceRepository.list()).map((r) => silenceView(r, now));
  }

  async activeSilences(now = Date.now()): Promise<ActiveSilence[]> {
    const rows = await this.silenceRepository.activeAt(new Date(now));
    return rows.map((r) => ({ id: r.id, match: r.match }));
  }

  /** Ends a silence now (kept, for the record of what it held back). */
  async expireSilence(id: string, now = Date.now()): Promise<SilenceView> {
    const row = await this.silenceRepository.endAt(id, new Date(now));
    if (!row) throw new NotFoundError(`no silence ${id}`);
    return silenceView(row, now);
  }
}

function routeView(r: RouteRow): RouteView {
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
