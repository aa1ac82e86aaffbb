import { Module } from '@nestjs/common';

import { BackendQueryService } from './backend-query.service';
import { InstanceQueryService } from './instance-query.service';
import { BackendRepository } from './repositories/backend.repository';
import { InstanceRepository } from './repositories/instance.repository';
import { ServiceRepository } from './repositories/service.repository';
import { ServiceQueryService } from './service-query.service';

/** The read side: services, instances, their history and backends. Needs a TypeORM DataSource. */
@Module({
  providers: [
    ServiceRepository,
    InstanceRepository,
    BackendRepository,
    ServiceQueryService,
    InstanceQueryService,
    BackendQueryService,
  ],
  exports: [ServiceQueryService, InstanceQueryService, BackendQueryService],
})
export class InventoryModule {}
