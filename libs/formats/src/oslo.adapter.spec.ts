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
      { name: 'healthcheck', status: 'fail', output: 'DISABLED BY FILE' },
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
      ['healthcheck#2', 'pass'],
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
        { name: 'healthcheck', status: 'pass', output: "OK: Path '/tmp/dead' was not found" },
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
        name: 'healthcheck',
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
