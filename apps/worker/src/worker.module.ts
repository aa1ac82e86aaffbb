import { ChangesModule } from '@faultline/changes/service';
import { CollectorsModule } from '@faultline/collectors';
import { CorrelationModule } from '@faultline/correlation/service';
import { ReportStoreModule } from '@faultline/ingest';
import { NotificationsModule } from '@faultline/notifications';
import {
  ConfigModule,
  dataSourceOptions,
  type FaultlineConfig,
  loggerParams,
  MetricsModule,
  QueueModule,
} from '@faultline/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';

import { IngestProcessor } from './processors/ingest.processor';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { NotificationProcessor } from './processors/notification.processor';
import { PollProcessor } from './processors/poll.processor';
import { WorkerService } from './worker.service';

/**
 * The worker role: consumes the queues. No HTTP API. With CORRELATION_ENABLED it also stands
 * for correlation leader, as a correlator does (see apps/correlator).
 */
@Module({})
export class WorkerModule {
  static forRoot(config: FaultlineConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        MetricsModule,
        QueueModule,
        ReportStoreModule,
        CorrelationModule,
        CollectorsModule,
        NotificationsModule,
        ChangesModule,
      ],
      providers: [
        IngestProcessor,
        MaintenanceProcessor,
        PollProcessor,
        NotificationProcessor,
        WorkerService,
      ],
    };
  }
}
