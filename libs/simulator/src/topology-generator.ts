import { instanceKey, parseTarget } from '@faultline/reports';

import { Prng } from './prng';
import type {
  SimBackend,
  SimDependency,
  SimHost,
  SimInstance,
  SimService,
  SimTopology,
} from './scenario.model';

const WORDS = [
  'nova-api',
  'billing',
  'orders',
  'catalog',
  'search',
  'auth',
  'cart',
  'checkout',
  'ledger',
  'notify',
  'images',
  'reports',
  'profile',
  'pricing',
  'shipping',
  'inventory',
  'gateway',
  'quotas',
  'audit',
  'metrics',
];
const INTERVAL_MS = 10_000;

/**
 * A realistic fleet of about `size` instances (30 to 5,000) across three zones.
 *
 * Shape: brokers (amqp), mysql and postgres databases on dedicated hosts named after the
 * instance; redis caches colocated on application hosts; one external API that never reports;
 * application services of 2 to 5 instances spread over hosts of 2 to 4 instances; each service
 * checks a broker, a database, sometimes a cache, the external API, and 0 to 2 services earlier
 * in the list (a DAG of HTTP endpoints `http://<service>:8080/health`). Half of the brokers are
 * reached through a DNS alias (`amqp://mq-<n>.internal`) declared with an alias event.
 * Every instance reports every ~10 s (phase random); application instances carry an untargeted
 * `disk` check, infra instances a `process` check.
 * Deterministic in the seed; O(size).
 */
