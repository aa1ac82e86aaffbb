import { performance } from 'node:perf_hooks';

import { type BodyPool, buildBodyPool } from './body-pool';
import type { BenchSettings, MainPhase } from './ingest-settings';
import { type FleetMember, REPORT_INTERVAL_MS } from './report-fleet';

/** The bodies of the warm-up and the main phases (arrays, single), serialised up front. */
export interface Pools {
  /** Event time of tick 0. */
  origin: number;
  warmup: BodyPool;
  arrays: BodyPool | null;
  single: BodyPool | null;
  /** One line for the log: how many bodies, how many MB, how long it took. */
  description: string;
}

// Event times start this far back: inside the retention window, and the latest tick a run can
// use still lies in the past (the api refuses reports from the future).
export const EVENT_ORIGIN_AGO_MS = 50 * 60_000;
export const EVENT_SAFETY_MS = 60_000;
const WARMUP_TICKS = 2;

/**
 * Serialises every request body up front; the phases take consecutive ticks of event time.
 * Every configuration of a run sends the same pools, each to a database of its own.
 */
export function preparePools(
  fleet: readonly FleetMember[],
  settings: BenchSettings,
  phases: MainPhase[],
): Pools {
  const started = performance.now();
  const origin = Math.floor(Date.now() / 1000) * 1000 - EVENT_ORIGIN_AGO_MS;
  let tick = 0;
  const take = (name: string, reports: number, reportsPerBody: number): BodyPool => {
    const pool = buildBodyPool({ name, fleet, origin, firstTick: tick, reports, reportsPerBody });
    tick = pool.endTick;
    return pool;
  };
  const warmup = take('warm-up', WARMUP_TICKS * fleet.length, settings.BENCH_ARRAY_SIZE);
  const arrays = phases.includes('arrays')
    ? take('arrays', settings.BENCH_ARRAY_POOL_REPORTS, settings.BENCH_ARRAY_SIZE)
    : null;
  const single = phases.includes('single')
    ? take('single', settings.BENCH_SINGLE_POOL_REQUESTS, 1)
    : null;

  const latest = origin + tick * REPORT_INTERVAL_MS;
  if (latest > Date.now() - EVENT_SAFETY_MS) {
    throw new Error(
      `the pools span ${tick} ticks of ${REPORT_INTERVAL_MS / 1000} s, beyond the last ${EVENT_ORIGIN_AGO_MS / 60_000} minutes: make them smaller`,
    );
  }
  const all = [warmup, arrays, single].filter((p): p is BodyPool => p !== null);
  const megabytes = all.reduce((sum, p) => sum + p.heldBytes, 0) / 1e6;
  const counts = all.map((p) => `${p.name} ${p.size} bodies`).join(', ');
  const description = `serialised ${counts} (${Math.round(megabytes)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  return { origin, warmup, arrays, single, description };
}
