import { ChangesModule } from '@faultline/changes/service';
import { CollectorsModule } from '@faultline/collectors';
import { AliasModule } from '@faultline/correlation/service';
import { IncidentsModule } from '@faultline/incidents';
import { ReportIntakeModule } from '@faultline/ingest';
import { InventoryModule } from '@faultline/inventory';
import { ChannelHealth, NotificationsModule } from '@faultline/notifications';
import {
  ApiTokenEntity,
  AuthModule,
  ConfigModule,
  dataSourceOptions,
  type FaultlineConfig,
  loggerParams,
  MetricsModule,
  QueueModule,
  READINESS_CONTRIBUTOR,
  ReadinessService,
} from '@faultline/platform';
import { TopologySnapshotModule } from '@faultline/topology/service';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';

import { AliasesController } from './aliases/aliases.controller';
import { ChangesController } from './changes/changes.controller';
import { ComponentsController } from './collectors/components.controller';
import { IngestFormatsController } from './collectors/ingest-formats.controller';
import { MappingsController } from './collectors/mappings.controller';
import { SourcesController } from './collectors/sources.controller';
import { TargetsController } from './collectors/targets.controller';
import { HealthController } from './health/health.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { BackendsController } from './inventory/backends.controller';
import { InstancesController } from './inventory/instances.controller';
import { ServicesController } from './inventory/services.controller';
import { ChannelsController } from './notifications/channels.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { RoutingController } from './notifications/routing.controller';
import { TokensController } from './tokens/tokens.controller';
import { TopologyController } from './topology/topology.controller';

/**
 * The HTTP role: ingest, queries, admin and the probes. Controllers only; logic lives in libs/.
 * POST /api/v1/reports is a plain Fastify route (reports/reports.route.ts, registered by createApiApp).
 */
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
        TopologySnapshotModule,
        AliasModule,
        CollectorsModule,
        NotificationsModule,
        ChangesModule,
      ],
      controllers: [
        ServicesController,
        InstancesController,
        BackendsController,
        TokensController,
        HealthController,
        IncidentsController,
        TopologyController,
        AliasesController,
        IngestFormatsController,
        TargetsController,
        SourcesController,
        ComponentsController,
        MappingsController,
        ChannelsController,
        RoutingController,
        NotificationsController,
        ChangesController,
      ],
      providers: [ReadinessService, { provide: READINESS_CONTRIBUTOR, useExisting: ChannelHealth }],
    };
  }
}
