import { CorrelationEngine } from '@faultline/correlation';
import type { Check, Report } from '@faultline/reports';
import { Prng } from '@faultline/simulator';

/**
 * The engine's own figures, pure (no HTTP, no database): the time to rank a failure storm and
 * the memory of a large fleet. Printed by both RCA benchmarks.
 */

const T0 = Date.UTC(2026, 10, 25, 10);

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function report(
  service: string,
  instance: string,
  host: string,
  zone: string,
  at: number,
  checks: Check[],
): Report {
  const status = checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
  return {
    id: null,
    service,
    instance,
    host,
    labels: { zone },
    observedAt: at,
    receivedAt: at,
    status,
    checks,
  };
}

function check(name: string, backend: number, fail: boolean): Check {
  const target = `mysql://db-${backend}:3306`;
  return {
    name,
    target,
    targetKey: `backend:${target}`,
    status: fail ? 'fail' : 'pass',
    latencyMs: fail ? 5000 : 3,
    output: fail ? 'connection refused' : null,
  };
}

export interface StormFigures {
  applyMs: number;
  rankMs: number;
  nextTickMs: number;
  incidents: number;
  symptoms: number;
  topCause: string;
}

/** 5,000 instances with 2 checks each over 200 backends: all 10,000 checks fail in one interval. */
export function measureStorm(): StormFigures {
  const engine = new CorrelationEngine();
  const rng = new Prng(42);
  const targets = Array.from({ length: 5000 }, () => [rng.int(1, 200), rng.int(1, 200)]);
  const feed = (at: number, fail: boolean) => {
    for (let i = 0; i < 5000; i++) {
      const [a, b] = targets[i];
      engine.apply({
        kind: 'report',
        report: report(
          `svc-${i % 500}`,
          `svc-${i % 500}-${i}`,
          `node-${i >> 2}`,
          `az${i % 3}`,
          at + (i % 1000),
          [check('db-a', a, fail), check('db-b', b === a ? (b % 200) + 1 : b, fail)],
        ),
      });
    }
  };
  feed(T0, false);
  feed(T0 + 10_000, false);
  engine.apply({ kind: 'tick', at: T0 + 11_000 });
  const t1 = performance.now();
  feed(T0 + 20_000, true);
  const t2 = performance.now();
  const changes = engine.apply({ kind: 'tick', at: T0 + 21_000 });
  const t3 = performance.now();
  engine.apply({ kind: 'tick', at: T0 + 22_000 });
  const t4 = performance.now();
  const opened = changes.filter((c) => c.type === 'opened');
  const top = opened[0]?.incident.rootCauses[0];
  return {
    applyMs: t2 - t1,
    rankMs: t3 - t2,
    nextTickMs: t4 - t3,
    incidents: opened.length,
    symptoms: engine.stats().symptoms,
    topCause: top ? `${top.key} (${top.summary})` : 'none',
  };
}

export interface MemoryFigures {
  heapMb: number;
  settled: boolean;
  instances: number;
  backends: number;
  nodes: number;
  edges: number;
}

/** 50,000 instances (3 checks each) over 2,000 backends, each reporting once. */
export function measureMemory(): MemoryFigures {
  gc();
  const before = process.memoryUsage().heapUsed;
  const engine = new CorrelationEngine();
  const rng = new Prng(7);
  for (let i = 0; i < 50_000; i++) {
    const checks = [0, 1, 2].map((k) =>
      check(`dep-${k}`, ((rng.int(0, 1999) + k * 667) % 2000) + 1, false),
    );
    engine.apply({
      kind: 'report',
      report: report(
        `svc-${i % 2500}`,
        `svc-${i % 2500}-${i}`,
        `node-${i >> 2}`,
        `az${i % 3}`,
        T0 + (i % 10_000),
        checks,
      ),
    });
  }
  engine.apply({ kind: 'tick', at: T0 + 10_000 });
  gc();
  const after = process.memoryUsage().heapUsed;
  const s = engine.stats();
  const graph = engine.exportGraph();
  return {
    heapMb: (after - before) / 1024 / 1024,
    settled: (globalThis as { gc?: unknown }).gc !== undefined,
    instances: s.instances,
    backends: s.backends,
    nodes: graph.nodes.length,
    edges: graph.edges.length,
  };
}

export function printStormAndMemory(): { storm: StormFigures; memory: MemoryFigures } {
  const storm = measureStorm();
  console.log('## Storm: 10,000 failing checks at once (5,000 instances, 200 backends)');
  console.log(`apply 5,000 reports:        ${storm.applyMs.toFixed(1)} ms`);
  console.log(
    `rank them (one tick):       ${storm.rankMs.toFixed(1)} ms  -> ${storm.incidents} incidents opened, symptoms ${storm.symptoms}   (target < 200 ms)`,
  );
  console.log(`next tick, storm ongoing:   ${storm.nextTickMs.toFixed(1)} ms`);
  console.log(`top of the first incident:  ${storm.topCause}\n`);
  const memory = measureMemory();
  console.log('## Memory: 50,000 instances and 2,000 backends, one report each');
  console.log(
    `heapUsed delta:             ${memory.heapMb.toFixed(1)} MB${memory.settled ? '' : ' (run with --expose-gc for a settled figure)'}`,
  );
  console.log(
    `engine state:               ${memory.instances} instances, ${memory.backends} backends; graph ${memory.nodes} nodes, ${memory.edges} edges\n`,
  );
  return { storm, memory };
}
