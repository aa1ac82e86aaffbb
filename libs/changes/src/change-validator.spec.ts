import type { Change } from './change.model';
import { ChangeValidator, derivedChangeId, mergeChange } from './change-validator';

const now = Date.parse('2026-11-25T12:00:00Z');
const ctx = { now, retentionMs: 30 * 86_400_000 };
const validator = new ChangeValidator();

const deploy = {
  entity: 'billing',
  kind: 'deploy',
  status: 'started',
  startedAt: '2026-11-25T11:59:00Z',
  version: 'v2.3.1',
  summary: 'billing v2.3.1 (CI run 4411)',
};

function errorsOf(body: unknown): { path: string; reason: string }[] {
  const result = validator.validate(body, ctx);
  if (result.ok) throw new Error('was accepted');
  return result.errors;
}

function changesOf(body: unknown): Change[] {
  const result = validator.validate(body, ctx);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.changes.map((c) => c.change);
}

describe('ChangeValidator', () => {
  it('normalises a change: a service name as its key, times as epoch ms, defaults, a derived id', () => {
    const [change] = changesOf(deploy);
    expect(change).toEqual({
      id: derivedChangeId('service:billing', 'deploy', Date.parse(deploy.startedAt), 'v2.3.1'),
      entity: 'service:billing',
      kind: 'deploy',
      status: 'started',
      startedAt: Date.parse('2026-11-25T11:59:00Z'),
      finishedAt: null,
      source: null,
      version: 'v2.3.1',
      summary: 'billing v2.3.1 (CI run 4411)',
      links: [],
      labels: {},
    });
    // Stable: the same change posted again has the same id; another start has another.
    expect(changesOf({ ...deploy, status: 'succeeded' })[0].id).toBe(change.id);
    expect(changesOf({ ...deploy, startedAt: '2026-11-25T11:58:00Z' })[0].id).not.toBe(change.id);
  });

  it('normalises entity keys as report targets are normalised', () => {
    const entities = [
      ['backend:mysql://user:pw@DB-1/billing?ssl=1', 'backend:mysql://db-1:3306'],
      ['mysql://db-1:3306/billing', 'backend:mysql://db-1:3306'],
      ['backend:jdbc:postgresql://pg-1/app', 'backend:postgresql://pg-1:5432'],
      ['service:billing', 'service:billing'],
      ['instance:billing/billing-7', 'instance:billing/billing-7'],
      ['host:compute-12', 'host:compute-12'],
      ['zone:az1', 'zone:az1'],
    ];
    for (const [entity, key] of entities)
      expect([entity, changesOf({ ...deploy, entity })[0].entity]).toEqual([entity, key]);
  });

  it('keeps links, labels, source and finishedAt', () => {
    const [change] = changesOf({
      ...deploy,
      id: 'deploy-4411',
      status: 'succeeded',
      finishedAt: '2026-11-25T11:59:40+00:00',
      source: 'ci',
      links: [
        { href: 'https://ci.example.org/runs/4411', text: 'CI run 4411' },
        { href: 'http://x.example/' },
      ],
      labels: { team: 'payments' },
    });
    expect(change).toMatchObject({
      id: 'deploy-4411',
      finishedAt: Date.parse('2026-11-25T11:59:40Z'),
      source: 'ci',
      links: [
        { href: 'https://ci.example.org/runs/4411', text: 'CI run 4411' },
        { href: 'http://x.example/', text: null },
      ],
      labels: { team: 'payments' },
    });
  });

  it('refuses the whole body naming every bad field', () => {
    expect(
      errorsOf([
        deploy,
        {
          entity: 'queue:orders',
          kind: 'release',
          status: 'done',
          startedAt: '2026-11-25 11:59',
          summary: '',
          links: [{ href: 'javascript:alert(1)' }],
          extra: 1,
        },
      ]),
    ).toEqual(
      expect.arrayContaining([
        { path: '/1/extra', reason: 'is not a known field' },
        { path: '/1/kind', reason: 'must be one of deploy, config, scale, infra, flag, other' },
        { path: '/1/status', reason: 'must be one of started, succeeded, failed, rolled-back' },
        { path: '/1/startedAt', reason: 'must match format "date-time"' },
        { path: '/1/summary', reason: 'must NOT have fewer than 1 characters' },
      ]),
    );
    expect(errorsOf({ ...deploy, entity: 'queue:orders' })).toEqual([
      {
        path: '/entity',
        reason:
          'must be an entity key (service:, instance:, backend:, host:, zone:) or a service name',
      },
    ]);
    expect(errorsOf({ ...deploy, entity: 'instance:billing' })).toEqual([
      { path: '/entity', reason: 'must be instance:<service>/<instance>' },
    ]);
    expect(errorsOf({ ...deploy, entity: 'backend:not a target' })[0].path).toBe('/entity');
    expect(errorsOf({ ...deploy, links: [{ href: 'ftp://x.example/' }] })).toEqual([
      { path: '/links/0/href', reason: 'must be an http or https URL' },
    ]);
    expect(
      errorsOf({ entity: 'billing' })
        .map((e) => e.path)
        .sort(),
    ).toEqual(['/kind', '/startedAt', '/status', '/summary']);
    expect(errorsOf({ ...deploy, summary: 'x'.repeat(501) })[0].path).toBe('/summary');
    expect(errorsOf([])).toEqual([{ path: '', reason: 'must contain at least one change' }]);
    expect(errorsOf('billing deployed')).toEqual([
      { path: '/', reason: 'must be a change object' },
    ]);
  });

  it('refuses times outside the retention window or over 60 s ahead, and a finish before the start', () => {
    expect(errorsOf({ ...deploy, startedAt: '2026-10-01T00:00:00Z' })).toEqual([
      { path: '/startedAt', reason: 'is older than the retention window' },
    ]);
    expect(errorsOf({ ...deploy, startedAt: '2026-11-25T12:01:01Z' })).toEqual([
      { path: '/startedAt', reason: 'is more than 60 seconds in the future' },
    ]);
    expect(errorsOf({ ...deploy, finishedAt: '2026-11-25T11:58:00Z' })).toEqual([
      { path: '/finishedAt', reason: 'is before startedAt' },
    ]);
    expect(changesOf({ ...deploy, startedAt: '2026-11-25T12:00:59Z' })).toHaveLength(1);
  });

  it('takes one id twice in a body as one change, merged in order; the same id on another entity is refused', () => {
    const changes = changesOf([
      { ...deploy, id: 'd-1' },
      { ...deploy, id: 'd-1', status: 'succeeded', finishedAt: '2026-11-25T11:59:30Z' },
    ]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ id: 'd-1', status: 'succeeded' });
    expect(
      errorsOf([
        { ...deploy, id: 'd-1' },
        { ...deploy, id: 'd-1', entity: 'orders' },
      ]),
    ).toEqual([
      {
        path: '/1/id',
        reason: 'is also the id of a deploy on service:billing (/0/id): one id, one change',
      },
    ]);
  });

  it('refuses more than 1,000 changes a request', () => {
    expect(errorsOf(Array.from({ length: 1001 }, () => deploy))).toEqual([
      { path: '', reason: 'must hold at most 1000 changes a request' },
    ]);
  });
});

