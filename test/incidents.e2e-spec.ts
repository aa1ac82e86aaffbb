import type { Incident, IncidentChange, RootCause } from '@faultline/correlation';
import { IncidentStore, IncidentWriteRepository } from '@faultline/correlation/service';
import { DataSource } from 'typeorm';

import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';

/**
 * Incidents and the graph against a real api, worker and Postgres. Incidents are written
 * through IncidentStore.apply (as the worker does) with synthetic engine output; the graph is
 * learned from reports posted through POST /reports. Every name is this spec's own, since other
 * specs share the database.
 */
const base = uniqueName('incs');
const svc = {
  a: `${base}-a`,
  b: `${base}-b`,
  c: `${base}-c`,
  page: `${base}-page`,
  order: `${base}-order`,
};
const RABBIT = `backend:amqp://${base}-rabbit:5672`;
const DB = `backend:mysql://${base}-db:3306`;
const ZONE = `zone:${base}-z1`;
const T = Date.parse('2026-11-25T10:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const enc = encodeURIComponent;

const cause = (key: string, confidence: number, summary = `${key} lost`): RootCause => ({
  key,
  kind: key.slice(0, key.indexOf(':')) as RootCause['kind'],
  confidence,
  summary,
});
const incident = (id: string, over: Partial<Incident>): Incident => ({
  id,
  status: 'open',
  openedAt: T,
  resolvedAt: null,
  firstEvidenceAt: T - 3_000,
  rootCauses: [cause(RABBIT, 0.93)],
  affected: { services: [svc.a], instances: [`instance:${svc.a}/a-1`] },
  timeline: [{ at: T, what: `opened: ${RABBIT}` }],
  severity: 'critical',
  flapping: false,
  cycles: 1,
  ...over,
});
const change = (type: IncidentChange['type'], at: number, inc: Incident): IncidentChange => ({
  type,
  at,
  incident: inc,
});

// I1 open, on a and b; I2 resolved, on b, with RABBIT second; I3 resolved long ago, on a and c.
const I1 = incident(`${base}-1`, {
  rootCauses: [
    cause(RABBIT, 0.93, '18 of 18 dependents lost it within 4 s'),
    cause(`host:${base}-rh`, 0.31),
  ],
  affected: {
    services: [svc.a, svc.b],
    instances: [`instance:${svc.a}/a-1`, `instance:${svc.a}/a-2`, `instance:${svc.b}/b-1`],
  },
  timeline: [
    { at: T, what: `opened: ${RABBIT}` },
    { at: T + 4_000, what: `${RABBIT}: it reports itself down` },
  ],
});
const I2 = incident(`${base}-2`, {
  status: 'resolved',
  openedAt: T + MIN,
  resolvedAt: T + 5 * MIN,
  firstEvidenceAt: T + MIN - 2_000,
  rootCauses: [cause(DB, 0.8), cause(RABBIT, 0.1)],
  affected: { services: [svc.b], instances: [`instance:${svc.b}/b-1`] },
});
const I3 = incident(`${base}-3`, {
  status: 'resolved',
  openedAt: T - 60 * MIN,
  resolvedAt: T - 30 * MIN,
  firstEvidenceAt: T - 61 * MIN,
  rootCauses: [cause(ZONE, 0.7)],
  severity: 'warning',
  flapping: true,
  cycles: 3,
  affected: {
    services: [svc.a, svc.c],
    instances: [`instance:${svc.a}/a-1`, `instance:${svc.c}/c-1`],
  },
});

describe('incidents and graph API', () => {
  let stack: Stack;
  let store: IncidentStore;
  const get = (path: string, token?: string | null) =>
    stack.call('GET', path, undefined, token === undefined ? {} : { token });
  const ids = async (query: string) => {
    const res = await get(`/api/v1/incidents?${query}`);
    expect(res.status).toBe(200);
    return res.json.items.map((i: { id: string }) => i.id);
  };
  const stored = (id: string) => stack.sql('SELECT * FROM incidents WHERE id = $1', [id]);

  beforeAll(async () => {
    // This spec writes synthetic incidents itself: no engine may rebuild (and resolve) them.
    stack = await startStack({ env: { CORRELATION_ENABLED: 'false' } });
    // The api has no engine; the store is the correlation worker's, on the api's database.
    store = new IncidentStore(new IncidentWriteRepository(stack.api.get(DataSource)));
    await store.apply([
      change('opened', T - 60 * MIN, { ...I3, status: 'open', resolvedAt: null }),
      change('opened', T, I1),
    ]);
    await store.apply([
      change('opened', T + MIN, { ...I2, status: 'open', resolvedAt: null }),
      change('resolved', T + 5 * MIN, I2),
      change('resolved', T - 30 * MIN, I3),
    ]);
  });
  afterAll(async () => {
    await stack.close();
  });

  describe('GET /api/v1/incidents', () => {
    it('lists incidents in the docs/CONTRACT.md shape, plus kind, firstEvidenceAt, changedAt and updatedAt', async () => {
      const res = await get(`/api/v1/incidents?service=${enc(svc.c)}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        items: [
          {
            id: I3.id,
            status: 'resolved',
            openedAt: '2026-11-25T09:00:00.000Z',
            resolvedAt: '2026-11-25T09:30:00.000Z',
            rootCauses: [{ key: ZONE, confidence: 0.7, summary: `${ZONE} lost`, kind: 'zone' }],
            affected: { services: [svc.a, svc.c], instances: 2 },
            firstEvidenceAt: '2026-11-25T08:59:00.000Z',
            changedAt: '2026-11-25T09:30:00.000Z',
            updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            severity: 'warning',
            flapping: true,
            cycles: 3,
          },
        ],
        nextCursor: null,
      });
    });

    it.each([
      ['service a, newest opened first', () => `service=${enc(svc.a)}`, () => [I1.id, I3.id]],
      ['service b', () => `service=${enc(svc.b)}`, () => [I2.id, I1.id]],
      ['status=all (the default)', () => `service=${enc(svc.b)}&status=all`, () => [I2.id, I1.id]],
      ['status=open', () => `service=${enc(svc.b)}&status=open`, () => [I1.id]],
      ['status=resolved', () => `service=${enc(svc.a)}&status=resolved`, () => [I3.id]],
      ['a key at any rank', () => `key=${enc(RABBIT)}`, () => [I2.id, I1.id]],
      ['a key and a status', () => `key=${enc(RABBIT)}&status=resolved`, () => [I2.id]],
      ['a key and a service', () => `key=${enc(ZONE)}&service=${enc(svc.c)}`, () => [I3.id]],
      [
        'since: still open, or resolved at or after it',
        () => `service=${enc(svc.a)}&since=${enc(iso(T - 30 * MIN))}`,
        () => [I1.id, I3.id],
      ],
      [
        'since: resolved before it is left out',
        () => `service=${enc(svc.a)}&since=${enc(iso(T - 30 * MIN + 1))}`,
        () => [I1.id],
      ],
      [
        'since with an offset',
        () => `service=${enc(svc.b)}&since=${enc('2026-11-25T12:04:59+02:00')}`,
        () => [I2.id, I1.id],
      ],
      [
        'since after every resolution',
        () => `service=${enc(svc.b)}&since=${enc(iso(T + 10 * MIN))}`,
        () => [I1.id],
      ],
      ['an unknown service', () => `service=${enc(`${base}-nope`)}`, () => []],
    ])('filters by %s', async (_what, query, expected) => {
      expect(await ids(query())).toEqual(expected());
    });

    it('pages newest opened first, ties broken by id, without duplicates or gaps', async () => {
      const times = [T, T + MIN, T + MIN, T + MIN, T - MIN];
      await store.apply(
        times.map((t, i) =>
          change(
            'opened',
            t,
            incident(`${base}-p${i}`, {
              openedAt: t,
              affected: { services: [svc.page], instances: [] },
            }),
          ),
        ),
      );
      const expected = [`${base}-p3`, `${base}-p2`, `${base}-p1`, `${base}-p0`, `${base}-p4`];
      expect(await ids(`service=${enc(svc.page)}&limit=500`)).toEqual(expected);
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res = await get(
            `/api/v1/incidents?service=${enc(svc.page)}&limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
          );
          expect(res.status).toBe(200);
          seen.push(...res.json.items.map((i: { id: string }) => i.id));
          cursor = res.json.nextCursor;
          if (cursor !== null) expect(res.json.items).toHaveLength(limit);
        } while (cursor !== null && seen.length < 20);
        expect(seen).toEqual(expected);
      }
    });
  });

  describe('GET /api/v1/incidents/:id', () => {
    it('returns the incident with its instance keys and timeline', async () => {
      const res = await get(`/api/v1/incidents/${enc(I1.id)}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        id: I1.id,
        status: 'open',
        openedAt: '2026-11-25T10:00:00.000Z',
        resolvedAt: null,
        rootCauses: [
          {
            key: RABBIT,
            confidence: 0.93,
            summary: '18 of 18 dependents lost it within 4 s',
            kind: 'backend',
          },
          {
            key: `host:${base}-rh`,
            confidence: 0.31,
            summary: `host:${base}-rh lost`,
            kind: 'host',
          },
        ],
        affected: { services: [svc.a, svc.b], instances: 3, instanceKeys: I1.affected.instances },
        firstEvidenceAt: '2026-11-25T09:59:57.000Z',
        changedAt: '2026-11-25T10:00:00.000Z',
        updatedAt: expect.any(String),
        severity: 'critical',
        flapping: false,
        cycles: 1,
        timeline: [
          { at: '2026-11-25T10:00:00.000Z', what: `opened: ${RABBIT}` },
          { at: '2026-11-25T10:00:04.000Z', what: `${RABBIT}: it reports itself down` },
        ],
      });
      const { timeline: _t, affected, ...rest } = res.json;
      const listed = (await get(`/api/v1/incidents?service=${enc(svc.a)}&status=open`)).json.items;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toEqual({
        ...rest,
        affected: { services: affected.services, instances: 3 },
      });
    });

    it('404 with a JSON body for an unknown incident', async () => {
      for (const id of [`${base}-nope`, `${base}-1%00`]) {
        const res = await get(`/api/v1/incidents/${id}`);
        expect(res.status).toBe(404);
        expect(res.json).toMatchObject({
          statusCode: 404,
          error: 'Not Found',
          message: expect.stringContaining(base),
        });
      }
    });
  });

  describe('changes an incident names', () => {
    const id = `${base}-chg`;
    const svcName = `${base}-billing`;
    // As the engine keeps a change: startedAt in epoch ms (a row may also hold RFC 3339 text).
    const deploy = {
      id: `${base}-deploy-4411`,
      entity: `service:${svcName}`,
      kind: 'deploy',
      status: 'succeeded',
      startedAt: T - 40_000,
      version: 'v2.3.1',
      source: 'ci',
      summary: 'billing v2.3.1 (CI run 4411)',
    };
    const config = {
      ...deploy,
      id: `${base}-cfg-42`,
      entity: DB,
      kind: 'config',
      startedAt: iso(T - 2 * MIN),
      version: 'v42',
      source: null,
    };
    const rollback = {
      ...deploy,
      id: `${base}-rb-1`,
      status: 'rolled-back',
      version: 'v2.3.0',
      startedAt: T + 3 * MIN,
    };
    const asServed = <C extends { startedAt: number | string }>(c: C) => ({
      ...c,
      startedAt: iso(typeof c.startedAt === 'number' ? c.startedAt : Date.parse(c.startedAt)),
    });

    beforeAll(async () => {
      await stack.sql(
        `INSERT INTO incidents (id, status, opened_at, resolved_at, first_evidence_at, root_key, root_causes,
                                affected_services, affected_instances, timeline, changed_at)
         VALUES ($1, 'open', $2, NULL, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $2)`,
        [
          id,
          new Date(T),
          new Date(T),
          `change:${deploy.id}`,
          JSON.stringify([
            {
              key: `change:${deploy.id}`,
              kind: 'change',
              confidence: 0.91,
              summary:
                'billing deployed v2.3.1 at 09:59:20 (ci); 3 of 3 instances began failing 40 s later',
              change: deploy,
            },
            {
              key: DB,
              kind: 'backend',
              confidence: 0.4,
              summary: 'its dependents lost it; reconfigured 2 min before (config v42)',
              changes: [config],
            },
          ]),
          [svcName],
          [`instance:${svcName}/b-1`],
          JSON.stringify([
            { at: iso(T), what: `opened: change:${deploy.id}`, topCause: `change:${deploy.id}` },
            { at: iso(T + 3 * MIN), what: 'billing rolled back to v2.3.0', change: rollback },
          ]),
        ],
      );
    });

    it('serves a change cause, the changes in a cause’s evidence and a timeline entry’s change, times as RFC 3339', async () => {
      const res = await get(`/api/v1/incidents/${enc(id)}`);
      expect(res.status).toBe(200);
      expect(res.json.rootCauses).toEqual([
        {
          key: `change:${deploy.id}`,
          confidence: 0.91,
          summary:
            'billing deployed v2.3.1 at 09:59:20 (ci); 3 of 3 instances began failing 40 s later',
          kind: 'change',
          change: { ...deploy, startedAt: '2026-11-25T09:59:20.000Z' },
        },
        {
          key: DB,
          confidence: 0.4,
          summary: 'its dependents lost it; reconfigured 2 min before (config v42)',
          kind: 'backend',
          changes: [{ ...config, startedAt: '2026-11-25T09:58:00.000Z' }],
        },
      ]);
      expect(res.json.timeline).toEqual([
        { at: iso(T), what: `opened: change:${deploy.id}`, topCause: `change:${deploy.id}` },
        {
          at: iso(T + 3 * MIN),
          what: 'billing rolled back to v2.3.0',
          change: asServed(rollback),
        },
      ]);
      // The list names the same changes on its causes.
      const listed = await get(`/api/v1/incidents?service=${enc(svcName)}`);
      expect(listed.json.items.map((i: { rootCauses: unknown }) => i.rootCauses)).toEqual([
        res.json.rootCauses,
      ]);
      // Any cause kind and key filter work on a change cause as on any other.
      expect(await ids(`key=${enc(`change:${deploy.id}`)}`)).toEqual([id]);
    });

    it('round-trips the engine’s change fields through the store the correlation worker writes with', async () => {
      const viaStore = `${base}-chg-store`;
      const ref = { ...deploy, id: `${base}-deploy-store` } as RootCause['change'] & object;
      await store.apply([
        change(
          'opened',
          T,
          incident(viaStore, {
            rootCauses: [
              {
                key: `change:${ref.id}`,
                kind: 'change',
                confidence: 0.9,
                summary: 's',
                change: ref,
              },
              { ...cause(DB, 0.4), changes: [ref] },
            ],
            timeline: [{ at: T + MIN, what: 'billing rolled back', change: ref }],
          }),
        ),
      ]);
      const res = await get(`/api/v1/incidents/${enc(viaStore)}`);
      const served = { ...ref, startedAt: '2026-11-25T09:59:20.000Z' };
      expect(res.json.rootCauses[0]).toEqual({
        key: `change:${ref.id}`,
        confidence: 0.9,
        summary: 's',
        kind: 'change',
        change: served,
      });
      expect(res.json.rootCauses[1].changes).toEqual([served]);
      expect(res.json.timeline).toEqual([
        { at: iso(T + MIN), what: 'billing rolled back', change: served },
      ]);
    });

    it('documents the change fields in the OpenAPI document', async () => {
      const schemas = (await get('/api/docs-json', null)).json.components.schemas;
      // A property of a DTO type is a $ref, or an allOf of one when it carries a description.
      const refOf = (p: { $ref?: string; allOf?: { $ref: string }[] }) =>
        p.$ref ?? p.allOf?.[0]?.$ref;
      const CHANGE_REF = '#/components/schemas/ChangeRefDto';
      expect(schemas.RootCauseDto.properties.kind.enum).toContain('change');
      expect(refOf(schemas.RootCauseDto.properties.change)).toBe(CHANGE_REF);
      expect(refOf(schemas.RootCauseDto.properties.changes.items)).toBe(CHANGE_REF);
      expect(refOf(schemas.TimelineEntryDto.properties.change)).toBe(CHANGE_REF);
      expect(schemas.ChangeRefDto.required).toEqual(
        expect.arrayContaining(['id', 'entity', 'kind', 'status', 'startedAt', 'summary']),
      );
      expect(schemas.ChangeRefDto.properties.startedAt.format).toBe('date-time');
      expect(schemas.RootCauseDto.required).not.toContain('change');
    });
  });

  describe('IncidentStore.apply', () => {
    const id = `${base}-order`;
    const v = (at: number, what: string) =>
      change(
        'updated',
        at,
        incident(id, {
          affected: { services: [svc.order], instances: [] },
          timeline: [{ at, what }],
        }),
      );

    it('is idempotent: the same changes again leave the row as it was, updated_at included', async () => {
      await store.apply([v(T, 'first'), v(T + 10_000, 'second')]);
      const before = await stored(id);
      expect(before).toEqual([
        expect.objectContaining({
          id,
          changed_at: new Date(T + 10_000),
          timeline: [{ at: iso(T + 10_000), what: 'second' }],
          root_key: RABBIT,
        }),
      ]);
      await store.apply([v(T, 'first'), v(T + 10_000, 'second')]);
      await store.apply([v(T + 10_000, 'second')]);
      expect(await stored(id)).toEqual(before);
    });

    it('never lets an older change overwrite a newer one, within a call or across calls', async () => {
      await store.apply([v(T + 30_000, 'third'), v(T + 20_000, 'late')]);
      await store.apply([v(T + 25_000, 'later still late')]);
      const [row] = await stored(id);
      expect([row.changed_at, row.timeline]).toEqual([
        new Date(T + 30_000),
        [{ at: iso(T + 30_000), what: 'third' }],
      ]);
    });

    it('takes a different snapshot of the same event time (the engine re-ranked within a tick)', async () => {
      const [before] = await stored(id);
      await store.apply([v(T + 30_000, 'third, re-ranked')]);
      const [after] = await stored(id);
      expect(after.timeline).toEqual([{ at: iso(T + 30_000), what: 'third, re-ranked' }]);
      expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(before.updated_at.getTime());
    });

    it('does nothing for no changes', async () => {
      await expect(store.apply([])).resolves.toBeUndefined();
    });

    it('loads the open incidents back as the engine described them', async () => {
      const open = (await store.loadOpen()).filter((i) => i.id.startsWith(base));
      expect(open.find((i) => i.id === I1.id)).toEqual(I1);
      expect(open.map((i) => i.id)).not.toContain(I2.id);
      expect(open.every((i) => i.status === 'open')).toBe(true);
    });
  });

  describe('graph and impact', () => {
    const g = uniqueName('topo');
    const gs = { api: `${g}-api`, mq: `${g}-mq`, web: `${g}-web`, batch: `${g}-batch` };
    const G_RABBIT = `backend:amqp://${g}-rabbit:5672`;
    const G_DB = `backend:mysql://${g}-db:3306`;
    const G_API = `backend:http://${g}-api:8080`;
    const inst = (service: string, name: string) => `instance:${service}/${name}`;
    const now = Date.now() - 5_000;
    const report = (
      service: string,
      instance: string,
      host: string,
      zone: string,
      msBefore: number,
      checks: object[] = [],
    ) => ({
      service,
      instance,
      host,
      labels: { zone },
      observedAt: iso(now - msBefore),
      checks,
    });
    const REPORTS = [
      report(gs.api, 'api-1', `${g}-h1`, `${g}-z1`, 1_000, [
        { name: 'mq', target: `amqp://${g}-rabbit`, status: 'fail' },
        { name: 'db', target: `mysql://${g}-db/app`, status: 'pass' },
      ]),
      report(gs.api, 'api-2', `${g}-h2`, `${g}-z1`, 1_000, [
        { name: 'mq', target: `amqp://${g}-rabbit:5672`, status: 'fail' },
      ]),
      report(gs.mq, `${g}-rabbit`, `${g}-rh`, `${g}-z2`, 1_000),
      report(gs.web, 'web-1', `${g}-h3`, `${g}-z2`, 1_000, [
        { name: 'api', target: `http://${g}-api:8080/health`, status: 'pass' },
      ]),
      // reported every 10 s, silent for 30 minutes since: stale
      report(gs.batch, 'batch-1', `${g}-h4`, `${g}-z2`, 30 * MIN + 10_000),
      report(gs.batch, 'batch-1', `${g}-h4`, `${g}-z2`, 30 * MIN),
    ];
    const around = (key: string, depth?: number) =>
      get(`/api/v1/graph?around=${enc(key)}${depth === undefined ? '' : `&depth=${depth}`}`);
    const statuses = (json: any) =>
      Object.fromEntries(json.nodes.map((n: any) => [n.key, n.attributes.status]));

    beforeAll(async () => {
      expect((await stack.call('POST', '/api/v1/reports', REPORTS)).status).toBe(202);
      await pollUntil(
        async () =>
          (
            await stack.sql<{ n: number }>(
              'SELECT count(*)::int AS n FROM reports WHERE starts_with(service, $1)',
              [g],
            )
          )[0].n,
        (n) => n === REPORTS.length,
        { what: `${REPORTS.length} reports of ${g}` },
      );
      // The graph is rebuilt every few seconds: wait for one that has seen them all.
      await pollUntil(
        () => around(inst(gs.batch, 'batch-1'), 0),
        (res) => res.status === 200,
        { what: 'a graph with the reports' },
      );
    });

    it('serves the neighbourhood of an entity with each node’s kind and status, in graphology’s format', async () => {
      const res = await around(G_RABBIT, 1);
      expect(res.status).toBe(200);
      expect(res.json.options).toEqual({ type: 'directed', multi: false, allowSelfLoops: false });
      expect(res.json.attributes).toEqual({
        eventTime: expect.any(String),
        builtAt: expect.any(String),
      });
      expect(res.json.nodes).toEqual([
        { key: G_RABBIT, attributes: { kind: 'backend', status: 'fail' } },
        {
          key: inst(gs.api, 'api-1'),
          attributes: {
            kind: 'instance',
            service: gs.api,
            host: `${g}-h1`,
            zone: `${g}-z1`,
            status: 'fail',
          },
        },
        {
          key: inst(gs.api, 'api-2'),
          attributes: {
            kind: 'instance',
            service: gs.api,
            host: `${g}-h2`,
            zone: `${g}-z1`,
            status: 'fail',
          },
        },
        {
          key: inst(gs.mq, `${g}-rabbit`),
          attributes: {
            kind: 'instance',
            service: gs.mq,
            host: `${g}-rh`,
            zone: `${g}-z2`,
            status: 'pass',
          },
        },
      ]);
      expect(
        res.json.edges.map((e: any) => `${e.source} -${e.attributes.rel}-> ${e.target}`).sort(),
      ).toEqual(
        [
          `${G_RABBIT} -served_by-> ${inst(gs.mq, `${g}-rabbit`)}`,
          `${inst(gs.api, 'api-1')} -calls-> ${inst(gs.mq, `${g}-rabbit`)}`,
          `${inst(gs.api, 'api-1')} -depends_on-> ${G_RABBIT}`,
          `${inst(gs.api, 'api-2')} -calls-> ${inst(gs.mq, `${g}-rabbit`)}`,
          `${inst(gs.api, 'api-2')} -depends_on-> ${G_RABBIT}`,
        ].sort(),
      );
      expect(res.json.edges[0]).toEqual({
        key: expect.any(String),
        source: expect.any(String),
        target: expect.any(String),
        attributes: expect.objectContaining({ rel: expect.any(String) }),
      });
    });

    it('rolls statuses up to services, hosts and zones, and shows silence as stale', async () => {
      const api = statuses((await around(`service:${gs.api}`, 3)).json);
      expect(api).toMatchObject({
        [`service:${gs.api}`]: 'fail',
        [`host:${g}-h1`]: 'fail',
        [`zone:${g}-z1`]: 'fail',
        [G_DB]: 'pass',
        [`service:${gs.web}`]: 'pass',
      });
      const batch = statuses((await around(inst(gs.batch, 'batch-1'), 2)).json);
      expect(batch).toMatchObject({
        [inst(gs.batch, 'batch-1')]: 'stale',
        [`service:${gs.batch}`]: 'stale',
        [`host:${g}-h4`]: 'stale',
        [`zone:${g}-z2`]: 'warn',
      });
      expect((await around(G_DB, 0)).json.nodes).toEqual([
        { key: G_DB, attributes: { kind: 'backend', status: 'pass' } },
      ]);
    });

    it('defaults to depth 2, and serves the whole graph without around', async () => {
      const two = await around(G_RABBIT);
      expect(two.json.nodes.map((n: any) => n.key)).toEqual(
        expect.arrayContaining([`service:${gs.api}`, `host:${g}-h1`, G_DB, `service:${gs.mq}`]),
      );
      const whole = await get('/api/v1/graph');
      expect(whole.status).toBe(200);
      const keys = new Set(whole.json.nodes.map((n: any) => n.key));
      for (const key of two.json.nodes.map((n: any) => n.key)) expect(keys).toContain(key);
      expect(whole.json.edges.length).toBeGreaterThanOrEqual(two.json.edges.length);
    });

    it('answers what depends on an entity, directly and transitively', async () => {
      const res = await get(`/api/v1/entities/${enc(G_RABBIT)}/impact`);
      expect(res.status).toBe(200);
      // web-1 checks the api service's endpoint, so losing the broker reaches it through the api service
      expect(res.json).toEqual({
        key: G_RABBIT,
        direct: [inst(gs.api, 'api-1'), inst(gs.api, 'api-2')],
        transitive: [
          G_API,
          inst(gs.api, 'api-1'),
          inst(gs.api, 'api-2'),
          inst(gs.web, 'web-1'),
          `service:${gs.api}`,
          `service:${gs.web}`,
        ],
        changes: [],
      });
      const api = (await get(`/api/v1/entities/${enc(`service:${gs.api}`)}/impact`)).json;
      expect(api).toEqual({
        key: `service:${gs.api}`,
        direct: [G_API, `service:${gs.web}`],
        transitive: [G_API, inst(gs.web, 'web-1'), `service:${gs.web}`],
        changes: [],
      });
    });

    it('404 for an unknown entity', async () => {
      for (const path of [
        `/api/v1/entities/${enc(`zone:${g}-nowhere`)}/impact`,
        `/api/v1/graph?around=${enc(`zone:${g}-nowhere`)}`,
      ]) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.json).toMatchObject({
          statusCode: 404,
          error: 'Not Found',
          message: expect.stringContaining('nowhere'),
        });
      }
    });
  });

  describe('refuses bad parameters with a 400 naming the field', () => {
    const cursorOf = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    it.each([
      ['/api/v1/incidents?status=broken', '/status'],
      ['/api/v1/incidents?since=yesterday', '/since'],
      ['/api/v1/incidents?since=2026-02-30T10:00:00Z', '/since'],
      ['/api/v1/incidents?limit=0', '/limit'],
      ['/api/v1/incidents?limit=501', '/limit'],
      ['/api/v1/incidents?colour=red', '/colour'],
      ['/api/v1/incidents?service=a%00b', '/service'],
      ['/api/v1/incidents?key=', '/key'],
      ['/api/v1/incidents?cursor=%%%', '/cursor'],
      [`/api/v1/incidents?cursor=${cursorOf(['only-one'])}`, '/cursor'],
      [`/api/v1/incidents?cursor=${cursorOf(['not a time', 'x'])}`, '/cursor'],
      ['/api/v1/graph?depth=1', '/depth'],
      ['/api/v1/graph?around=zone%3Aa&depth=-1', '/depth'],
      ['/api/v1/graph?around=zone%3Aa&depth=21', '/depth'],
      ['/api/v1/graph?around=zone%3Aa&depth=two', '/depth'],
      ['/api/v1/graph?around=a%00b', '/around'],
      ['/api/v1/graph?colour=red', '/colour'],
    ])('%s → %s', async (path, field) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(field);
    });

    it('refuses a cursor taken from another list', async () => {
      const services = await get('/api/v1/services?limit=1');
      expect(services.json.nextCursor).toEqual(expect.any(String));
      const res = await get(`/api/v1/incidents?cursor=${enc(services.json.nextCursor)}`);
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ path: '/cursor', reason: expect.any(String) }]);
    });
  });

  describe('authentication and scopes', () => {
    const routes = () => [
      '/api/v1/incidents',
      `/api/v1/incidents/${enc(I1.id)}`,
      '/api/v1/graph',
      `/api/v1/entities/${enc(RABBIT)}/impact`,
    ];

    it('401 without a token', async () => {
      for (const path of routes())
        expect([path, (await get(path, null)).status]).toEqual([path, 401]);
    });

    it('403 with an ingest-only token; a read-only token passes', async () => {
      const ingest = await stack.call('POST', '/api/v1/tokens', {
        name: `${base}-ingest`,
        scopes: ['ingest'],
      });
      const read = await stack.call('POST', '/api/v1/tokens', {
        name: `${base}-read`,
        scopes: ['read'],
      });
      expect([ingest.status, read.status]).toEqual([201, 201]);
      for (const path of routes()) {
        const refused = await get(path, ingest.json.token);
        expect([path, refused.status, refused.json.message]).toEqual([
          path,
          403,
          expect.stringContaining('read'),
        ]);
        // RABBIT is a synthetic cause no report names: the read token gets past auth to a 404
        expect([path, (await get(path, read.json.token)).status]).toEqual([
          path,
          path.includes('impact') ? 404 : 200,
        ]);
      }
    });

    it('documents every route in the OpenAPI document', async () => {
      const paths = (await get('/api/docs-json', null)).json.paths;
      for (const p of [
        '/api/v1/incidents',
        '/api/v1/incidents/{id}',
        '/api/v1/graph',
        '/api/v1/entities/{key}/impact',
      ])
        expect([p, paths[p]?.get.security]).toEqual([p, [{ bearer: [] }]]);
      expect(
        paths['/api/v1/incidents'].get.parameters.map((p: { name: string }) => p.name),
      ).toEqual(expect.arrayContaining(['status', 'since', 'service', 'key', 'limit', 'cursor']));
      expect(paths['/api/v1/graph'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['around', 'depth']),
      );
      expect(
        paths['/api/v1/incidents/{id}'].get.responses['200'].content['application/json'].schema
          .$ref,
      ).toMatch(/IncidentDetailDto$/);
    });
  });
});
