import { adaptAlertmanager } from './alertmanager.adapter';
import type { SourceContext } from './format.model';
import { fixture, refusal } from './spec-support';

const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = { observedAt };
const alert = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels,
  annotations: {},
  startsAt: '2026-11-25T09:50:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  ...extra,
});
const payload = (alerts: unknown[]) => ({
  body: JSON.stringify({ version: '4', status: 'firing', receiver: 'faultline', alerts }),
});

describe('adaptAlertmanager', () => {
  // alertmanager-webhook-types crate, assets/sample-v4-payload.json (a blackbox probe failure).
  it('reads the sample v4 payload: service from job, instance from instance, time of arrival', () => {
    expect(adaptAlertmanager({ body: fixture('alertmanager-probe-failure.json') }, ctx)).toEqual({
      format: 'alertmanager',
      reports: [
        {
          service: 'http_checks',
          instance: 'https://server.example.org',
          labels: { monitor: 'master' },
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'fail',
          periodic: false,
          checks: [
            {
              name: 'ProbeFailure',
              status: 'fail',
              output: 'BlackBox Probe Failure: https://server.example.org',
            },
          ],
        },
      ],
      unresolved: [],
    });
  });

  // Shape of the Prometheus docs' <webhook_config> payload; values illustrative (see fixtures/README.md).
  it('splits a notification into one report per (service, instance), telling same-named alerts apart', () => {
    const result = adaptAlertmanager({ body: fixture('alertmanager-storm.json') }, ctx);
    expect(result).toEqual({
      format: 'alertmanager',
      reports: [
        {
          service: 'nova-api',
          instance: 'nova-api-3',
          host: 'compute-12',
          labels: { zone: 'az1' },
          // When the webhook arrived: alerts of one evaluation share startsAt, groups would collide.
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'fail',
          periodic: false,
          checks: [
            {
              name: 'RabbitmqUnreachable',
              status: 'fail',
              target: 'amqp://rabbit-1:5672',
              output: 'nova-api-3 cannot reach amqp://rabbit-1:5672/nova',
            },
            { name: 'HighLatency', status: 'pass', output: 'resolved' },
          ],
        },
        {
          service: 'node',
          instance: 'compute-12:9100',
          // No host label: the host part of the instance.
          host: 'compute-12',
          labels: { zone: 'az1' },
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'warn',
          periodic: false,
          checks: [
            { name: 'DiskFull{device=sda1}', status: 'warn', output: '/ is 95% full' },
            { name: 'DiskFull{device=sdb1}', status: 'warn', output: '/var is 97% full' },
          ],
        },
      ],
      unresolved: [],
    });
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
  });

  // Captured from the real Alertmanager 0.25 (fixtures/README.md): one of three alerts has no job.
  it('reads the real webhook: the alert without a service refused, the others reported with their hosts', () => {
    const result = adaptAlertmanager({ body: fixture('alertmanager-real-firing.json') }, ctx);
    expect(result).toEqual({
      format: 'alertmanager',
      reports: [
        {
          service: 'node',
          instance: '[2001:db8::1]:9100',
          host: '2001:db8::1',
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'fail',
          periodic: false,
          checks: [{ name: 'InstanceDown', status: 'fail', output: '[2001:db8::1]:9100 is down' }],
        },
        {
          service: 'node',
          instance: 'compute-12:9100',
          host: 'compute-12',
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'fail',
          periodic: false,
          checks: [{ name: 'InstanceDown', status: 'fail', output: 'compute-12:9100 is down' }],
        },
      ],
      unresolved: [],
      refused: [
        {
          path: '/alerts/2/labels',
          reason: 'no service: give ?service= or X-Faultline-Service (or a label: service, job)',
        },
      ],
    });
    const withFallback = adaptAlertmanager(
      { body: fixture('alertmanager-real-firing.json') },
      { ...ctx, service: 'node' },
    );
    expect(withFallback.refused).toBeUndefined();
    expect(withFallback.reports.map((r) => [r.instance, r.host])).toEqual([
      ['[2001:db8::1]:9100', '2001:db8::1'],
      ['compute-12:9100', 'compute-12'],
      ['10.0.0.8:9100', '10.0.0.8'],
    ]);
  });

  it('reads the real resolved notification: the resolved alert passes', () => {
    const { reports } = adaptAlertmanager(
      { body: fixture('alertmanager-real-resolved.json') },
      { ...ctx, service: 'node' },
    );
    expect(reports.find((r) => r.instance === 'compute-12:9100')).toEqual({
      service: 'node',
      instance: 'compute-12:9100',
      host: 'compute-12',
      observedAt: '2026-11-25T10:00:00.000Z',
      status: 'pass',
      periodic: false,
      checks: [{ name: 'InstanceDown', status: 'pass', output: 'resolved' }],
    });
  });

  it.each([
    ['critical', 'fail'],
    ['page', 'fail'],
    ['warning', 'warn'],
    ['info', 'warn'],
  ])('maps a firing alert of severity %s to %s', (severity, status) => {
    expect(
      adaptAlertmanager(payload([alert({ alertname: 'X', service: 's', severity })]), ctx)
        .reports[0].checks?.[0].status,
    ).toBe(status);
  });

  it('passes a resolved alert and drops its stale summary', () => {
    const { reports } = adaptAlertmanager(
      payload([
        alert(
          { alertname: 'X', service: 's' },
          {
            status: 'resolved',
            endsAt: '2026-11-25T10:55:00.123456789+01:00',
            annotations: { summary: 'disk 97% full' },
          },
        ),
      ]),
      ctx,
    );
    expect(reports[0]).toMatchObject({ status: 'pass', observedAt: '2026-11-25T10:00:00.000Z' });
    expect(reports[0].checks).toEqual([{ name: 'X', status: 'pass', output: 'resolved' }]);
  });

  it.each([
    ['compute-12:9100', undefined, 'compute-12'],
    ['10.0.0.7:9100', undefined, '10.0.0.7'],
    ['[2001:db8::1]:9100', undefined, '2001:db8::1'],
    ['compute-12:9100', 'node-a', 'node-a'],
    // Every machine is its own localhost: as a host it would merge unrelated machines.
    ['localhost:9100', undefined, 'from-source'],
    ['127.0.0.1:9100', undefined, 'from-source'],
    ['[::1]:9100', undefined, 'from-source'],
    ['https://server.example.org', undefined, 'from-source'],
    ['nova-api-3', undefined, 'from-source'],
  ])('takes the host of instance %s (host label %s) as %s', (instance, host, expected) => {
    const labels: Record<string, string> = { alertname: 'X', service: 's', instance };
    if (host) labels.host = host;
    const { reports } = adaptAlertmanager(payload([alert(labels)]), {
      ...ctx,
      host: 'from-source',
    });
    expect(reports[0].host).toBe(expected);
  });

  it('keeps the target label out of the report’s labels, but uses it to tell alerts apart', () => {
    const alerts = [
      alert({ alertname: 'BackendDown', service: 's', target: 'amqp://rabbit-1', zone: 'az1' }),
      alert({ alertname: 'BackendDown', service: 's', target: 'redis://cache-1', zone: 'az1' }),
    ];
    const one = adaptAlertmanager(payload(alerts.slice(0, 1)), ctx).reports[0];
    expect(one.labels).toEqual({ zone: 'az1' });
    const both = adaptAlertmanager(payload(alerts), ctx).reports[0];
    expect(both.labels).toEqual({ zone: 'az1' });
    expect(both.checks?.map((c) => [c.name, c.target])).toEqual([
      ['BackendDown{target=amqp://rabbit-1}', 'amqp://rabbit-1:5672'],
      ['BackendDown{target=redis://cache-1}', 'redis://cache-1:6379'],
    ]);
    const mapped = adaptAlertmanager(payload(alerts.slice(0, 1)), {
      ...ctx,
      labelMapping: { target: ['zone'] },
    }).reports[0];
    expect(mapped.labels).toEqual({ target: 'amqp://rabbit-1' });
  });

  it('marks every report as an event, not a heartbeat', () => {
    const { reports } = adaptAlertmanager({ body: fixture('alertmanager-storm.json') }, ctx);
    expect(reports).toHaveLength(2);
    expect(reports.map((r) => r.periodic)).toEqual([false, false]);
  });

  // Alertmanager drops a whole group on a 4xx: the valid alerts must still get through.
  it('reports the alerts it can read and lists the ones it refused', () => {
    const result = adaptAlertmanager(
      payload([
        alert({ alertname: 'A', service: 's' }),
        alert({ alertname: 'NoService' }),
        alert({ alertname: 'B', service: 's' }, { status: 'pending' }),
        alert({ alertname: 'C', service: 't' }),
      ]),
      ctx,
    );
    expect(result.reports.map((r) => [r.service, r.checks?.map((c) => c.name)])).toEqual([
      ['s', ['A']],
      ['t', ['C']],
    ]);
    expect(result.refused).toEqual([
      {
        path: '/alerts/1/labels',
        reason: 'no service: give ?service= or X-Faultline-Service (or a label: service, job)',
      },
      { path: '/alerts/2/status', reason: 'must be firing or resolved' },
    ]);
    expect(
      adaptAlertmanager(payload([alert({ alertname: 'A', service: 's' })]), ctx),
    ).not.toHaveProperty('refused');
  });

  it('refuses the document, with every reason, when it refuses every alert', () => {
    expect(
      refusal(() =>
        adaptAlertmanager(
          payload([
            alert({ alertname: 'X' }),
            alert({ alertname: 'Y', service: 's' }, { startsAt: 'now' }),
          ]),
          ctx,
        ),
      ),
    ).toEqual([
      {
        path: '/alerts/0/labels',
        reason: 'no service: give ?service= or X-Faultline-Service (or a label: service, job)',
      },
      { path: '/alerts/1/startsAt', reason: 'is not an RFC 3339 time' },
    ]);
    expect(adaptAlertmanager(payload([]), ctx)).toEqual({
      format: 'alertmanager',
      reports: [],
      unresolved: [],
    });
  });

  it('uses the source’s identity where the labels have none, and the configured label mapping', () => {
    const labelMapping = {
      service: ['app'],
      instance: ['pod'],
      host: ['kubernetes_node'],
      target: ['backend'],
    };
    const a = alert({
      alertname: 'KafkaLag',
      app: 'billing',
      pod: 'billing-5d9f',
      kubernetes_node: 'k8s-node-2',
      backend: 'kafka://kafka-1:9092',
      job: 'kube',
    });
    const { reports } = adaptAlertmanager(payload([a]), { ...ctx, labelMapping });
    expect(reports[0]).toMatchObject({
      service: 'billing',
      instance: 'billing-5d9f',
      host: 'k8s-node-2',
      labels: { job: 'kube' },
      checks: [{ name: 'KafkaLag', target: 'kafka://kafka-1:9092' }],
    });

    const fallback = adaptAlertmanager(payload([alert({ alertname: 'Down' })]), {
      ...ctx,
      service: 'legacy',
      instance: 'legacy-1',
      host: 'h-1',
    });
    expect(fallback.reports[0]).toMatchObject({
      service: 'legacy',
      instance: 'legacy-1',
      host: 'h-1',
    });
  });

  it('resolves a target by mapping first, then the target label (a non-URI as a global component); never scopes one', () => {
    const alerts = [
      alert({ alertname: 'BrokerDown', service: 's', target: 'rabbitmq-main' }),
      alert({ alertname: 'CacheDown', service: 's' }),
    ];
    const plain = adaptAlertmanager(payload(alerts), ctx);
    expect(plain.reports[0].checks?.map((c) => c.target)).toEqual([
      'component://rabbitmq-main',
      undefined,
    ]);
    expect(plain.unresolved).toEqual([]);
    const mapped = adaptAlertmanager(payload(alerts), {
      ...ctx,
      mapping: { BrokerDown: 'amqp://rabbit-vip', CacheDown: 'redis://cache-1' },
    });
    expect(mapped.reports[0].checks?.map((c) => c.target)).toEqual([
      'amqp://rabbit-vip:5672',
      'redis://cache-1:6379',
    ]);
  });

  it('falls back to the fingerprint when no label tells two same-named alerts apart', () => {
    const alerts = [
      alert({ alertname: 'X', service: 's' }, { fingerprint: 'aaa' }),
      alert({ alertname: 'X', service: 's' }, { fingerprint: 'bbb' }),
    ];
    expect(adaptAlertmanager(payload(alerts), ctx).reports[0].checks?.map((c) => c.name)).toEqual([
      'X{fingerprint=aaa}',
      'X{fingerprint=bbb}',
    ]);
  });

  it('refuses an alert that names no service when the source names none either', () => {
    expect(refusal(() => adaptAlertmanager(payload([alert({ alertname: 'X' })]), ctx))).toEqual([
      {
        path: '/alerts/0/labels',
        reason: 'no service: give ?service= or X-Faultline-Service (or a label: service, job)',
      },
    ]);
  });

  it.each([
    [{ version: '4' }, '/alerts'],
    [{ version: '4', alerts: {} }, '/alerts'],
    [{ version: 4, alerts: [] }, '/version'],
    [
      { version: '4', alerts: [alert({ service: 's' }, { status: 'pending' })] },
      '/alerts/0/status',
    ],
    [
      { version: '4', alerts: [alert({ service: 's', n: 1 as unknown as string })] },
      '/alerts/0/labels/n',
    ],
    [
      { version: '4', alerts: [alert({ service: 's' }, { startsAt: 'now' })] },
      '/alerts/0/startsAt',
    ],
    [
      { version: '4', alerts: [alert({ service: 's' }, { startsAt: undefined })] },
      '/alerts/0/startsAt',
    ],
  ])('refuses %j naming %s', (body, path) => {
    expect(refusal(() => adaptAlertmanager({ body: JSON.stringify(body) }, ctx))[0].path).toBe(
      path,
    );
  });
});