describe('mergeChange', () => {
  const stored: Change = {
    id: 'd-1',
    entity: 'service:billing',
    kind: 'deploy',
    status: 'succeeded',
    startedAt: 1000,
    finishedAt: 5000,
    source: 'ci',
    version: 'v2',
    summary: 'billing v2',
    links: [{ href: 'https://ci.example.org/1', text: null }],
    labels: { team: 'payments' },
  };
  const update: Change = {
    ...stored,
    status: 'started',
    startedAt: 3000,
    finishedAt: null,
    source: null,
    version: null,
    summary: 'billing v2 (late retry)',
    links: [],
    labels: {},
  };

  it('never lets a late `started` reopen a finished change, nor move it later', () => {
    expect(mergeChange(stored, update)).toEqual({ ...stored, summary: 'billing v2 (late retry)' });
  });

  it('takes a later ending status, the earlier start, and what the update carries', () => {
    expect(
      mergeChange(stored, {
        ...update,
        status: 'rolled-back',
        startedAt: 500,
        finishedAt: 9000,
        labels: { team: 'core' },
      }),
    ).toEqual({
      ...stored,
      status: 'rolled-back',
      startedAt: 500,
      finishedAt: 9000,
      summary: 'billing v2 (late retry)',
      labels: { team: 'core' },
    });
    expect(
      mergeChange({ ...stored, status: 'started' }, { ...update, status: 'failed' }).status,
    ).toBe('failed');
  });
});
