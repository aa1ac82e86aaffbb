import { CollectorsModule } from '@faultline/collectors';
import { IncidentsModule } from '@faultline/incidents';
import { ReportIntakeModule } from '@faultline/ingest';
import { InventoryModule } from '@faultline/inventory';
import {
  ApiTokenEntity,
  AuthModule,
  ConfigModule,
  dataSourceOptions,
  type FaultlineConfig,
  loggerParams,
  MetricsModule,
  QueueModule,
  ReadinessService,
} from '@faultline/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { AliasModule } from '@faultline/correlation';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AliasesController } from './aliases/aliases.controller';
import { ComponentsController } from './collectors/components.controller';
import { IngestFormatsController } from './collectors/ingest-formats.controller';
import { SourcesController } from './collectors/sources.controller';
import { TargetsController } from './collectors/targets.controller';
import { HealthController } from './health/health.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { BackendsController } from './inventory/backends.controller';
import { InstancesController } from './inventory/instances.controller';
import { ServicesController } from './inventory/services.controller';
import { ReportsController } from './reports/reports.controller';
import { TokensController } from './tokens/tokens.controller';
import { TopologyController } from './topology/topology.controller';

/** The HTTP role: ingest, queries, admin and the probes. Controllers only; logic lives in libs/. */
@Module({})
export class ApiModule {
  static forRoot(config: FaultlineConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        TypeOrmModule.forRoot(dataSourceOptions(config, [ApiTokenEntity])),
        MetricsModule,
        QueueModule,
        AuthModule,
        ReportIntakeModule,
        InventoryModule,
        IncidentsModule,
        AliasModule,
        CollectorsModule,
      ],
      controllers: [ReportsController, ServicesController, InstancesController, BackendsController, TokensController, HealthController, IncidentsController, TopologyController, AliasesController,
        IngestFormatsController, TargetsController, SourcesController, ComponentsController],
      providers: [ReadinessService],
    };
  }
}
