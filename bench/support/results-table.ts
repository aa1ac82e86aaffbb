import { cpus } from 'node:os';

import type { CopyRate } from './copy-baseline';
import type { PhaseResult } from './ingest-phase';
import type { TableActivity } from './table-activity';

const cores = cpus().length;

/** Targets the figures are judged against (issue 15). */
export const TARGETS = {
  arraysEndToEndReportsPerSecond: 15_000,
  singleAcceptedRequestsPerSecond: 8_000,
  singleEndToEndReportsPerSecond: 6_000,
};

export interface TargetCheck {
  label: string;
  value: number;
  target: number;
  met: boolean;
}

export function checkTargets(
  arrays: PhaseResult | null,
  single: PhaseResult | null,
): TargetCheck[] {
  const check = (label: string, value: number, target: number): TargetCheck => ({
    label,
    value,
    target,
    met: value >= target,
  });
  const checks: TargetCheck[] = [];
  if (arrays)
    checks.push(
      check(
        'arrays: reports/s end-to-end',
        arrays.endToEnd?.reportsPerSecond ?? 0,
        TARGETS.arraysEndToEndReportsPerSecond,
      ),
    );
  if (single)
    checks.push(
      check(
        'single: accepted requests/s',
        acceptedRequestsPerSecond(single),
        TARGETS.singleAcceptedRequestsPerSecond,
      ),
      check(
        'single: reports/s end-to-end',
        single.endToEnd?.reportsPerSecond ?? 0,
        TARGETS.singleEndToEndReportsPerSecond,
      ),
    );
  return checks;
}

export const acceptedRequestsPerSecond = (p: PhaseResult): number =>
  Math.round(p.requests.accepted / p.loadSeconds);

/** The final report: markdown tables of throughput, CPU, pipeline internals and the COPY ceiling. */
export function renderTables(
  phases: PhaseResult[],
  copies: CopyRate[],
  targets: TargetCheck[],
  tables: TableActivity[],
): string {
  const out: string[] = [];
  out.push(
    table(
      [
        'phase',
        'requests/s',
        'accepted req/s',
        'accepted reports/s',
        'non-202',
        'p50 ms',
        'p99 ms',
        'stored s',
        'e2e s',
        'e2e reports/s',
        'stored = accepted',
      ],
      phases.map((p) => [
        `${p.name} (${p.reportsPerRequest}/req, ${p.connections} conn, ${p.loadSeconds} s)`,
        n(p.requests.perSecond),
        n(acceptedRequestsPerSecond(p)),
        n(p.acceptedReportsPerSecond),
        nonAccepted(p),
        String(p.latencyMs.p50),
        String(p.latencyMs.p99),
        p.endToEnd ? String(p.endToEnd.storedSeconds) : '-',
        p.endToEnd ? String(p.endToEnd.seconds) : 'not drained',
        p.endToEnd ? n(p.endToEnd.reportsPerSecond) : '-',
        storedVerdict(p),
      ]),
    ),
  );
  out.push(
    '',
    '"stored s": until every accepted report was in Postgres and the ingest queue empty; "e2e s": until the correlation queue was empty too (every report handed to the engine).',
  );
  if (targets.length) {
    out.push('', '**Targets**', '');
    out.push(
      table(
        ['target', 'measured', 'wanted', 'met'],
        targets.map((t) => [t.label, n(t.value), `≥ ${n(t.target)}`, t.met ? 'yes' : '**NO**']),
      ),
    );
  }

  const roles = [...new Set(phases.flatMap((p) => Object.keys(p.cpu.untilStored.seconds)))];
  out.push(
    '',
    `**CPU seconds from phase start until all stored and correlated** (in brackets: average cores busy; the machine has ${cores} cores)`,
    '',
  );
  out.push(
    table(
      ['phase', 'window s', ...roles, 'machine busy'],
      phases.map((p) => [
        p.name,
        String(p.cpu.windowSeconds),
        ...roles.map((r) => cpuCell(p.cpu.untilStored.seconds[r] ?? 0, p.cpu.windowSeconds)),
        `${Math.round(p.cpu.untilStored.machineBusyShare * 100)} %`,
      ]),
    ),
  );
  out.push(
    '',
    '"postgres (bench db)" is the part of "postgres (all)" serving the bench database. "other" is the rest of the busy time: kernel work and any other process on the machine; the largest of those:',
  );
  for (const p of phases)
    out.push(
      `- ${p.name}: ${
        Object.entries(p.cpu.untilStored.otherByName)
          .map(([comm, s]) => `${comm} ${s.toFixed(1)} s`)
          .join(', ') || 'none'
      }`,
    );
  out.push(
    '',
    `**CPU microseconds per accepted report** (steadier than rates when other work shares the machine; ceiling = ${cores} cores / sum, the rate if the machine did nothing else and nothing waited)`,
    '',
  );
  const perReportRoles = cpuRolesOf(phases);
  out.push(
    table(
      ['phase', ...perReportRoles, 'sum', 'ceiling reports/s'],
      phases.map((p) => {
        const parts = perReportRoles.map((role) => cpuMicrosPerReport(p, role));
        const sum = parts.reduce((a, b) => a + b, 0);
        return [p.name, ...parts.map(n), n(sum), n((cores * 1e6) / sum)];
      }),
    ),
  );
  out.push('', '**Postgres backends of the bench database, average number by activity**', '');
  out.push(
    table(
      ['phase', 'activity'],
      phases.map((p) => [
        p.name,
        Object.entries(p.postgresActivity)
          .map(([a, v]) => `${a} ${v}`)
          .join(', ') || '-',
      ]),
    ),
  );
  out.push('', '**Pipeline internals**', '');
  out.push(
    table(
      [
        'phase',
        'queue jobs',
        'reports/job',
        'group commit ms',
        'worker batches',
        'batch ms',
        'worker slots busy',
        'late',
        'transitions',
        'WAL bytes/report',
        'backlog at end',
      ],
      phases.map((p) => [
        p.name,
        n(p.pipeline.queueJobs),
        n(p.pipeline.reportsPerJob),
        String(p.pipeline.meanGroupCommitMs),
        n(p.pipeline.workerBatches),
        String(p.pipeline.meanBatchMs),
        `${Math.round(p.pipeline.workerSlotBusyShare * 100)} %`,
        n(p.pipeline.lateReports),
        n(p.pipeline.transitions),
        n(p.walBytesPerReport),
        Object.entries(p.pipeline.backlogAtEnd)
          .filter(([, jobs]) => jobs > 0)
          .map(([queue, jobs]) => `${queue} ${n(jobs)}`)
          .join(', ') || '0',
      ]),
    ),
  );
  if (tables.length) {
    out.push(
      '',
      '**Table activity over the whole run** (warm-up included; autovacuum may be off on this server)',
      '',
    );
    out.push(
      table(
        ['table', 'inserted', 'updated', 'HOT updated', 'dead rows', 'MB'],
        tables.map((t) => [
          t.table,
          n(t.inserted),
          n(t.updated),
          n(t.hotUpdated),
          n(t.deadRows),
          String(t.megabytes),
        ]),
      ),
    );
  }
  if (copies.length) {
    out.push(
      '',
      '**Raw COPY on the same machine** (one stream; ratio = pipeline end-to-end rate / COPY rate)',
      '',
    );
    out.push(
      table(
        [
          'COPY into',
          'rows',
          'MB',
          'seconds',
          'rows/s',
          ...phases.map((p) => `${p.name} e2e / COPY`),
        ],
        copies.map((c) => [
          c.table,
          n(c.rows),
          String(c.megabytes),
          String(c.seconds),
          n(c.rowsPerSecond),
          ...phases.map((p) =>
            p.endToEnd ? ratio(p.endToEnd.reportsPerSecond / c.rowsPerSecond) : '-',
          ),
        ]),
      ),
    );
  }
  return out.join('\n');
}

