import type { Page } from '@faultline/platform';
import { readCursor, readLimit, toPage } from '@faultline/platform';
import { serviceKey } from '@faultline/reports';
import { Injectable } from '@nestjs/common';

import type { ServiceListQuery, ServiceSummary } from './inventory.model';
import { iso } from './query-input';
import { ServiceRepository, type ServiceRow } from './repositories/service.repository';

/** The services of the inventory, with the health of their instances. */
@Injectable()
export class ServiceQueryService {
  constructor(private readonly services: ServiceRepository) {}

  async list(query: ServiceListQuery): Promise<Page<ServiceSummary>> {
    const limit = readLimit(query.limit);
    const after = readCursor(query.cursor, ['text']);
    const rows = await this.services.list({
      status: query.status ?? null,
      prefix: query.q ?? null,
      after: after?.[0] ?? null,
      take: limit + 1,
    });
    return toPage(rows, limit, (r) => [r.name], toServiceSummary);
  }
}

const toServiceSummary = (r: ServiceRow): ServiceSummary => ({
  name: r.name,
  key: serviceKey(r.name),
  firstSeenAt: iso(r.first_seen_at),
  instances: r.instances,
  failing: r.failing,
  stale: r.stale,
  status: r.status,
});
