import { Module } from '@nestjs/common';
import { IngestMetrics, IntakeMetrics } from './ingest.metrics';
import { ReportBatchRepository } from './report-batch.repository';
import { ReportBatchWriter } from './report-batch.writer';
import { ReportIntake } from './report-intake.service';
import { StorageMaintenance } from './storage-maintenance.service';

/** The api side: validation and durable acceptance of reports. */
@Module({
  providers: [IntakeMetrics, ReportIntake],
  exports: [ReportIntake],
})
export class ReportIntakeModule {}

/** The worker side: batches into Postgres, state, transitions and partition upkeep. */
@Module({
  providers: [IngestMetrics, ReportBatchRepository, ReportBatchWriter, StorageMaintenance],
  exports: [ReportBatchWriter, StorageMaintenance],
})
export class ReportStoreModule {}