/** The roles of the per-report CPU table: the correlator only when one ran. */
export function cpuRolesOf(phases: PhaseResult[]): string[] {
  const correlator = phases.some((p) => p.cpu.untilStored.seconds.correlator !== undefined);
  return [
    'api',
    'worker',
    ...(correlator ? ['correlator'] : []),
    'postgres (bench db)',
    'redis',
    'bench',
  ];
}

/** CPU microseconds a role spent per accepted report, from the phase start until all was drained. */
export function cpuMicrosPerReport(p: PhaseResult, role: string): number {
  return ((p.cpu.untilStored.seconds[role] ?? 0) * 1e6) / Math.max(1, p.acceptedReports);
}

function nonAccepted(p: PhaseResult): string {
  const refused = Object.entries(p.requests.refusedByStatus).map(
    ([status, count]) => `${count}×${status}`,
  );
  const unanswered = p.requests.sent - p.requests.answered;
  if (unanswered) refused.push(`${unanswered} unanswered`);
  return refused.length ? refused.join(', ') : '0';
}

export function storedVerdict(p: PhaseResult): string {
  const s = p.storage;
  const kept = s.rows - s.rowsOfUncertainBodies;
  const verdict = s.nothingLost
    ? `yes (${n(kept)})`
    : `**NO**: ${n(kept)} stored vs ${n(p.acceptedReports)} accepted`;
  return s.rowsOfUncertainBodies
    ? `${verdict}; +${n(s.rowsOfUncertainBodies)} of non-202 bodies`
    : verdict;
}

function cpuCell(seconds: number, windowSeconds: number): string {
  return `${seconds.toFixed(1)} (${(seconds / windowSeconds).toFixed(2)})`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const n = (value: number): string => Math.round(value).toLocaleString('en-US');
export const ratio = (value: number): string =>
  value >= 0.1 ? value.toFixed(2) : value.toFixed(3);
