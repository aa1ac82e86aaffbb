import {
  adapt,
  detectFormat,
  FormatError,
  type HealthDocument,
  type UnresolvedComponent,
} from '@faultline/formats';
import { type CheckInput, REPORT_LIMITS, type ReportInput } from '@faultline/reports';

import type { FetchFailureReason, SafeResponse } from '../http';
import type { PollTarget } from '../targets/poll-target.model';

/** What one poll got: an answer, or why there was none. */
export type PollAnswer =
  { ok: true; response: SafeResponse } | { ok: false; reason: FetchFailureReason; message: string };

export interface PollReports {
  reports: ReportInput[];
  unresolved: UnresolvedComponent[];
  /** Why the target counts as unreachable (no answer, or an answer in no readable format); null when it answered. */
  unreachable: string | null;
}

/** The check every polled report carries: can this collector reach the target and read it? */
export const REACHABILITY_CHECK = 'reachability';

/**
 * Turns one poll into native reports (pure). An answer in the target's format (or the one
 * detected) becomes that format's reports, plus a passing `reachability` check; no answer, or
 * one Faultline cannot read, becomes a single report whose `reachability` check fails with the
 * reason — distinct from any dependency the target reports as failing.
 *
 * The reachability check targets `collector://<collectorId>`: every target a collector polls
 * depends on it, so when they all become unreachable at once the correlation engine blames the
 * collector (its network), and one unreachable target alone is blamed on that target.
 */
export function pollReports(
  target: PollTarget,
  answer: PollAnswer,
  collectorId: string,
  now: number,
): PollReports {
  const identity = identityOf(target);
  const reachability = (
    status: 'pass' | 'fail',
    latencyMs: number | undefined,
    output?: string,
  ): CheckInput => ({
    name: REACHABILITY_CHECK,
    target: `collector://${collectorId}`,
    status,
    ...(latencyMs !== undefined ? { latencyMs: Math.round(latencyMs) } : {}),
    ...(output ? { output } : {}),
  });
  const unreachable = (reason: string, latencyMs?: number): PollReports => ({
    reports: [
      {
        ...identity,
        observedAt: new Date(now).toISOString(),
        status: 'fail',
        checks: [reachability('fail', latencyMs, reason)],
      },
    ],
    unresolved: [],
    unreachable: reason,
  });
  if (!answer.ok) return unreachable(`${answer.reason}: ${answer.message}`);

  const { response } = answer;
  const doc: HealthDocument = {
    body: response.body,
    httpStatus: response.status,
    ...(response.contentType ? { contentType: response.contentType } : {}),
  };
  const format = target.format === 'auto' ? detectFormat(doc) : target.format;
  if (format === null)
    return unreachable(
      `answered HTTP ${response.status} (${(response.contentType ?? 'no content type').slice(0, 200)}) in no known health format`,
      response.elapsedMs,
    );
  try {
    const adapted = adapt(format, doc, {
      ...identity,
      mapping: target.mapping,
      labelMapping: target.labelMapping,
      observedAt: now,
    });
    const reports = adapted.reports.map((r) => ({ ...r }));
    // The reachability check joins the report about the target itself (a report per instance and time).
    const own =
      reports.find(
        (r) =>
          r.service === identity.service && (r.instance ?? identity.instance) === identity.instance,
      ) ?? reports[0];
    if (!own)
      return unreachable(
        `answered HTTP ${response.status} with no health report in it (${format})`,
        response.elapsedMs,
      );
    own.checks = [
      ...withRoomForOne((own.checks ?? []).filter((c) => c.name !== REACHABILITY_CHECK)),
      reachability('pass', response.elapsedMs),
    ];
    return { reports, unresolved: adapted.unresolved, unreachable: null };
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return unreachable(
      `answered HTTP ${response.status} that is not valid ${format}: ${e.message}`.slice(0, 1000),
      response.elapsedMs,
    );
  }
}

/** A report holds at most REPORT_LIMITS.checks checks: a full one gives up a passing check (else its last) for reachability. */
function withRoomForOne(checks: CheckInput[]): CheckInput[] {
  if (checks.length < REPORT_LIMITS.checks) return checks;
  const passing = checks.map((c) => c.status).lastIndexOf('pass');
  const drop = passing >= 0 ? passing : checks.length - 1;
  return checks.filter((_, i) => i !== drop).slice(0, REPORT_LIMITS.checks - 1);
}

/** Service, instance (default: the URL's host and port), host and labels of a target. */
export function identityOf(target: PollTarget): {
  service: string;
  instance: string;
  host?: string;
  labels?: Record<string, string>;
} {
  return {
    service: target.service,
    instance: target.instance ?? new URL(target.url).host,
    ...(target.host ? { host: target.host } : {}),
    ...(target.labels && Object.keys(target.labels).length > 0 ? { labels: target.labels } : {}),
  };
}
