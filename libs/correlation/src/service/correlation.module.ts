import { Module } from '@nestjs/common';

import { AliasModule } from './alias.module';
import { ChangeHistoryRepository } from './change-history.repository';
import { CorrelationProcessor } from './correlation.processor';
import { CorrelationService } from './correlation.service';
import { CorrelationLeadership } from './correlation-leadership';
import { IncidentStore } from './incident.store';
import { IncidentWriteRepository } from './incident-write.repository';
import { ReportHistoryRepository } from './report-history.repository';

/**
 * The process side of correlation: the engine's owner, its persistence, the Correlate job's
 * handler and the leadership that decides which process runs them (a correlator, or a worker).
 * Needs the global QueueModule.
 */
@Module({
  imports: [AliasModule],
  providers: [
    CorrelationService,
    ReportHistoryRepository,
    ChangeHistoryRepository,
    IncidentStore,
    IncidentWriteRepository,
    CorrelationProcessor,
    CorrelationLeadership,
  ],
  exports: [CorrelationService, IncidentStore, CorrelationProcessor, CorrelationLeadership],
})
export class CorrelationModule {}
