import type { CheckInput, ReportInput } from '@faultline/reports';

/**
 * A simulated fleet and the native reports it sends. Everything is derived from
 * (member index, tick) by pure functions, so the benchmark can rebuild the identities of any
 * request body later (to check what reached Postgres) without keeping the objects around.
 */

/** Every instance reports once per interval of event time. */
export const REPORT_INTERVAL_MS = 10_000;

const PROJECTS = [
  'nova',
  'neutron',
  'cinder',
  'glance',
  'keystone',
  'heat',
  'swift',
  'octavia',
  'barbican',
  'designate',
  'manila',
  'ironic',
  'magnum',
  'placement',
  'horizon',
  'aodh',
  'gnocchi',
  'zaqar',
  'trove',
  'sahara',
];
const ROLES = [
  'api',
  'scheduler',
  'conductor',
  'worker',
  'engine',
  'proxy',
  'agent',
  'notifier',
  'consumer',
  'manager',
];
const ZONES = ['az1', 'az2', 'az3'];
const FAILURE_PERCENT = 1;

export interface FleetShape {
  services: number;
  instancesPerService: number;
  hosts: number;
}

export interface FleetMember {
  service: string;
  instance: string;
  host: string;
  zone: string;
  /** Where in the interval this instance reports, so the fleet does not report in lockstep. */
  phaseMs: number;
  checks: { name: string; target: string }[];
}

/** What makes a stored report unique: the primary key of the `reports` table. */
export interface ReportIdentity {
  service: string;
  instance: string;
  observedAt: number;
}

export function buildFleet(shape: FleetShape): FleetMember[] {
  if (shape.services > PROJECTS.length * ROLES.length)
    throw new Error(`at most ${PROJECTS.length * ROLES.length} services`);
  const members: FleetMember[] = [];
  for (let s = 0; s < shape.services; s++) {
    const project = PROJECTS[s % PROJECTS.length];
    const role = ROLES[Math.floor(s / PROJECTS.length)];
    const service = `${project}-${role}`;
    // Backends are shared: many services use each broker, database server and cache.
    const checks = [
      { name: 'rabbitmq', target: `amqp://rabbit-${(s % 6) + 1}:5672` },
      { name: 'database', target: `mysql://db-${(s % 8) + 1}:3306/${project}` },
      { name: 'audit-db', target: `postgres://pg-${(s % 4) + 1}:5432/${project}_audit` },
      { name: 'cache', target: `redis://cache-${(s % 6) + 1}:6379/0` },
      {
        name: 'upstream',
        target:
          role === 'api' ? 'http://keystone-api:5000/v3' : `http://${project}-api:8080/healthz`,
      },
    ];
    for (let i = 0; i < shape.instancesPerService; i++) {
      const index = members.length;
      const hostIndex = (index * 7) % shape.hosts;
      members.push({
        service,
        instance: `${service}-${i + 1}`,
        host: `compute-${hostIndex + 1}`,
        zone: ZONES[hostIndex % ZONES.length],
        phaseMs: hash32(index) % REPORT_INTERVAL_MS,
        checks,
      });
    }
  }
  return members;
}

/**
 * Event time of a member's report at a tick: `origin` + tick intervals + the member's phase.
 * Unique per (instance, tick), and increasing per instance.
 */
export function observedAt(origin: number, member: FleetMember, tick: number): number {
  return origin + tick * REPORT_INTERVAL_MS + member.phaseMs;
}

/** The report a member sends at a tick: all checks pass, except one check in ~1% of reports. */
export function reportAt(
  origin: number,
  fleet: readonly FleetMember[],
  memberIndex: number,
  tick: number,
): ReportInput {
  const member = fleet[memberIndex];
  const roll = hash32(memberIndex * 7919 + tick * 104_729);
  const failing = roll % 100 < FAILURE_PERCENT ? (roll >>> 8) % member.checks.length : -1;
  const checks: CheckInput[] = member.checks.map((c, j) =>
    j === failing
      ? {
          name: c.name,
          target: c.target,
          status: 'fail',
          latencyMs: 5000,
          output: 'connection refused',
        }
      : {
          name: c.name,
          target: c.target,
          status: 'pass',
          latencyMs: 1 + ((roll >>> (j * 3)) % 20),
        },
  );
  return {
    service: member.service,
    instance: member.instance,
    host: member.host,
    labels: { zone: member.zone },
    observedAt: new Date(observedAt(origin, member, tick)).toISOString(),
    checks,
  };
}

/** A small integer hash (Wang/Jenkins mix): deterministic, well spread, cheap. */
function hash32(n: number): number {
  let x = n | 0;
  x = x ^ 61 ^ (x >>> 16);
  x = x + (x << 3);
  x = x ^ (x >>> 4);
  x = Math.imul(x, 0x27d4eb2d);
  x = x ^ (x >>> 15);
  return x >>> 0;
}
