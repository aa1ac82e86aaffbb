import { JobName, type JobPayloads, JobProducer } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import { decodeCorrelationReports } from '../engine/correlation-report';
import { CorrelationService } from './correlation.service';

/**
 * Stored reports → the correlation engine → incident changes in Postgres, then a notification
 * plan for the incidents that changed. Leader only. (Were the plan lost to a crash after the
 * store, the notification sweep finds the changed incidents.)
 */
@Injectable()
export class CorrelationProcessor {
  constructor(
    private readonly correlation: CorrelationService,
    private readonly producer: JobProducer,
  ) {}

  async process(data: JobPayloads[JobName.Correlate]): Promise<{ changed: number }> {
    return this.planFor(
      await this.correlation.process(
        decodeCorrelationReports(data.reports),
        data.aliases,
        data.inFlight,
        data.changes,
      ),
    );
  }

  /** The leader's clock between reports (see CorrelationService.advance). */
  async advanceClock(): Promise<{ changed: number }> {
    return this.planFor(await this.correlation.advance());
  }

  private async planFor(incidentIds: string[]): Promise<{ changed: number }> {
    if (incidentIds.length > 0) await this.producer.add(JobName.PlanNotifications, { incidentIds });
    return { changed: incidentIds.length };
  }
}
