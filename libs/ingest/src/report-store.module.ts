import { Module } from '@nestjs/common';

import { IngestMetrics } from './ingest.metrics';
import { ReportBatchRepository } from './report-batch.repository';
import { ReportBatchWriter } from './report-batch.writer';
import { ReportStorageRepository } from './report-storage.repository';
import { StorageMaintenance } from './storage-maintenance.service';

/** The worker side: batches into Postgres, state, transitions and partition upkeep. */
@Module({
  providers: [
    IngestMetrics,
    ReportBatchRepository,
    ReportBatchWriter,
    ReportStorageRepository,
    StorageMaintenance,
  ],
  exports: [ReportBatchWriter, StorageMaintenance],
})
export class ReportStoreModule {}
