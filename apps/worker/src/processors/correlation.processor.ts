import { CorrelationService } from '@faultline/correlation';
import type { JobName, JobPayloads } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

/** Stored reports → the correlation engine → incident changes in Postgres. Leader only. */
@Injectable()
export class CorrelationProcessor {
  constructor(private readonly correlation: CorrelationService) {}

  async process(data: JobPayloads[JobName.Correlate]): Promise<{ changes: number }> {
    return { changes: await this.correlation.process(data.reports, data.aliases) };
  }
}
