import { encodeCorrelationReports } from '@faultline/correlation';
import { GroupCommitter, oldestEventTime, ReportBatchWriter } from '@faultline/ingest';
import {
  type FaultlineConfig,
  InFlightRegistry,
  InjectConfig,
  JobName,
  type JobPayloads,
  JobProducer,
} from '@faultline/platform';
import type { Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

/** One ingest job as it joins a merged write. */
interface PendingBatch {
  reports: Report[];
  inFlight?: string;
  /** A retry: its first attempt may have stored the reports and died before forwarding them. */
  retried: boolean;
}

// A merged write that hangs this long fails its jobs, and BullMQ retries them (idempotently).
const MERGED_WRITE_TIMEOUT_MS = 5 * 60_000;

/**
 * Ingest batches → Postgres, then the stored reports → the correlation queue. The jobs a worker
 * holds at once (WORKER_CONCURRENCY) are written together: while one write runs, the jobs that
 * arrive gather and go in the next, so a backlog of small jobs (single-report requests) costs a
 * few large transactions instead of one each. A job completes once the write holding it has
 * committed and its reports are forwarded; errors propagate so BullMQ retries each job. A retry
 * after a commit finds every report already stored; it then forwards its whole batch, since the
 * first attempt may have died before forwarding it (the engine ignores reports it has seen).
 */
@Injectable()
export class IngestProcessor {
  private readonly writes: GroupCommitter<PendingBatch>;

  constructor(
    private readonly writer: ReportBatchWriter,
    private readonly producer: JobProducer,
    private readonly inFlight: InFlightRegistry,
    @InjectConfig() config: FaultlineConfig,
  ) {
    this.writes = new GroupCommitter((batches) => this.store(batches), {
      maxWaitMs: 0,
      maxItems: config.WORKER_CONCURRENCY,
      timeoutMs: MERGED_WRITE_TIMEOUT_MS,
    });
  }

  async process(data: JobPayloads[JobName.IngestBatch], job: Job): Promise<void> {
    await this.writes.submit([
      { reports: data.reports, inFlight: data.inFlight, retried: job.attemptsMade > 0 },
    ]);
  }

  private async store(batches: PendingBatch[]): Promise<void> {
    const reports = batches.length === 1 ? batches[0].reports : batches.flatMap((b) => b.reports);
    const { fresh } = await this.writer.write(reports);
    const retried = batches.filter((b) => b.retried).flatMap((b) => b.reports);
    const forward = retried.length
      ? [...fresh, ...retried].sort((a, b) => a.observedAt - b.observedAt)
      : fresh;
    const holds = batches.flatMap((b) => (b.inFlight === undefined ? [] : [b.inFlight]));
    if (forward.length === 0) {
      await this.inFlight.release(...holds);
      return;
    }
    // One hold for the merged correlate job, as early as any of its batches', taken before theirs
    // go: the correlation clock never passes reports on their way.
    const hold =
      holds.length > 1 ? await this.inFlight.register(oldestEventTime(reports)) : holds[0];
    await this.producer.add(JobName.Correlate, {
      reports: encodeCorrelationReports(forward),
      inFlight: hold,
    });
    if (holds.length > 1) await this.inFlight.release(...holds);
  }
}
