import { generateTopology } from './topology-generator';

describe('generateTopology', () => {
  it.each([30, 400, 5000])('builds about %i instances across three zones', (size) => {
    const topo = generateTopology(1, size);
    expect(topo.instances.size).toBeGreaterThanOrEqual(size - 2);
    expect(topo.instances.size).toBeLessThanOrEqual(size + 2);
    expect(new Set([...topo.instances.values()].map((i) => i.zone))).toEqual(
      new Set(['az1', 'az2', 'az3']),
    );
    for (const svc of topo.services.values())
      expect(svc.instances.length).toBeGreaterThanOrEqual(2);
    for (const inst of topo.instances.values()) {
      expect(topo.hosts.get(inst.host)?.instances).toContain(inst.key);
      expect(inst.intervalMs).toBe(10_000);
    }
  });

  it('has shared brokers, databases, caches on application hosts and services calling services', () => {
    const topo = generateTopology(2, 400);
    const kinds = new Set([...topo.backends.values()].map((b) => b.kind));
    expect(kinds).toEqual(new Set(['amqp', 'mysql', 'postgres', 'redis', 'external', 'http']));
    const cache = [...topo.backends.values()].find((b) => b.kind === 'redis');
    const cacheHost = topo.instances.get(cache?.server ?? '')?.host ?? '';
    expect(topo.hosts.get(cacheHost)?.instances.length).toBeGreaterThan(1);
    expect([...topo.services.values()].some((s) => s.deps.some((d) => d.service !== null))).toBe(
      true,
    );
    const broker = [...topo.backends.values()].find((b) => b.kind === 'amqp');
    expect(broker?.dependents.length).toBeGreaterThan(20);
  });

  it('only lets services call services listed before them (no cycles)', () => {
    const topo = generateTopology(3, 1000);
    const order = [...topo.services.keys()];
    for (const [name, svc] of topo.services) {
      for (const d of svc.deps)
        if (d.service !== null) expect(order.indexOf(d.service)).toBeLessThan(order.indexOf(name));
    }
  });

  it('declares an alias for brokers reached through a DNS name', () => {
    const topo = generateTopology(4, 1000);
    expect(topo.aliases).toContainEqual({
      targetKey: 'backend:amqp://mq-2.internal:5672',
      servedBy: 'instance:rabbitmq/rabbit-2',
    });
  });

  it('is deterministic in the seed and refuses absurd sizes', () => {
    const a = generateTopology(7, 120);
    const b = generateTopology(7, 120);
    expect([...a.instances.values()]).toEqual([...b.instances.values()]);
    expect(() => generateTopology(1, 10)).toThrow(RangeError);
  });
});