export function generateTopology(seed: number, size: number): SimTopology {
  if (!Number.isInteger(size) || size < 30 || size > 50_000)
    throw new RangeError('size must be an integer in [30, 50000]');
  const rng = new Prng(seed).fork('topology');
  const zones = ['az1', 'az2', 'az3'];
  const topo: SimTopology = {
    zones,
    hosts: new Map(),
    instances: new Map(),
    services: new Map(),
    backends: new Map(),
    aliases: [],
  };
  const nBrokers = Math.max(1, Math.round(size / 500));
  const nMysql = Math.max(2, Math.round(size / 250));
  const nPostgres = Math.max(1, Math.round(size / 500));
  const nCaches = Math.max(1, Math.round(size / 300));

  const addInstance = (
    service: string,
    name: string,
    host: string,
    zone: string,
    serves: string | null,
  ): SimInstance => {
    const inst: SimInstance = {
      key: instanceKey(service, name),
      service,
      name,
      host,
      zone,
      intervalMs: INTERVAL_MS,
      phaseMs: rng.between(0, INTERVAL_MS),
      deps: [],
      serves,
    };
    topo.instances.set(inst.key, inst);
    let h = topo.hosts.get(host);
    if (!h) topo.hosts.set(host, (h = { name: host, zone, instances: [] } satisfies SimHost));
    h.instances.push(inst.key);
    return inst;
  };
  const addInfra = (
    kind: SimBackend['kind'],
    service: string,
    name: string,
    target: string,
    zone: string,
    host = name,
  ): SimBackend => {
    const key = parseTarget(target).key;
    const server = addInstance(service, name, host, zone, key);
    const backend: SimBackend = { key, kind, server: server.key, dependents: [] };
    topo.backends.set(key, backend);
    return backend;
  };

  const brokers: { backend: SimBackend; target: string }[] = [];
  for (let i = 1; i <= nBrokers; i++) {
    const aliased = i % 2 === 0;
    const target = aliased ? `amqp://mq-${i}.internal:5672` : `amqp://rabbit-${i}:5672`;
    const backend = addInfra('amqp', 'rabbitmq', `rabbit-${i}`, target, zones[(i - 1) % 3]);
    if (aliased) topo.aliases.push({ targetKey: backend.key, servedBy: backend.server as string });
    brokers.push({ backend, target: `amqp://guest:guest@${target.slice(7)}/` });
  }
  const databases: { backend: SimBackend; target: string }[] = [];
  for (let i = 1; i <= nMysql; i++)
    databases.push({
      backend: addInfra('mysql', 'mysql', `db-${i}`, `mysql://db-${i}:3306`, zones[i % 3]),
      target: `mysql://db-${i}:3306/app${i}`,
    });
  for (let i = 1; i <= nPostgres; i++)
    databases.push({
      backend: addInfra(
        'postgres',
        'postgres',
        `pg-${i}`,
        `postgresql://pg-${i}:5432`,
        zones[(i + 1) % 3],
      ),
      target: `postgresql://pg-${i}/main`,
    });
  const external: SimBackend = {
    key: parseTarget('https://payments.example.com').key,
    kind: 'external',
    server: null,
    dependents: [],
  };
  topo.backends.set(external.key, external);

  // Application services and the hosts they run on.
  const appInstances = size - topo.instances.size - nCaches;
  const serviceSizes: number[] = [];
  for (let left = appInstances; left > 0;) {
    let n = Math.min(left, rng.int(2, 5));
    if (left - n === 1) n++; // never leave a service of one instance behind
    serviceSizes.push(n);
    left -= n;
  }
  const slots: { service: number; index: number }[] = [];
  serviceSizes.forEach((n, s) => {
    for (let i = 1; i <= n; i++) slots.push({ service: s, index: i });
  });
  const placed = rng.shuffle(slots);
  const serviceName = (s: number) =>
    `${WORDS[s % WORDS.length]}-${Math.floor(s / WORDS.length) + 1}`;
  const hostOf = new Map<string, { host: string; zone: string }>();
  for (let i = 0, h = 1; i < placed.length; h++) {
    const take = rng.int(2, 4);
    const zone = zones[h % 3];
    for (let k = 0; k < take && i < placed.length; k++, i++)
      hostOf.set(`${placed[i].service}/${placed[i].index}`, { host: `node-${h}`, zone });
  }
  const caches: { backend: SimBackend; target: string }[] = [];
  const appHosts = [...new Set([...hostOf.values()].map((v) => v.host))].sort();
  for (let i = 1; i <= nCaches; i++) {
    const host = appHosts[Math.floor(((i - 0.5) * appHosts.length) / nCaches)];
    const zone = [...hostOf.values()].find((v) => v.host === host)?.zone ?? zones[0];
    caches.push({
      backend: addInfra('redis', 'redis', `cache-${i}`, `redis://cache-${i}:6379`, zone, host),
      target: `redis://cache-${i}:6379/0`,
    });
  }

  const services: SimService[] = [];
  serviceSizes.forEach((n, s) => {
    const name = serviceName(s);
    const deps: SimDependency[] = [];
    const infra = (check: string, pickFrom: { backend: SimBackend; target: string }[]) => {
      const chosen = rng.pick(pickFrom);
      deps.push({ check, target: chosen.target, key: chosen.backend.key, service: null });
    };
    if (rng.chance(0.75)) infra('rabbitmq', brokers);
    if (rng.chance(0.85)) infra('database', databases);
    if (rng.chance(0.4)) infra('cache', caches);
    if (rng.chance(0.1))
      deps.push({
        check: 'payments',
        target: 'https://payments.example.com/v1/health',
        key: external.key,
        service: null,
      });
    const upstream = s === 0 ? 0 : rng.chance(0.5) ? 0 : rng.chance(0.7) ? 1 : 2;
    for (const u of rng.shuffle(services).slice(0, upstream))
      deps.push({
        check: u.name,
        target: `http://${u.name}:8080/health`,
        key: u.endpoint,
        service: u.name,
      });
    const svc: SimService = {
      name,
      instances: [],
      endpoint: parseTarget(`http://${name}:8080`).key,
      deps,
    };
    for (let i = 1; i <= n; i++) {
      const where = hostOf.get(`${s}/${i}`) as { host: string; zone: string };
      const inst = addInstance(name, `${name}-${i}`, where.host, where.zone, null);
      inst.deps = deps;
      svc.instances.push(inst.key);
      for (const d of deps) topo.backends.get(d.key)?.dependents.push(inst.key);
    }
    services.push(svc);
    topo.services.set(name, svc);
  });
  for (const svc of services) {
    if (!topo.backends.has(svc.endpoint))
      topo.backends.set(svc.endpoint, {
        key: svc.endpoint,
        kind: 'http',
        server: null,
        dependents: [],
      });
  }
  for (const svc of services)
    for (const d of svc.deps)
      if (d.service) topo.backends.get(d.key)?.dependents.push(...svc.instances);
  return topo;
}
