import { type BatchOutcome, ReportBatchWriter } from '@faultline/ingest';
import type { JobName, JobPayloads } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

/** Ingest batches → Postgres. Errors propagate so BullMQ retries the batch. */
@Injectable()
export class IngestProcessor {
  constructor(private readonly writer: ReportBatchWriter) {}

  process(data: JobPayloads[JobName.IngestBatch]): Promise<BatchOutcome> {
    return this.writer.write(data.reports);
  }
}
