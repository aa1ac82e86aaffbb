import { DirectedGraph } from 'graphology';

import {
  buildTopology,
  type CheckStateRow,
  type InstanceStateRow,
  type NodeStatus,
  orderState,
  rollUpStatus,
  structureKey,
  withStatuses,
} from './topology-snapshot';

const inst = (
  service: string,
  name: string,
  host: string | null,
  zone: string | null,
  status: InstanceStateRow['status'] = 'pass',
  stale = false,
): InstanceStateRow => ({ service, name, host, zone, status, stale });
const chk = (
  service: string,
  instance: string,
  name: string,
  backend_key: string | null,
  status: CheckStateRow['status'] = 'pass',
): CheckStateRow => ({ service, instance, name, backend_key, status });

const RABBIT = 'backend:amqp://rabbit-1:5672';
const DB = 'backend:mysql://db-1:3306';

describe('rollUpStatus', () => {
  it.each<[NodeStatus[], NodeStatus]>([
    [[], 'stale'],
    [['stale', 'stale'], 'stale'],
    [['pass', 'pass'], 'pass'],
    [['pass', 'warn'], 'warn'],
    [['pass', 'stale'], 'warn'],
    [['fail', 'pass'], 'warn'],
    [['fail', 'fail', 'pass'], 'fail'],
    [['fail', 'stale', 'stale'], 'warn'],
    [['fail'], 'fail'],
  ])('%j → %s', (members, expected) => {
    expect(rollUpStatus(members)).toBe(expected);
  });
});

describe('buildTopology', () => {
  const instances = [
    inst('nova', 'nova-2', 'c2', 'az1', 'fail'),
    inst('nova', 'nova-1', 'c1', 'az1', 'fail'),
    inst('nova', 'nova-3', 'c3', 'az2', 'warn', true),
    inst('rabbitmq', 'rabbit-1', 'r1', 'az2', 'pass'),
  ];
  const checks = [
    chk('nova', 'nova-1', 'mq', RABBIT, 'fail'),
    chk('nova', 'nova-2', 'mq', RABBIT, 'fail'),
    chk('nova', 'nova-3', 'mq', RABBIT, 'pass'),
    chk('nova', 'nova-1', 'db', DB, 'pass'),
    chk('nova', 'nova-1', 'disk', null, 'warn'),
    chk('ghost', 'gone', 'mq', RABBIT, 'fail'), // an instance row not (yet) visible: ignored
  ];

  it('learns the graph the engine would from the same reports', () => {
    const { graph } = buildTopology(instances, checks);
    const edges = graph
      .export()
      .edges.map((e) => `${e.source} -${e.attributes?.rel}-> ${e.target}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        `instance:nova/nova-1 -depends_on-> ${RABBIT}`,
        `instance:nova/nova-1 -depends_on-> ${DB}`,
        'instance:nova/nova-1 -runs_on-> host:c1',
        'host:c1 -in_zone-> zone:az1',
        `${RABBIT} -served_by-> instance:rabbitmq/rabbit-1`,
        'service:nova -calls-> service:rabbitmq',
      ]),
    );
    expect(graph.hasNode('instance:ghost/gone')).toBe(false);
  });

  it('gives instances their own status and rolls up the rest', () => {
    const { statuses } = buildTopology(instances, checks);
    expect(Object.fromEntries(statuses)).toEqual({
      'instance:nova/nova-1': 'fail',
      'instance:nova/nova-2': 'fail',
      'instance:nova/nova-3': 'stale',
      'instance:rabbitmq/rabbit-1': 'pass',
      'service:nova': 'fail', // fail, fail, stale: most fail
      'service:rabbitmq': 'pass',
      'host:c1': 'fail',
      'host:c2': 'fail',
      'host:c3': 'stale',
      'host:r1': 'pass',
      'zone:az1': 'fail',
      'zone:az2': 'warn',
      [RABBIT]: 'fail', // fail, fail and a stale instance's pass counted as stale
      [DB]: 'pass',
    });
  });

  it('exports graphology JSON with every node’s status, importable as is', () => {
    const { graph, statuses } = buildTopology(instances, checks);
    const json = withStatuses(graph.export(), statuses, { eventTime: '2026-11-25T10:00:00.000Z' });
    expect(json.options).toEqual({ type: 'directed', multi: false, allowSelfLoops: false });
    expect(json.attributes).toEqual({ eventTime: '2026-11-25T10:00:00.000Z' });
    expect(json.nodes.find((n) => n.key === 'instance:nova/nova-3')?.attributes).toEqual({
      kind: 'instance',
      service: 'nova',
      host: 'c3',
      zone: 'az2',
      status: 'stale',
    });
    expect(
      json.nodes.every((n) => ['pass', 'warn', 'fail', 'stale'].includes(n.attributes.status)),
    ).toBe(true);
    const copy = new DirectedGraph().import(json as never);
    expect([copy.order, copy.size]).toEqual([graph.order, graph.size]);
    expect(
      withStatuses(graph.export(), new Map(), {}).nodes.every(
        (n) => n.attributes.status === 'stale',
      ),
    ).toBe(true);
  });

  it('is deterministic whatever the row order', () => {
    const a = buildTopology(instances, checks).graph.export();
    const b = buildTopology([...instances].reverse(), [...checks].reverse()).graph.export();
    expect(b).toEqual(a);
  });

  it('keys the structure: statuses and row order leave it alone, moves and new targets change it', () => {
    const key = (i: InstanceStateRow[], c: CheckStateRow[]) => structureKey(orderState(i, c));
    const before = key(instances, checks);
    expect(
      key(
        [...instances].reverse().map((i) => ({ ...i, status: 'pass', stale: false })),
        checks.map((c) => ({ ...c, status: 'pass' })),
      ),
    ).toBe(before);
    expect(
      key(
        instances.map((i) => (i.name === 'nova-1' ? { ...i, host: 'c9' } : i)),
        checks,
      ),
    ).not.toBe(before);
    expect(key(instances, [...checks, chk('nova', 'nova-2', 'db', DB)])).not.toBe(before);
  });
});
