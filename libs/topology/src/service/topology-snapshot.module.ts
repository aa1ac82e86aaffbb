import { Module } from '@nestjs/common';

import { TopologySnapshotService } from './topology-snapshot.service';
import { TopologyStateRepository } from './topology-state.repository';

/** The graph the API serves, rebuilt from stored state. Needs the app's TypeORM DataSource. */
@Module({
  providers: [TopologyStateRepository, TopologySnapshotService],
  exports: [TopologySnapshotService],
})
export class TopologySnapshotModule {}
