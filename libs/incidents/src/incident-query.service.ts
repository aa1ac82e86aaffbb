import {
  InvalidInputError,
  isRfc3339,
  NotFoundError,
  type Page,
  readCursor,
  readLimit,
  toPage,
} from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import {
  INCIDENT_STATUS_FILTERS,
  type IncidentDetail,
  type IncidentListQuery,
  type IncidentSummary,
} from './incident.model';
import { toIncidentDetail, toIncidentSummary } from './incident-rows';
import { IncidentRepository } from './repositories/incident.repository';

/** The incidents API: the list, newest opened first, and one incident with its timeline. */
@Injectable()
export class IncidentQueryService {
  constructor(private readonly incidents: IncidentRepository) {}

  async list(query: IncidentListQuery): Promise<Page<IncidentSummary>> {
    const limit = readLimit(query.limit);
    // (opened_at, id) of the previous page's last incident.
    const before = readCursor(query.cursor, ['time', 'text']) as [string, string] | null;
    if (query.status !== undefined && !INCIDENT_STATUS_FILTERS.includes(query.status))
      throw invalid('/status', `must be one of ${INCIDENT_STATUS_FILTERS.join(', ')}`);
    if (query.since !== undefined && !isRfc3339(query.since))
      throw invalid('/since', 'must be an RFC 3339 time');
    const status = query.status === undefined || query.status === 'all' ? null : query.status;
    // Text Postgres cannot hold (NUL) matches nothing; the HTTP edge refuses it already.
    if ([query.service, query.key].some((v) => v?.includes('\u0000')))
      return { items: [], nextCursor: null };
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
    if (!row) throw new NotFoundError(`no incident ${JSON.stringify(id)}`);
    return toIncidentDetail(row);
  }
}

const invalid = (path: string, reason: string) => new InvalidInputError([{ path, reason }]);
