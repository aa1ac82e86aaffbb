import type { SourceContext } from './format.model';
import { adaptOslo } from './oslo.adapter';
import { fixture, refusal } from './spec-support';

const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = {
  service: 'nova-api',
  instance: 'nova-api-3',
  host: 'compute-12',
  labels: { zone: 'az1' },
  observedAt,
};

describe('adaptOslo', () => {
  // oslo.middleware Healthcheck docstring: `curl -i -X GET .../healthcheck` → 200, text/plain, body "OK".
  it('reads the documented plain-text OK as one passing check, identity from the source', () => {
    expect(
      adaptOslo(
        {
          body: fixture('oslo-plain-ok.txt'),
          contentType: 'text/plain; charset=UTF-8',
          httpStatus: 200,
        },
        ctx,
      ),
    ).toEqual({
      format: 'oslo',
      reports: [
        {
          service: 'nova-api',
          instance: 'nova-api-3',
          host: 'compute-12',
          labels: { zone: 'az1' },
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'pass',
          checks: [{ name: 'healthcheck', status: 'pass' }],
        },
      ],
      unresolved: [],
    });
  });

  // disable_by_file.py: reason "DISABLED BY FILE", served with 503 Service Unavailable.
  it('fails on 503 with the reason as output', () => {
    const { reports } = adaptOslo(
      { body: fixture('oslo-plain-disabled.txt'), contentType: 'text/plain', httpStatus: 503 },
      ctx,
    );
    expect(reports[0].status).toBe('fail');
    expect(reports[0].checks).toEqual([
      { name: 'disable_by_file', status: 'fail', output: 'DISABLED BY FILE' },
    ]);
  });

  it('fails a pushed body other than OK, and passes a pushed OK', () => {
    expect(adaptOslo({ body: 'DISABLED BY FILE' }, ctx).reports[0].status).toBe('fail');
    expect(adaptOslo({ body: 'OK\n' }, ctx).reports[0].status).toBe('pass');
  });

  it('trusts a 2xx over the reason text (every backend reported available)', () => {
    const { reports } = adaptOslo({ body: 'OK\nSOMETHING ELSE', httpStatus: 200 }, ctx);
    expect(reports[0].status).toBe('pass');
    expect(reports[0].checks?.map((c) => [c.name, c.status])).toEqual([
      ['healthcheck', 'pass'],
      ['SOMETHING ELSE', 'pass'],
    ]);
  });

  it('on 503, fails only the reasons that are not OK', () => {
    const { reports } = adaptOslo({ body: 'OK\nDISABLED BY FILE', httpStatus: 503 }, ctx);
    expect(reports[0].status).toBe('fail');
    expect(reports[0].checks?.map((c) => c.status)).toEqual(['pass', 'fail']);
  });

  it('reads an empty HEAD answer by its HTTP status', () => {
    expect(adaptOslo({ body: '', httpStatus: 204 }, ctx).reports[0].checks).toEqual([
      { name: 'healthcheck', status: 'pass' },
    ]);
    expect(adaptOslo({ body: '', httpStatus: 503 }, ctx).reports[0].checks).toEqual([
      { name: 'healthcheck', status: 'fail', output: 'HTTP 503' },
    ]);
  });

  // Docstring: Accept: application/json, non-detailed → {"detailed": false, "reasons": ["OK"]}.
  it('reads the documented non-detailed JSON', () => {
    const { reports } = adaptOslo(
      { body: fixture('oslo-json-simple.json'), contentType: 'application/json', httpStatus: 200 },
      ctx,
    );
    expect(reports[0]).toMatchObject({
      status: 'pass',
      observedAt: '2026-11-25T10:00:00.000Z',
      checks: [{ name: 'healthcheck', status: 'pass' }],
    });
  });

  // Docstring: detailed mode JSON, one HealthcheckResult reason "OK" with details, `now` in UTC.
  it('reads the documented detailed JSON: a check per reason, details as output, `now` as event time', () => {
    const { reports, unresolved } = adaptOslo(
      {
        body: fixture('oslo-json-detailed.json'),
        contentType: 'application/json',
        httpStatus: 200,
      },
      ctx,
    );
    expect(reports[0]).toEqual({
      service: 'nova-api',
      instance: 'nova-api-3',
      host: 'compute-12',
      labels: { zone: 'az1' },
      observedAt: '2016-08-24T06:11:59.419Z',
      status: 'pass',
      checks: [
        { name: 'disable_by_file', status: 'pass', output: "OK: Path '/tmp/dead' was not found" },
      ],
    });
    expect(unresolved).toEqual([]);
  });

  it('names a detailed reason by its class when it is not the generic one, and maps it when the source says so', () => {
    const body = JSON.stringify({
      detailed: true,
      reasons: [
        {
          class: 'HealthcheckResult',
          reason: 'DISABLED BY FILE',
          details: "Path '/var/run/nova/healthcheck_disable' was found",
        },
        { class: 'RabbitResult', reason: 'UNREACHABLE', details: '' },
      ],
    });
    const { reports } = adaptOslo(
      { body, httpStatus: 503 },
      { ...ctx, mapping: { RabbitResult: 'amqp://rabbit-1' } },
    );
    expect(reports[0].checks).toEqual([
      {
        name: 'disable_by_file',
        status: 'fail',
        output: "DISABLED BY FILE: Path '/var/run/nova/healthcheck_disable' was found",
      },
      {
        name: 'RabbitResult',
        status: 'fail',
        target: 'amqp://rabbit-1:5672',
        output: 'UNREACHABLE',
      },
    ]);
  });

  // Captured from the real middleware (fixtures/oslo-capture.py): disable_by_file and a plugin
  // whose broker refused, asked for detailed JSON.
  it('reads the real detailed answer: each reason named by what tells it apart, the broker found in the details', () => {
    const result = adaptOslo(
      {
        body: fixture('oslo-real-json-detailed.json'),
        contentType: 'application/json',
        httpStatus: 503,
      },
      ctx,
    );
    expect(result).toEqual({
      format: 'oslo',
      reports: [
        {
          service: 'nova-api',
          instance: 'nova-api-3',
          host: 'compute-12',
          labels: { zone: 'az1' },
          observedAt: '2026-12-05T21:51:34.611Z',
          status: 'fail',
          checks: [
            {
              name: 'disable_by_file',
              status: 'pass',
              output: "OK: Path '/etc/nova/healthcheck_disable' was not found",
            },
            {
              name: 'rabbit-1:5672',
              status: 'fail',
              target: 'amqp://rabbit-1:5672',
              output:
                'RabbitMQ connection failed: Unable to connect to AMQP server on amqp://rabbit-1:5672: [Errno 111] ECONNREFUSED',
            },
          ],
        },
      ],
      unresolved: [],
    });
  });

  it('keeps a check’s name when its state changes (the real answer with the disable file present)', () => {
    const names = (file: string) =>
      adaptOslo({ body: fixture(file), httpStatus: 503 }, ctx).reports[0].checks?.map((c) => [
        c.name,
        c.status,
      ]);
    expect(names('oslo-real-json-detailed.json')).toEqual([
      ['disable_by_file', 'pass'],
      ['rabbit-1:5672', 'fail'],
    ]);
    expect(names('oslo-real-json-detailed-disabled.json')).toEqual([
      ['disable_by_file', 'fail'],
      ['rabbit-1:5672', 'fail'],
    ]);
  });

  it('reads the real non-detailed JSON and text answers alike, naming a failing reason by its text', () => {
    const checks = [
      { name: 'healthcheck', status: 'pass' },
      { name: 'RabbitMQ connection failed', status: 'fail', output: 'RabbitMQ connection failed' },
    ];
    const json = adaptOslo(
      {
        body: fixture('oslo-real-json-simple.json'),
        contentType: 'application/json',
        httpStatus: 503,
      },
      ctx,
    );
    const text = adaptOslo(
      {
        body: fixture('oslo-real-text-503.txt'),
        contentType: 'text/plain; charset=UTF-8',
        httpStatus: 503,
      },
      ctx,
    );
    expect(json.reports[0]).toMatchObject({ status: 'fail', checks });
    expect(text.reports[0]).toMatchObject({ status: 'fail', checks });
  });

  it('lets the source map a reason by its name, its class or its reason text', () => {
    const mapped = (mapping: Record<string, string>, file = 'oslo-real-text-503.txt') =>
      adaptOslo({ body: fixture(file), httpStatus: 503 }, { ...ctx, mapping }).reports[0]
        .checks?.[1].target;
    expect(mapped({ 'RabbitMQ connection failed': 'amqp://rabbit-vip' })).toBe(
      'amqp://rabbit-vip:5672',
    );
    expect(mapped({ 'rabbit-1:5672': 'amqp://rabbit-vip' }, 'oslo-real-json-detailed.json')).toBe(
      'amqp://rabbit-vip:5672',
    );
    expect(mapped({ HealthcheckResult: 'amqp://rabbit-vip' }, 'oslo-real-json-detailed.json')).toBe(
      'amqp://rabbit-vip:5672',
    );
    expect(mapped({ other: 'amqp://rabbit-vip' }, 'oslo-real-text-503.txt')).toBeUndefined();
  });

  // The real middleware serialises a plugin's dict details as is (fixtures/oslo-capture.py).
  it('reads object details: named by their plugin field, scanned for the address, summarised', () => {
    const { reports } = adaptOslo(
      { body: fixture('oslo-real-json-detailed-dict.json'), httpStatus: 503 },
      ctx,
    );
    expect(reports[0].checks?.[1]).toEqual({
      name: 'rabbitmq',
      status: 'fail',
      target: 'amqp://rabbit-1:5672',
      output:
        'RabbitMQ connection failed: attempts=3, error=Unable to connect to AMQP server on amqp://rabbit-1:5672: [Errno 111] ECONNREFUSED, plugin=rabbitmq',
    });
  });

  it('finds the backend in a reason line when there are no details', () => {
    const { reports } = adaptOslo(
      { body: 'OK\nNo route to redis://cache-1:6380', contentType: 'text/plain', httpStatus: 503 },
      ctx,
    );
    expect(reports[0].checks?.[1]).toEqual({
      name: 'No route to redis://cache-1:6380',
      status: 'fail',
      target: 'redis://cache-1:6380',
      output: 'No route to redis://cache-1:6380',
    });
  });

  it('accepts any JSON as details', () => {
    const reasons = [
      { class: 'HealthcheckResult', reason: 'Brokers down', details: ['kafka://k-1:9092', 'k-2'] },
      { class: 'HealthcheckResult', reason: 'Queue too deep', details: 12000 },
      { class: 'HealthcheckResult', reason: 'OK', details: null },
      { class: 'HealthcheckResult', reason: 'Shards', details: [{ id: 1 }, { id: 2 }] },
      { class: 'HealthcheckResult', reason: 'Nested', details: { pool: { size: 3 } } },
    ];
    const { reports } = adaptOslo({ body: JSON.stringify({ reasons }), httpStatus: 503 }, ctx);
    expect(reports[0].checks).toEqual([
      {
        name: 'k-1:9092',
        status: 'fail',
        target: 'kafka://k-1:9092',
        output: 'Brokers down: kafka://k-1:9092, k-2',
      },
      { name: 'Queue too deep', status: 'fail', output: 'Queue too deep: 12000' },
      { name: 'healthcheck', status: 'pass' },
      { name: 'Shards', status: 'fail', output: 'Shards: 2 item(s)' },
      { name: 'Nested', status: 'fail', output: 'Nested' },
    ]);
  });

  // oslo.middleware enable_by_files.py: "FILE PATH MISSING" / "Specified file paths are available".
  it('recognises enable_by_files in both states', () => {
    const answer = (reason: string, details: string) =>
      adaptOslo(
        { body: JSON.stringify({ reasons: [{ class: 'HealthcheckResult', reason, details }] }) },
        ctx,
      ).reports[0].checks?.[0];
    expect(answer('OK', 'Specified file paths are available')).toMatchObject({
      name: 'enable_by_files',
      status: 'pass',
    });
    expect(
      answer('FILE PATH MISSING', 'File path /var/lib/glance/.marker is missing'),
    ).toMatchObject({ name: 'enable_by_files', status: 'fail' });
  });

  it.each([
    [{ body: '<HTML><BODY>OK</BODY></HTML>', contentType: 'text/html' }, ''],
    [{ body: '{"reasons": "OK"}', contentType: 'application/json' }, '/reasons'],
    [{ body: '{"reasons": [42]}' }, '/reasons/0'],
    [{ body: '{"reasons": [{"details": "x"}]}' }, '/reasons/0/reason'],
    [{ body: '{"reasons": [], "now": "yesterday"}' }, '/now'],
    [{ body: '{"reasons": ["OK"' }, ''],
    [{ body: '' }, ''],
  ])('refuses %j naming %s', (doc, path) => {
    expect(refusal(() => adaptOslo(doc, ctx))[0].path).toBe(path);
  });

  it('refuses a document when neither the body nor the source names the service', () => {
    expect(refusal(() => adaptOslo({ body: 'OK' }, { observedAt }))).toEqual([
      { path: '/service', reason: 'no service: give ?service= or X-Faultline-Service' },
    ]);
  });
});
