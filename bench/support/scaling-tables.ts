import type { CopyRate } from './copy-baseline';
import type { FleetPhaseResult } from './fleet-phase';
import type { PhaseResult } from './ingest-phase';
import type { ProcessCounts } from './ingest-settings';
import {
  acceptedRequestsPerSecond,
  cpuMicrosPerReport,
  n,
  ratio,
  renderTables,
  storedVerdict,
  table,
  type TargetCheck,
} from './results-table';
import type { TableActivity } from './table-activity';

/** What one process configuration measured: its main phases and its fleet sizes. */
export interface ConfigurationResult {
  /** "2x2": api x worker processes. */
  label: string;
  counts: ProcessCounts;
  /** Whether a correlator process ran the engine (else the leader worker did). */
  correlator: boolean;
  phases: { arrays?: PhaseResult; single?: PhaseResult };
  fleet: FleetPhaseResult[];
}

// The process kinds of the CPU cells, in the order they are printed.
const KINDS = ['api', 'worker', 'correlator', 'postgres (bench db)', 'redis'];
const KINDS_HEADER = 'api / worker / correlator / postgres / redis';
const MEMORY_KINDS = ['api', 'worker', 'correlator', 'bench'];

/** One row per fleet size (per configuration, when several ran). */
export function renderFleetTable(configurations: ConfigurationResult[]): string {
  const several = configurations.length > 1;
  const rows = configurations.flatMap((c) =>
    c.fleet.map((f) => [
      several ? `${f.name} (${c.label})` : f.name,
      `${n(f.instances)} / ${n(f.hosts)}`,
      `${count(f.rows.instances)} / ${count(f.rows.checkStates)}`,
      `${n(f.warmup.reports)} in ${f.warmup.seconds} s${f.warmup.storedEqualsAccepted ? '' : ' (**not all stored**)'}`,
      n(f.phase.acceptedReports),
      String(f.phase.loadSeconds),
      f.phase.endToEnd ? String(f.phase.endToEnd.seconds) : 'not drained',
      f.phase.endToEnd ? n(f.phase.endToEnd.reportsPerSecond) : '-',
      cpuCells(f.phase),
      storedVerdict(f.phase),
      String(f.wallSeconds),
      MEMORY_KINDS.map((kind) => f.peakRssMb[kind] ?? '–').join(' / '),
    ]),
  );
  return [
    table(
      [
        'fleet',
        'instances / hosts',
        'rows: instances / check_states',
        'warm-up reports',
        'measured reports',
        'load s',
        'e2e s',
        'e2e reports/s',
        `CPU µs per report: ${KINDS_HEADER}`,
        'stored = accepted',
        'wall s',
        `peak MB: ${MEMORY_KINDS.join(' / ')}`,
      ],
      rows,
    ),
    '',
    '"wall s": the whole phase, from starting its stack to the end of the drain (warm-up included). "peak MB": peak resident memory of the largest process of each kind; bench: this process (fleet and bodies).',
  ].join('\n');
}

/** One row per process configuration: the figures issue 15 compares. */
export function renderProcessTable(
  configurations: ConfigurationResult[],
  copies: CopyRate[],
): string {
  const reportsCopy = copies.find((c) => c.table.includes('reports'));
  return table(
    [
      'api x worker',
      'correlator',
      'arrays e2e reports/s',
      ...(reportsCopy ? ['arrays e2e / COPY'] : []),
      'single accepted req/s',
      'single e2e reports/s',
      `arrays CPU µs per report: ${KINDS_HEADER}`,
      `single CPU µs per report: ${KINDS_HEADER}`,
      'stored = accepted',
    ],
    configurations.map((c) => {
      const { arrays, single } = c.phases;
      const arraysE2e = arrays?.endToEnd?.reportsPerSecond;
      return [
        c.label,
        c.correlator ? 'own process' : 'in a worker',
        arraysE2e === undefined ? '-' : n(arraysE2e),
        ...(reportsCopy
          ? [arraysE2e === undefined ? '-' : ratio(arraysE2e / reportsCopy.rowsPerSecond)]
          : []),
        single ? n(acceptedRequestsPerSecond(single)) : '-',
        single?.endToEnd ? n(single.endToEnd.reportsPerSecond) : '-',
        arrays ? cpuCells(arrays) : '-',
        single ? cpuCells(single) : '-',
        [arrays, single]
          .filter((p): p is PhaseResult => p !== undefined)
          .map((p) => `${p.name} ${storedVerdict(p)}`)
          .join('; '),
      ];
    }),
  );
}

/** Everything a run prints at the end: per configuration its tables, then the scaling tables. */
export function renderRun(
  runId: string,
  file: string,
  configurations: ConfigurationResult[],
  copies: CopyRate[],
  targets: TargetCheck[],
  tables: TableActivity[],
): string {
  const out: string[] = [];
  out.push(`\n## Ingest benchmark ${runId}\n`);
  for (const [i, configuration] of configurations.entries()) {
    if (configurations.length > 1)
      out.push(`\n### ${configuration.label}: ${processesText(configuration)}\n`);
    out.push(
      renderTables(
        phasesOf(configuration),
        i === 0 ? copies : [],
        i === 0 ? targets : [],
        i === 0 ? tables : [],
      ),
    );
  }
  if (configurations.some((c) => c.fleet.length)) {
    out.push(
      '\n**How the cost grows with the fleet** (arrays, end to end, a fresh stack per size)\n',
    );
    out.push(renderFleetTable(configurations));
  }
  if (configurations.length > 1) {
    out.push('\n**Processes** (a fresh stack per configuration; api x worker)\n');
    out.push(renderProcessTable(configurations, copies));
  }
  out.push(`\nfigures: ${file}`);
  const notes = configurations.flatMap((c) =>
    phasesOf(c).map((p) => ({
      p,
      name: configurations.length > 1 ? `${c.label} ${p.name}` : p.name,
    })),
  );
  for (const { p, name } of notes) {
    if (p.requests.refusalSamples.length)
      out.push(`${name}: sample refusals:\n  ${p.requests.refusalSamples.join('\n  ')}`);
    if (p.poolExhausted)
      out.push(
        `${name}: every body of the pool was sent before the deadline; raise the pool size for a full-length phase`,
      );
    if (p.pipeline.failedJobs)
      out.push(`${name}: ${p.pipeline.failedJobs} ingest jobs in the failed set`);
    if (p.pipeline.failedCorrelationJobs)
      out.push(
        `${name}: ${p.pipeline.failedCorrelationJobs} correlate jobs in the failed set (by the end of the phase)`,
      );
  }
  return out.join('\n');
}

function processesText(configuration: ConfigurationResult): string {
  const { api, worker } = configuration.counts;
  return `${api} api, ${worker} worker${configuration.correlator ? ', 1 correlator' : ''} process(es)`;
}

/** The configuration's measured phases: the main ones, then the fleet sizes. */
export function phasesOf(configuration: ConfigurationResult): PhaseResult[] {
  return [
    configuration.phases.arrays,
    configuration.phases.single,
    ...configuration.fleet.map((f) => f.phase),
  ].filter((p): p is PhaseResult => p !== undefined);
}

function cpuCells(p: PhaseResult): string {
  return KINDS.map((kind) =>
    p.cpu.untilStored.seconds[kind] === undefined ? '–' : n(cpuMicrosPerReport(p, kind)),
  ).join(' / ');
}

const count = (rows: number | null): string => (rows === null ? '?' : n(rows));
