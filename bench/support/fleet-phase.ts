import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import type { BenchStack } from './bench-stack';
import { buildBodyPool } from './body-pool';
import type { PhaseResult, PhaseSpec } from './ingest-phase';
import { buildFleet, type FleetMember, REPORT_INTERVAL_MS } from './report-fleet';

/**
 * How the cost grows with the fleet: one phase per fleet size, each on a fresh stack (its own
 * database), so `instances` and `check_states` hold that fleet and nothing else.
 *
 * The warm-up sends every instance once (at least 20,000 reports, so a small fleet warms the
 * processes as the default warm-up does): it creates the instance, host and check-state rows.
 * The measured phase then sends arrays tick after tick for the phase's seconds, and at least
 * two full ticks of the fleet however long that takes, so every instance reports at least
 * twice in it and every report updates rows that exist, as a running fleet does. Bodies are
 * serialised as they are sent, so a fleet of 500,000 needs no pool in memory.
 */

export interface FleetPhaseSpec {
  instances: number;
  reportsPerBody: number;
  connections: number;
  phaseSeconds: number;
  drainTimeoutMs: number;
  requestTimeoutS: number;
}

export interface FleetPhaseResult {
  name: string;
  instances: number;
  services: number;
  hosts: number;
  /** Rows in the fleet's database after the phase; null where the table could not be counted. */
  rows: { instances: number | null; checkStates: number | null };
  warmup: { reports: number; seconds: number; storedEqualsAccepted: boolean };
  phase: PhaseResult;
  /** From the stack's start to the end of the measured phase: what the phase costs to run. */
  wallSeconds: number;
  /**
   * Peak resident memory (MB) of each process kind (the largest process of the kind) and of
   * the bench itself, which builds the fleet and serialises bodies as it sends them.
   */
  peakRssMb: Record<string, number>;
}

/** Starts a fresh stack, and stops it and drops its database when `close` is called. */
export type StackOpener = (suffix: string) => Promise<{
  stack: BenchStack;
  close: () => Promise<void>;
}>;

/** Runs a phase on a stack, logging as the other phases do. */
export type PhaseRunner = (
  stack: BenchStack,
  spec: Omit<PhaseSpec, 'connections' | 'drainTimeoutMs' | 'requestTimeoutS'>,
) => Promise<PhaseResult>;

const SERVICES = 200;
/** The default fleet's density: 10,000 instances on 500 hosts. */
const INSTANCES_PER_HOST = 20;
const MIN_WARMUP_REPORTS = 20_000;
const MEASURED_TICKS = 2;
// As for the main pools: event times start in the past and stay there.
const EVENT_ORIGIN_AGO_MS = 50 * 60_000;
const EVENT_SAFETY_MS = 60_000;

export function fleetOf(instances: number): {
  fleet: FleetMember[];
  services: number;
  hosts: number;
} {
  const services = Math.min(SERVICES, instances);
  const hosts = Math.max(1, Math.round(instances / INSTANCES_PER_HOST));
  const fleet = buildFleet({
    services,
    instancesPerService: Math.ceil(instances / services),
    hosts,
  }).slice(0, instances);
  return { fleet, services, hosts };
}

export async function runFleetPhase(
  name: string,
  spec: FleetPhaseSpec,
  openStack: StackOpener,
  runPhase: PhaseRunner,
): Promise<FleetPhaseResult> {
  const started = performance.now();
  const { fleet, services, hosts } = fleetOf(spec.instances);
  const { stack, close } = await openStack(name.replace('-', '_'));
  try {
    const origin = Math.floor(Date.now() / 1000) * 1000 - EVENT_ORIGIN_AGO_MS;
    const warmupTicks = Math.max(1, Math.ceil(MIN_WARMUP_REPORTS / fleet.length));
    const warmupPool = buildBodyPool({
      name: `${name} warm-up`,
      fleet,
      origin,
      firstTick: 0,
      reports: warmupTicks * fleet.length,
      reportsPerBody: spec.reportsPerBody,
      lazy: true,
    });
    const warmup = await runPhase(stack, {
      name: warmupPool.name,
      pool: warmupPool,
      durationMs: 0,
      minBodies: warmupPool.size,
    });

    // As many ticks as the event-time window holds; the deadline decides how many are sent.
    const ticks = Math.floor(
      (Date.now() - EVENT_SAFETY_MS - origin) / REPORT_INTERVAL_MS - warmupPool.endTick,
    );
    if (ticks < MEASURED_TICKS)
      throw new Error(`${name}: the event-time window has no room for ${MEASURED_TICKS} ticks`);
    const pool = buildBodyPool({
      name,
      fleet,
      origin,
      firstTick: warmupPool.endTick,
      reports: ticks * fleet.length,
      reportsPerBody: spec.reportsPerBody,
      lazy: true,
    });
    const phase = await runPhase(stack, {
      name,
      pool,
      durationMs: spec.phaseSeconds * 1000,
      minBodies: Math.ceil((MEASURED_TICKS * fleet.length) / spec.reportsPerBody),
    });
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      name,
      instances: fleet.length,
      services,
      hosts,
      rows: {
        instances: await countRows(stack, 'instances'),
        checkStates: await countRows(stack, 'check_states'),
      },
      warmup: {
        reports: warmup.acceptedReports,
        seconds: warmup.endToEnd?.seconds ?? warmup.loadSeconds,
        storedEqualsAccepted: warmup.storage.nothingLost && warmup.endToEnd !== null,
      },
      phase,
      wallSeconds: Math.round(wallSeconds),
      peakRssMb: peakMemory(stack),
    };
  } finally {
    await close();
  }
}

/** Rows of a table, or null if it is not there (the schema is someone else's to change). */
async function countRows(stack: BenchStack, table: string): Promise<number | null> {
  try {
    const result = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return result.rows[0].n;
  } catch {
    return null;
  }
}

/** VmHWM of the stack's processes by kind (the largest of each kind), and the bench's maxRSS. */
function peakMemory(stack: BenchStack): Record<string, number> {
  const peak: Record<string, number> = {};
  for (const [kind, pids] of Object.entries(stack.pids)) {
    const sizes = pids.map(peakKb).filter((kb): kb is number => kb !== null);
    if (sizes.length) peak[kind] = Math.round(Math.max(...sizes) / 1024);
  }
  peak.bench = Math.round(process.resourceUsage().maxRSS / 1024);
  return peak;
}

function peakKb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null; // exited
  }
}
