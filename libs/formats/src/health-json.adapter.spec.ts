import type { SourceContext } from './format.model';
import { adaptHealthJson } from './health-json.adapter';
import { fixture, refusal } from './spec-support';

const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = { service: 'authz', instance: 'authz-1', observedAt };
const doc = (body: unknown, httpStatus?: number) => ({
  body: JSON.stringify(body),
  contentType: 'application/health+json',
  httpStatus,
});

describe('adaptHealthJson', () => {
  // draft-inadarei-api-health-check-06, section 5 "Example Output", verbatim.
  it('reads the draft’s example output', () => {
    const result = adaptHealthJson(
      {
        body: fixture('health-json-example.json'),
        contentType: 'application/health+json',
        httpStatus: 200,
      },
      ctx,
    );
    const cassandra = 'component://dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2';
    expect(result).toEqual({
      format: 'health-json',
      reports: [
        {
          service: 'f03e522f-1f44-4062-9b55-9587f91c9c41',
          instance: 'authz-1',
          labels: { version: '1', releaseId: '1.2.2' },
          observedAt: '2018-01-17T03:36:48.000Z',
          status: 'pass',
          checks: [
            {
              name: 'cassandra:responseTime',
              status: 'pass',
              target: cassandra,
              latencyMs: 250,
              output: 'observed 250 ms',
            },
            {
              name: 'cassandra:connections',
              status: 'warn',
              target: cassandra,
              output: 'observed 75',
            },
            { name: 'uptime', status: 'pass', output: 'observed 1209600.245 s' },
            { name: 'cpu:utilization{node=1}', status: 'warn', output: 'observed 85 percent' },
            { name: 'cpu:utilization{node=2}', status: 'warn', output: 'observed 85 percent' },
            { name: 'memory:utilization{node=1}', status: 'warn', output: 'observed 8.5 GiB' },
            { name: 'memory:utilization{node=2}', status: 'pass', output: 'observed 5500 MiB' },
          ],
        },
      ],
      unresolved: [],
    });
  });

  it.each([
    ['pass', 'pass'],
    ['OK', 'pass'],
    ['up', 'pass'],
    ['warn', 'warn'],
    ['fail', 'fail'],
    ['Error', 'fail'],
    ['DOWN', 'fail'],
    ['degraded', 'warn'],
  ])('maps status %s to %s', (raw, status) => {
    const { reports } = adaptHealthJson(
      doc({ status: raw, checks: { 'mongo:responseTime': [{ status: raw }] } }),
      ctx,
    );
    expect(reports[0].status).toBe(status);
    expect(reports[0].checks?.[0].status).toBe(status);
  });

  it('fails the report on an HTTP error status even when the body says pass', () => {
    expect(adaptHealthJson(doc({ status: 'pass' }, 503), ctx).reports[0].status).toBe('fail');
  });

  it('reads a failing dependency with its output, and the source service when the body has no serviceId', () => {
    const body = {
      status: 'fail',
      output: 'mongo down',
      checks: {
        'mongo:connections': [
          {
            componentType: 'datastore',
            status: 'fail',
            output: 'connect ECONNREFUSED 10.0.0.7:27017',
            time: '2026-11-25T09:59:58+01:00',
          },
        ],
      },
    };
    expect(adaptHealthJson(doc(body, 503), ctx)).toEqual({
      format: 'health-json',
      reports: [
        {
          service: 'authz',
          instance: 'authz-1',
          observedAt: '2026-11-25T08:59:58.000Z',
          status: 'fail',
          checks: [
            {
              name: 'mongo:connections',
              status: 'fail',
              target: 'component://mongo.authz',
              output: 'connect ECONNREFUSED 10.0.0.7:27017',
            },
          ],
        },
      ],
      unresolved: [{ service: 'authz', component: 'mongo', target: 'component://mongo.authz' }],
    });
  });

  it('gives an element without a status the document’s, and takes the latest element time', () => {
    const body = {
      status: 'warn',
      checks: {
        a: [{ time: '2026-11-25T09:00:00Z' }],
        b: [{ status: 'pass', time: '2026-11-25T09:30:00Z' }],
      },
    };
    const [report] = adaptHealthJson(doc(body), ctx).reports;
    expect(report.checks?.map((c) => c.status)).toEqual(['warn', 'pass']);
    expect(report.observedAt).toBe('2026-11-25T09:30:00.000Z');
  });

  describe('dependency identity, in order: mapping, componentId, address in details, scoped', () => {
    const element = {
      componentId: 'mongo-prod',
      componentType: 'datastore',
      status: 'pass',
      connection: 'mongodb://app:hunter2@mongo-1.example.net/app',
    };
    const targetOf = (body: unknown, context: SourceContext = ctx) =>
      adaptHealthJson(doc(body), context).reports[0].checks?.[0].target;

    it('takes the mapping first, under the full key', () => {
      expect(
        targetOf(
          { status: 'pass', checks: { 'mongo:responseTime': [element] } },
          { ...ctx, mapping: { 'mongo:responseTime': 'mongodb://mongo-9:27018' } },
        ),
      ).toBe('mongodb://mongo-9:27018');
    });

    it('takes the mapping under the component part of the key', () => {
      expect(
        targetOf(
          { status: 'pass', checks: { 'mongo:responseTime': [element] } },
          { ...ctx, mapping: { mongo: 'mongodb://mongo-9' } },
        ),
      ).toBe('mongodb://mongo-9:27017');
    });

    it('then a componentId: a URI as itself, any other id as a global component', () => {
      expect(targetOf({ status: 'pass', checks: { 'mongo:responseTime': [element] } })).toBe(
        'component://mongo-prod',
      );
      expect(
        targetOf({
          status: 'pass',
          checks: { mongo: [{ ...element, componentId: 'mongodb://mongo-2:27017' }] },
        }),
      ).toBe('mongodb://mongo-2:27017');
    });

    it('then an address among the element’s own keys, without its credentials', () => {
      const { componentId: _, ...withoutId } = element;
      const result = adaptHealthJson(doc({ status: 'pass', checks: { mongo: [withoutId] } }), ctx);
      expect(result.reports[0].checks?.[0].target).toBe('mongodb://mongo-1.example.net:27017/app');
      expect(result.unresolved).toEqual([]);
      expect(JSON.stringify(result)).not.toContain('hunter2');
    });

    it('then scoped to the service, listed as unresolved', () => {
      const result = adaptHealthJson(
        doc({
          status: 'pass',
          checks: {
            'mongo:responseTime': [{ status: 'pass' }],
            'mongo:connections': [{ status: 'pass' }],
          },
        }),
        ctx,
      );
      expect(result.reports[0].checks?.map((c) => c.target)).toEqual([
        'component://mongo.authz',
        'component://mongo.authz',
      ]);
      expect(result.unresolved).toEqual([
        { service: 'authz', component: 'mongo', target: 'component://mongo.authz' },
      ]);
    });

    it('never takes `links` for an address: a component’s health link is often a shared gateway', () => {
      const result = adaptHealthJson(
        doc({
          status: 'pass',
          checks: {
            db: [{ status: 'pass', links: { self: 'http://api.example.com/dbnode/1/health' } }],
          },
        }),
        ctx,
      );
      expect(result.reports[0].checks?.[0].target).toBe('component://db.authz');
    });

    it('gives system components no target and does not list them', () => {
      const result = adaptHealthJson(
        doc({
          status: 'pass',
          checks: {
            'cpu:utilization': [{ componentType: 'system', componentId: 'cpu-1', status: 'pass' }],
            uptime: [{ status: 'pass' }],
          },
        }),
        ctx,
      );
      expect(result.reports[0].checks?.map((c) => c.target)).toEqual([undefined, undefined]);
      expect(result.unresolved).toEqual([]);
    });
  });

  it.each([
    [{}, '/status'],
    [{ status: 1 }, '/status'],
    [{ status: 'pass', checks: [] }, '/checks'],
    [{ status: 'pass', checks: { db: ['x'] } }, '/checks/db/0'],
    [{ status: 'pass', checks: { 'a/b': [{ status: 3 }] } }, '/checks/a~1b/0/status'],
    [{ status: 'pass', checks: { db: [{ time: 'last tuesday' }] } }, '/checks/db/0/time'],
    [{ status: 'pass', serviceId: 7 }, '/serviceId'],
    ['pass', ''],
  ])('refuses %j naming %s', (body, path) => {
    expect(refusal(() => adaptHealthJson(doc(body), ctx))[0].path).toBe(path);
  });

  it('refuses a document without a service in the body or the source', () => {
    expect(refusal(() => adaptHealthJson(doc({ status: 'pass' }), { observedAt }))).toEqual([
      { path: '/service', reason: 'no service: give ?service= or X-Faultline-Service' },
    ]);
  });
});
