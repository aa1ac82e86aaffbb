import { type Check, parseTarget, type Report } from '@faultline/reports';

import { InvalidAliasError, TopologyGraph } from './topology-graph';

const check = (name: string, target: string): Check => ({
  name,
  target,
  targetKey: parseTarget(target).key,
  status: 'pass',
  latencyMs: 1,
  output: null,
});
const report = (
  service: string,
  instance: string,
  host: string | null,
  zone: string | null,
  checks: Check[] = [],
): Report => ({
  id: null,
  service,
  instance,
  host,
  labels: zone ? { zone } : {},
  observedAt: 0,
  receivedAt: 0,
  status: 'pass',
  checks,
});

function edges(graph: TopologyGraph): string[] {
  return graph
    .export()
    .edges.map((e) => `${e.source} -${e.attributes?.rel}-> ${e.target}`)
    .sort();
}

describe('TopologyGraph', () => {
  it('learns membership, placement and dependencies from a report', () => {
    const g = new TopologyGraph();
    g.observe(
      report('nova-api', 'nova-api-3', 'compute-12', 'az1', [
        check('rabbitmq', 'amqp://rabbit-1:5672'),
        check('database', 'mysql://db-1/nova'),
      ]),
    );
    expect(edges(g)).toEqual([
      'host:compute-12 -in_zone-> zone:az1',
      'instance:nova-api/nova-api-3 -depends_on-> backend:amqp://rabbit-1:5672',
      'instance:nova-api/nova-api-3 -depends_on-> backend:mysql://db-1:3306',
      'instance:nova-api/nova-api-3 -member_of-> service:nova-api',
      'instance:nova-api/nova-api-3 -runs_on-> host:compute-12',
    ]);
    const json = g.export();
    expect(json.options).toEqual({ type: 'directed', multi: false, allowSelfLoops: false });
    expect(json.nodes.find((n) => n.key === 'instance:nova-api/nova-api-3')?.attributes).toEqual({
      kind: 'instance',
      service: 'nova-api',
      host: 'compute-12',
      zone: 'az1',
    });
  });

  it('recognises a backend that reports its own health, whichever arrives first', () => {
    const g = new TopologyGraph();
    g.observe(
      report('nova-api', 'nova-api-1', 'c1', 'az1', [check('rabbitmq', 'amqp://rabbit-1:5672')]),
    );
    expect(g.serving('backend:amqp://rabbit-1:5672').via).toBe('none');
    g.observe(report('rabbitmq', 'rabbit-1', 'rabbit-1', 'az2'));
    expect(g.serving('backend:amqp://rabbit-1:5672')).toEqual({
      via: 'instance',
      owner: 'instance:rabbitmq/rabbit-1',
      servers: ['instance:rabbitmq/rabbit-1'],
    });
    expect(g.identityOf('instance:rabbitmq/rabbit-1')).toBe('backend:amqp://rabbit-1:5672');
    expect(g.identityOf('instance:nova-api/nova-api-1')).toBe('instance:nova-api/nova-api-1');
    expect(edges(g)).toEqual(
      expect.arrayContaining([
        'backend:amqp://rabbit-1:5672 -served_by-> instance:rabbitmq/rabbit-1',
        'instance:nova-api/nova-api-1 -calls-> instance:rabbitmq/rabbit-1',
        'service:nova-api -calls-> service:rabbitmq',
      ]),
    );
  });

  it('links services through another service’s endpoint, and follows an explicit alias', () => {
    const g = new TopologyGraph();
    g.observe(report('billing', 'billing-1', 'n1', 'az1'));
    g.observe(
      report('orders', 'orders-1', 'n2', 'az1', [
        check('billing', 'http://billing:8080/health'),
        check('mq', 'amqp://mq.internal:5672'),
      ]),
    );
    g.observe(report('rabbitmq', 'rabbit-2', 'r2', 'az2'));
    expect(g.serving('backend:http://billing:8080')).toEqual({
      via: 'service',
      owner: 'service:billing',
      servers: ['instance:billing/billing-1'],
    });
    g.setAlias('backend:amqp://mq.internal:5672', 'instance:rabbitmq/rabbit-2');
    expect(g.identityOf('instance:rabbitmq/rabbit-2')).toBe('backend:amqp://mq.internal:5672');
    expect(edges(g)).toEqual(
      expect.arrayContaining([
        'service:orders -calls-> service:billing',
        'service:orders -calls-> service:rabbitmq',
        'instance:orders/orders-1 -calls-> instance:rabbitmq/rabbit-2',
        'backend:amqp://mq.internal:5672 -served_by-> instance:rabbitmq/rabbit-2',
      ]),
    );
    expect(() => g.setAlias('backend:amqp://x:5672', 'rabbit-2')).toThrow(InvalidAliasError);
  });

  it('keeps the graph current: dropped targets and moved instances lose their edges', () => {
    const g = new TopologyGraph();
    g.observe(report('rabbitmq', 'rabbit-1', 'r1', 'az1'));
    g.observe(report('nova', 'nova-1', 'c1', 'az1', [check('mq', 'amqp://rabbit-1:5672')]));
    g.observe(report('nova', 'nova-1', 'c2', 'az2', []));
    const e = edges(g);
    expect(e).toContain('instance:nova/nova-1 -runs_on-> host:c2');
    expect(e).toContain('host:c2 -in_zone-> zone:az2');
    expect(e.filter((x) => x.startsWith('instance:nova/nova-1'))).toEqual([
      'instance:nova/nova-1 -member_of-> service:nova',
      'instance:nova/nova-1 -runs_on-> host:c2',
    ]);
    expect(e).not.toContain('service:nova -calls-> service:rabbitmq');
  });

  it('answers impact directly and transitively, through a backend’s server', () => {
    const g = new TopologyGraph();
    g.observe(report('rabbitmq', 'rabbit-1', 'r1', 'az1'));
    g.observe(report('billing', 'billing-1', 'n1', 'az1', [check('mq', 'amqp://rabbit-1:5672')]));
    g.observe(report('orders', 'orders-1', 'n2', 'az2', [check('billing', 'http://billing:8080')]));
    const impact = g.impact('host:r1');
    expect(impact.direct).toEqual(['instance:rabbitmq/rabbit-1']);
    expect(impact.transitive).toEqual(
      expect.arrayContaining([
        'backend:amqp://rabbit-1:5672',
        'instance:billing/billing-1',
        'service:billing',
        'backend:http://billing:8080',
        'instance:orders/orders-1',
        'service:orders',
      ]),
    );
    expect(impact.transitive).not.toContain('host:r1');
    expect(g.impact('service:billing').direct).toEqual([
      'backend:http://billing:8080',
      'service:orders',
    ]);
    expect(g.impact('backend:http://unknown:80')).toEqual({
      key: 'backend:http://unknown:80',
      direct: [],
      transitive: [],
    });
  });

  it('exports the neighbourhood of one entity in the same format', () => {
    const g = new TopologyGraph();
    g.observe(report('billing', 'billing-1', 'n1', 'az1', [check('db', 'mysql://db-1:3306')]));
    g.observe(report('orders', 'orders-1', 'n2', 'az2', [check('db', 'mysql://db-1:3306')]));
    const around = g.exportAround('backend:mysql://db-1:3306', 1);
    expect(around.nodes.map((n) => n.key).sort()).toEqual([
      'backend:mysql://db-1:3306',
      'instance:billing/billing-1',
      'instance:orders/orders-1',
    ]);
    expect(around.edges).toHaveLength(2);
    expect(g.exportAround('zone:nowhere', 2).nodes).toEqual([]);
    expect(() => g.exportAround('zone:az1', -1)).toThrow(RangeError);
  });
});
