import { IncidentsModule } from '@faultline/incidents';
import { Module } from '@nestjs/common';
import { AliasModule } from './alias.module';
import { CorrelationService } from './correlation.service';
import { ReportHistoryRepository } from './report-history.repository';

/** The worker side of correlation: the engine's owner and its persistence. */
@Module({
  imports: [IncidentsModule, AliasModule],
  providers: [CorrelationService, ReportHistoryRepository],
  exports: [CorrelationService],
})
export class CorrelationModule {}
