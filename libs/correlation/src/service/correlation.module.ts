import { Module } from '@nestjs/common';

import { AliasModule } from './alias.module';
import { CorrelationService } from './correlation.service';
import { IncidentStore } from './incident.store';
import { IncidentWriteRepository } from './incident-write.repository';
import { ReportHistoryRepository } from './report-history.repository';

/** The worker side of correlation: the engine's owner and its persistence. */
@Module({
  imports: [AliasModule],
  providers: [CorrelationService, ReportHistoryRepository, IncidentStore, IncidentWriteRepository],
  exports: [CorrelationService, IncidentStore],
})
export class CorrelationModule {}
