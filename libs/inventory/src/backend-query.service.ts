import { NotFoundError, type Page, readCursor, readLimit, toPage } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import type {
  BackendDetail,
  BackendListQuery,
  BackendSummary,
  DependentView,
  PageQuery,
} from './inventory.model';
import { iso, storable } from './query-input';
import {
  BackendRepository,
  type BackendSummaryRow,
  type DependentRow,
} from './repositories/backend.repository';

/** Backends (check targets) and the instances that depend on them now. */
@Injectable()
export class BackendQueryService {
  constructor(private readonly backends: BackendRepository) {}

  async list(query: BackendListQuery): Promise<Page<BackendSummary>> {
    const limit = readLimit(query.limit);
    const after = readCursor(query.cursor, ['text']);
    const rows = await this.backends.list({
      failing: query.failing ?? null,
      q: query.q ? query.q.toLowerCase() : null,
      scheme: query.scheme ? query.scheme.toLowerCase() : null,
      after: after?.[0] ?? null,
      take: limit + 1,
    });
    return toPage(rows, limit, (r) => [r.key], toBackendSummary);
  }

  /**
   * One backend with the first page of the current checks on it (when there are more,
   * `dependentsNextCursor` goes on, see dependents()); the counts cover every check. 404 when
   * it is unknown.
   */
  async get(key: string, page: PageQuery = {}): Promise<BackendDetail> {
    const notFound = () => new NotFoundError(`no backend ${JSON.stringify(key)}`);
    if (!storable(key)) throw notFound();
    const limit = readLimit(page.limit);
    const after = readCursor(page.cursor, DEPENDENT_CURSOR);
    const [row, rows, counts] = await Promise.all([
      this.backends.find(key),
      this.backends.dependents(key, { after, take: limit + 1 }),
      this.backends.dependentCounts(key),
    ]);
    if (!row) throw notFound();
    const dependents = toPage(rows, limit, dependentKey, toDependent);
    return {
      key: row.key,
      scheme: row.scheme,
      host: row.host,
      port: row.port,
      firstSeenAt: iso(row.first_seen_at),
      ...counts,
      dependents: dependents.items,
      // Only when the list was cut: a detail with all its dependents keeps its shape.
      ...(dependents.nextCursor === null ? {} : { dependentsNextCursor: dependents.nextCursor }),
    };
  }

  /** The current checks on a backend, a page at a time, by service, instance and check. */
  async dependents(key: string, page: PageQuery = {}): Promise<Page<DependentView>> {
    const notFound = () => new NotFoundError(`no backend ${JSON.stringify(key)}`);
    if (!storable(key)) throw notFound();
    const limit = readLimit(page.limit);
    const after = readCursor(page.cursor, DEPENDENT_CURSOR);
    const [row, rows] = await Promise.all([
      this.backends.find(key),
      this.backends.dependents(key, { after, take: limit + 1 }),
    ]);
    if (!row) throw notFound();
    return toPage(rows, limit, dependentKey, toDependent);
  }
}

const DEPENDENT_CURSOR = ['text', 'text', 'text'] as const;
const dependentKey = (d: DependentRow): string[] => [d.service, d.instance, d.check];
const toDependent = (d: DependentRow): DependentView => ({
  service: d.service,
  instance: d.instance,
  check: d.check,
  status: d.status,
  since: iso(d.since),
});

/** The list's counts, from the detail's dependents (one per check, so an instance may appear twice). */
export function summarise(dependents: readonly DependentView[]): {
  dependentCount: number;
  failing: number;
  services: string[];
} {
  // Names hold no control characters (report schema), so NUL separates them unambiguously.
  const instances = new Set(dependents.map((d) => `${d.service}\u0000${d.instance}`));
  const services = [...new Set(dependents.map((d) => d.service))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return {
    dependentCount: instances.size,
    failing: dependents.filter((d) => d.status === 'fail').length,
    services,
  };
}

const toBackendSummary = (r: BackendSummaryRow): BackendSummary => ({
  key: r.key,
  scheme: r.scheme,
  host: r.host,
  port: r.port,
  firstSeenAt: iso(r.first_seen_at),
  dependents: r.dependents,
  failing: r.failing,
  services: r.services,
});
