import type { CopyRate } from './copy-baseline';
import type { FleetPhaseResult } from './fleet-phase';
import type { PhaseResult } from './ingest-phase';
import type { ProcessCounts } from './ingest-settings';
import {
  acceptedRequestsPerSecond,
  cpuMicrosPerReport,
  n,
  ratio,
  storedVerdict,
  table,
} from './results-table';

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

function cpuCells(p: PhaseResult): string {
  return KINDS.map((kind) =>
    p.cpu.untilStored.seconds[kind] === undefined ? '–' : n(cpuMicrosPerReport(p, kind)),
  ).join(' / ');
}

const count = (rows: number | null): string => (rows === null ? '?' : n(rows));
