import {
  DependencyUnavailableError,
  type FaultlineConfig,
  InFlightRegistry,
  InjectConfig,
  InvalidInputError,
  JobName,
  JobProducer,
} from '@faultline/platform';
import { type Report, ReportValidator } from '@faultline/reports';
import { Injectable, Logger, type OnModuleDestroy, PayloadTooLargeException } from '@nestjs/common';

import { GroupCommitter } from './group-commit';
import { IntakeMetrics } from './ingest.metrics';
import { IntakeSummary } from './intake-summary';
import { DAY_MS } from './report-partitions';

// Past this a request answers 503 rather than hang; the client retries, and a retry is
// idempotent, so a group that did land late is never stored twice.
const DURABILITY_TIMEOUT_MS = 10_000;

/** The event time a batch holds the correlation clock at: its earliest observedAt or receipt. */
export const oldestEventTime = (reports: readonly Report[]): number =>
  reports.reduce((min, r) => Math.min(min, r.observedAt, r.receivedAt), Infinity);

/**
 * The api side of ingest: validates a request body, then makes its reports durable by
 * group-committing them into the ingest queue. Resolves only once Redis has the job.
 */
@Injectable()
export class ReportIntake implements OnModuleDestroy {
  private readonly logger = new Logger(ReportIntake.name);
  private readonly validator = new ReportValidator();
  private readonly committer: GroupCommitter<Report>;
  // Accepted reports by source, logged once a minute (never a line per request).
  private readonly summary = new IntakeSummary((line) => this.logger.log(line));

  constructor(
    private readonly producer: JobProducer,
    private readonly inFlight: InFlightRegistry,
    private readonly metrics: IntakeMetrics,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {
    this.committer = new GroupCommitter<Report>(
      async (reports) => {
        const stop = this.metrics.groupCommitSeconds.startTimer();
        // Registered before the job exists, so the correlation clock never passes a batch
        // that Redis holds; a registration whose job failed to add expires on its own.
        const inFlight = await this.inFlight.register(oldestEventTime(reports));
        await this.producer.add(JobName.IngestBatch, { reports, inFlight });
        stop();
      },
      // Idle: a request's reports go at once; busy: a group gathers for INGEST_GROUP_WAIT_MS
      // and one flush is in flight at a time, so groups grow with the load.
      {
        maxWaitMs: config.INGEST_GROUP_WAIT_MS,
        maxItems: config.INGEST_GROUP_MAX_REPORTS,
        timeoutMs: DURABILITY_TIMEOUT_MS,
      },
    );
    this.summary.start();
  }

  /**
   * Validates and enqueues a body of native reports; returns how many were accepted. `source`
   * names where they came from in the intake summary: `reports api` (POST /api/v1/reports),
   * `ingest/<format>`, `source/<push source id>`, `poll/<target id>`.
   */
  async ingest(body: unknown, now = Date.now(), source = 'reports api'): Promise<number> {
    this.refuseOverCap(body);
    const result = this.validator.validate(body, {
      now,
      retentionMs: this.config.RETENTION_DAYS * DAY_MS,
    });
    if (!result.ok) {
      this.metrics.rejected.inc({ reason: 'invalid' });
      throw new InvalidInputError(result.errors, 'invalid report');
    }
    await this.accept(result.reports);
    this.summary.add(source, result.reports.length);
    return result.reports.length;
  }

  /**
   * Refuses a body of more reports than one request may carry (INGEST_MAX_REPORTS_PER_REQUEST)
   * with 413 naming the cap, before any work on its reports: a bad request, never an outage.
   */
  refuseOverCap(body: unknown): void {
    const count = Array.isArray(body) ? body.length : 1;
    const cap = this.config.INGEST_MAX_REPORTS_PER_REQUEST;
    if (count <= cap) return;
    this.metrics.rejected.inc({ reason: 'too-many' });
    throw reportCapError(cap, count);
  }

  /** Makes already-validated reports durable (used by the format adapters too). */
  async accept(reports: Report[]): Promise<void> {
    if (reports.length > this.config.INGEST_MAX_REPORTS_PER_REQUEST)
      throw reportCapError(this.config.INGEST_MAX_REPORTS_PER_REQUEST, reports.length);
    try {
      await this.committer.submit(reports);
    } catch (e) {
      this.metrics.rejected.inc({ reason: 'unavailable' });
      this.logger.warn(`ingest queue unavailable: ${(e as Error).message}`);
      throw new DependencyUnavailableError('the ingest queue (Redis)');
    }
    this.metrics.accepted.inc(reports.length);
  }

  async onModuleDestroy(): Promise<void> {
    await this.committer.drain();
    this.summary.stop();
  }
}

/** 413 naming the per-request cap (`count` when known). */
export function reportCapError(cap: number, count?: number): PayloadTooLargeException {
  const reason = `at most ${cap} reports a request (INGEST_MAX_REPORTS_PER_REQUEST)${count === undefined ? '' : `, this one has ${count}`}: split it`;
  return new PayloadTooLargeException({
    statusCode: 413,
    error: 'Payload Too Large',
    message: reason,
    errors: [{ path: '', reason }],
  });
}
