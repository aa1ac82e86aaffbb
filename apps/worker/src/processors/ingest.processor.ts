import { encodeCorrelationReports } from '@faultline/correlation';
import { type BatchOutcome, ReportBatchWriter } from '@faultline/ingest';
import { InFlightRegistry, JobName, type JobPayloads, JobProducer } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

/**
 * Ingest batches → Postgres, then the stored reports → the correlation queue. Errors
 * propagate so BullMQ retries the batch. A retry after a commit finds every report already
 * stored; it then forwards the whole batch, since the first attempt may have died before
 * forwarding it (the engine ignores reports it has already seen).
 */
@Injectable()
export class IngestProcessor {
  constructor(
    private readonly writer: ReportBatchWriter,
    private readonly producer: JobProducer,
    private readonly inFlight: InFlightRegistry,
  ) {}

  async process(data: JobPayloads[JobName.IngestBatch], job: Job): Promise<BatchOutcome> {
    const { outcome, fresh } = await this.writer.write(data.reports);
    const forward =
      job.attemptsMade > 0 ? [...data.reports].sort((a, b) => a.observedAt - b.observedAt) : fresh;
    if (forward.length)
      await this.producer.add(JobName.Correlate, {
        reports: encodeCorrelationReports(forward),
        inFlight: data.inFlight,
      });
    else if (data.inFlight) await this.inFlight.release(data.inFlight);
    return outcome;
  }
}
