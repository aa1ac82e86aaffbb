import { NotFoundError } from '@faultline/platform';

import { TopologyGraph } from '../topology-graph';
import type { CheckStateRow, InstanceStateRow } from '../topology-snapshot';
import { TOPOLOGY_CACHE_MS, TopologySnapshotService } from './topology-snapshot.service';
import type { TopologyStateRepository } from './topology-state.repository';

const RABBIT = 'backend:amqp://rabbit-1:5672';
const instances: InstanceStateRow[] = [
  { service: 'nova', name: 'nova-1', host: 'c1', zone: 'az1', status: 'fail', stale: false },
  { service: 'rabbitmq', name: 'rabbit-1', host: 'r1', zone: 'az1', status: 'pass', stale: false },
];
const checks: CheckStateRow[] = [
  { service: 'nova', instance: 'nova-1', name: 'mq', backend_key: RABBIT, status: 'fail' },
];
const EVENT_NOW = new Date('2026-11-25T10:00:00Z');

function service(load: jest.Mock) {
  return new TopologySnapshotService({ load } as unknown as TopologyStateRepository);
}

describe('TopologySnapshotService', () => {
  let clock: jest.SpyInstance<number, []>;
  let now = 1_000_000;
  beforeEach(() => {
    clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => clock.mockRestore());

  it('rebuilds at most once per cache period, sharing one rebuild between concurrent requests', async () => {
    const load = jest.fn().mockResolvedValue({ instances, checks, eventNow: EVENT_NOW });
    const topology = service(load);
    await Promise.all([topology.graph(), topology.graph(), topology.impact(RABBIT)]);
    now += TOPOLOGY_CACHE_MS - 1;
    await topology.graph(RABBIT, 1);
    expect(load).toHaveBeenCalledTimes(1);
    now += 1;
    await topology.graph();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('relearns the graph only when the structure changed, and statuses every time', async () => {
    const failing = { instances, checks, eventNow: EVENT_NOW };
    const recovered = {
      instances: instances.map((i) => ({ ...i, status: 'pass' as const })),
      checks: checks.map((c) => ({ ...c, status: 'pass' as const })),
      eventNow: EVENT_NOW,
    };
    const grown = {
      ...recovered,
      instances: [
        ...recovered.instances,
        {
          service: 'nova',
          name: 'nova-2',
          host: 'c2',
          zone: 'az1',
          status: 'pass' as const,
          stale: false,
        },
      ],
    };
    const topology = service(
      jest
        .fn()
        .mockResolvedValueOnce(failing)
        .mockResolvedValueOnce(recovered)
        .mockResolvedValueOnce(grown),
    );
    const observe = jest.spyOn(TopologyGraph.prototype, 'observe');
    try {
      const first = await topology.graph();
      now += TOPOLOGY_CACHE_MS;
      const second = await topology.graph();
      expect(observe).toHaveBeenCalledTimes(2); // one report per instance, once
      expect(second.edges).toEqual(first.edges);
      expect(
        [first, second].map((g) => g.nodes.find((n) => n.key === RABBIT)?.attributes.status),
      ).toEqual(['fail', 'pass']);
      now += TOPOLOGY_CACHE_MS;
      expect((await topology.graph()).nodes.map((n) => n.key)).toContain('instance:nova/nova-2');
      expect(observe).toHaveBeenCalledTimes(5);
    } finally {
      observe.mockRestore();
    }
  });

  it('does not cache a failed rebuild', async () => {
    const load = jest
      .fn()
      .mockRejectedValueOnce(new Error('db down'))
      .mockResolvedValue({ instances, checks, eventNow: EVENT_NOW });
    const topology = service(load);
    await expect(topology.graph()).rejects.toThrow('db down');
    await expect(topology.graph()).resolves.toMatchObject({
      attributes: { eventTime: '2026-11-25T10:00:00.000Z' },
    });
  });

  it('answers a neighbourhood and impact, with 404 for an unknown entity', async () => {
    const topology = service(
      jest.fn().mockResolvedValue({ instances, checks, eventNow: EVENT_NOW }),
    );
    const around = await topology.graph(RABBIT, 1);
    expect(around.nodes.map((n) => [n.key, n.attributes.status])).toEqual([
      [RABBIT, 'fail'],
      ['instance:nova/nova-1', 'fail'],
      ['instance:rabbitmq/rabbit-1', 'pass'],
    ]);
    expect(await topology.impact(RABBIT)).toEqual({
      key: RABBIT,
      direct: ['instance:nova/nova-1'],
      transitive: ['instance:nova/nova-1', 'service:nova'],
    });
    await expect(topology.graph('zone:nowhere')).rejects.toThrow(NotFoundError);
    await expect(topology.impact('zone:nowhere')).rejects.toThrow(NotFoundError);
    await expect(topology.graph(RABBIT, -1)).rejects.toThrow(RangeError);
  });

  it('serves the whole graph, with no event time before any report', async () => {
    const topology = service(
      jest.fn().mockResolvedValue({ instances: [], checks: [], eventNow: null }),
    );
    expect(await topology.graph()).toEqual({
      attributes: { eventTime: null, builtAt: expect.any(String) },
      options: { type: 'directed', multi: false, allowSelfLoops: false },
      nodes: [],
      edges: [],
      truncated: false,
      totalNodes: 0,
    });
  });

  it('caps the whole graph at GRAPH_MAX_NODES: unwell first, then backends, by key; a neighbourhood is whole', async () => {
    const load = jest.fn().mockResolvedValue({ instances, checks, eventNow: EVENT_NOW });
    const topology = new TopologySnapshotService({ load } as unknown as TopologyStateRepository, {
      GRAPH_MAX_NODES: 3,
    });
    const whole = await topology.graph();
    expect(whole.truncated).toBe(true);
    expect(whole.totalNodes).toBeGreaterThan(3);
    expect(whole.nodes).toHaveLength(3);
    expect(whole.nodes.map((n) => n.attributes.status)).toEqual(['fail', 'fail', 'fail']);
    expect(whole.nodes[0].key).toBe(RABBIT);
    const kept = new Set(whole.nodes.map((n) => n.key));
    expect(whole.edges.every((e) => kept.has(e.source) && kept.has(e.target))).toBe(true);
    const around = await topology.graph(RABBIT, 1);
    expect(around.truncated).toBe(false);
    expect(around.totalNodes).toBe(around.nodes.length);
  });
});
