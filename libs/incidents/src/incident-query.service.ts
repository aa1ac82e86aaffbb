import { InvalidInputException } from '@faultline/platform';
import { decodeCursor, DEFAULT_PAGE_LIMIT, InvalidCursorError, isRfc3339, MAX_PAGE_LIMIT, type Page, toPage } from '@faultline/inventory';
import { Injectable, NotFoundException } from '@nestjs/common';
import { INCIDENT_STATUS_FILTERS, type IncidentDetail, type IncidentListQuery, type IncidentSummary } from './incident.model';
import { toIncidentDetail, toIncidentSummary } from './incident-rows';
import { IncidentRepository } from './repositories/incident.repository';

/** The incidents API: the list, newest opened first, and one incident with its timeline. */
@Injectable()
export class IncidentQueryService {
  constructor(private readonly incidents: IncidentRepository) {}

  async list(query: IncidentListQuery): Promise<Page<IncidentSummary>> {
    const limit = readLimit(query.limit);
    const before = readCursor(query.cursor);
    if (query.status !== undefined && !INCIDENT_STATUS_FILTERS.includes(query.status)) throw invalid('/status', `must be one of ${INCIDENT_STATUS_FILTERS.join(', ')}`);
    if (query.since !== undefined && !isRfc3339(query.since)) throw invalid('/since', 'must be an RFC 3339 time');
    const status = query.status === undefined || query.status === 'all' ? null : query.status;
    // Text Postgres cannot hold (NUL) matches nothing; the HTTP edge refuses it already.
    if ([query.service, query.key].some((v) => v?.includes('\u0000'))) return { items: [], nextCursor: null };
    const rows = await this.incidents.list({
      status,
      since: query.since ?? null,
      service: query.service ?? null,
      key: query.key ?? null,
      before,
      take: limit + 1,
    });
    return toPage(rows, limit, (r) => [r.sort_at, r.id], toIncidentSummary);
  }

  /** One incident with its affected instance keys and timeline; 404 when it is unknown. */
  async get(id: string): Promise<IncidentDetail> {
    const row = id.includes('\u0000') ? null : await this.incidents.find(id);
    if (!row) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no incident ${JSON.stringify(id)}` });
    return toIncidentDetail(row);
  }
}

/** (opened_at, id) of the previous page's last incident, or null; a bad cursor is a 400 naming /cursor. */
function readCursor(raw: string | undefined): [string, string] | null {
  if (raw === undefined) return null;
  try {
    const [openedAt, id] = decodeCursor(raw, ['time', 'text']);
    return [openedAt, id];
  } catch (e) {
    if (e instanceof InvalidCursorError) throw new InvalidInputException([{ path: '/cursor', reason: e.message }], 'invalid cursor');
    throw e;
  }
}

/** The HTTP edge validated it already; this keeps the service safe on its own. */
function readLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw invalid('/limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

const invalid = (path: string, reason: string) => new InvalidInputException([{ path, reason }]);
