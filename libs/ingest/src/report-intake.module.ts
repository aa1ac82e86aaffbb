import { Module } from '@nestjs/common';

import { IntakeMetrics } from './ingest.metrics';
import { ReportIntake } from './report-intake.service';

/** The api side: validation and durable acceptance of reports. */
@Module({
  providers: [IntakeMetrics, ReportIntake],
  exports: [ReportIntake],
})
export class ReportIntakeModule {}
