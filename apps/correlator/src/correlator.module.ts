import { CorrelationModule } from '@faultline/correlation/service';
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

import { CorrelatorService } from './correlator.service';

/**
 * The correlator role: stands for correlation leader and, while leader, runs the engine over
 * the correlation queue. No HTTP API, no other queue: ingest, polls and notifications stay with
 * the workers, so ingest and correlation each get a core and scale apart.
 */
@Module({})
export class CorrelatorModule {
  static forRoot(config: FaultlineConfig): DynamicModule {
    return {
      module: CorrelatorModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        MetricsModule,
        QueueModule,
        CorrelationModule,
      ],
      providers: [CorrelatorService],
    };
  }
}
