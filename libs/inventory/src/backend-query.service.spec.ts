import { decodeCursor, InvalidInputError, NotFoundError } from '@faultline/platform';

import { BackendQueryService, summarise } from './backend-query.service';
import type {
  BackendFilter,
  BackendRepository,
  BackendSummaryRow,
} from './repositories/backend.repository';

const at = new Date('2026-11-25T10:00:00Z');
const row = (key: string): BackendSummaryRow => ({
  key,
  scheme: 'amqp',
  host: key,
  port: 5672,
  first_seen_at: at,
  dependents: 2,
  failing: 1,
  services: ['a', 'b'],
});

function serviceWith(rows: BackendSummaryRow[], found: boolean) {
  const seen: BackendFilter[] = [];
  const repo = {
    list: async (f: BackendFilter) => (seen.push(f), rows.slice(0, f.take)),
    find: async (key: string) =>
      found ? { key, scheme: 'amqp', host: 'mq', port: 5672, first_seen_at: at } : null,
    dependents: async (_key: string, page: { take: number }) =>
      [
        { service: 'a', instance: 'a-1', check: 'pub', status: 'fail' as const, since: at },
        { service: 'a', instance: 'a-1', check: 'sub', status: 'fail' as const, since: at },
        { service: 'b', instance: 'b-1', check: 'mq', status: 'pass' as const, since: at },
      ].slice(0, page.take),
    dependentCounts: async () => ({ dependentCount: 2, failing: 2, services: ['a', 'b'] }),
  } as unknown as BackendRepository;
  return { service: new BackendQueryService(repo), seen };
}

describe('BackendQueryService', () => {
  it('fetches one row more than the page and continues after the last key shown', async () => {
    const { service, seen } = serviceWith([row('k1'), row('k2'), row('k3')], true);
    const page = await service.list({ limit: 2, q: 'RABBIT', scheme: 'AMQP', failing: true });
    expect(seen[0]).toEqual({ failing: true, q: 'rabbit', scheme: 'amqp', after: null, take: 3 });
    expect(page.items.map((b) => b.key)).toEqual(['k1', 'k2']);
    expect(page.items[0]).toEqual({
      key: 'k1',
      scheme: 'amqp',
      host: 'k1',
      port: 5672,
      firstSeenAt: '2026-11-25T10:00:00.000Z',
      dependents: 2,
      failing: 1,
      services: ['a', 'b'],
    });
    expect(decodeCursor(page.nextCursor!, ['text'])).toEqual(['k2']);
    await service.list({ cursor: page.nextCursor! });
    expect(seen[1]).toMatchObject({ after: 'k2', take: 101 });
  });

  it('refuses a cursor of another shape before querying', async () => {
    const { service, seen } = serviceWith([], true);
    await expect(
      service.list({ cursor: Buffer.from('["a","b"]').toString('base64url') }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(seen).toHaveLength(0);
  });

  it('counts distinct instances, failing checks and sorted services in the detail', async () => {
    const detail = await serviceWith([], true).service.get('backend:amqp://mq:5672');
    expect(detail).toMatchObject({ dependentCount: 2, failing: 2, services: ['a', 'b'] });
    expect(detail.dependents).toHaveLength(3);
    expect(detail).not.toHaveProperty('dependentsNextCursor');
    const capped = await serviceWith([], true).service.get('backend:amqp://mq:5672', { limit: 2 });
    expect(capped.dependents).toHaveLength(2);
    expect(decodeCursor(capped.dependentsNextCursor!, ['text', 'text', 'text'])).toEqual([
      'a',
      'a-1',
      'sub',
    ]);
    await expect(serviceWith([], false).service.get('backend:nope')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('summarise does not confuse instance names that look alike', () => {
    const d = (service: string, instance: string) => ({
      service,
      instance,
      check: 'c',
      status: 'pass' as const,
      since: '',
    });
    expect(summarise([d('a', 'b/c'), d('a/b', 'c')]).dependentCount).toBe(2);
    expect(summarise([]).services).toEqual([]);
  });
});
