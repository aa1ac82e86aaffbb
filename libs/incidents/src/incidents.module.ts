import { Module } from '@nestjs/common';
import { IncidentQueryService } from './incident-query.service';
import { IncidentStore } from './incident.store';
import { IncidentRepository } from './repositories/incident.repository';
import { TopologyStateRepository } from './repositories/topology-state.repository';
import { TopologySnapshotService } from './topology-snapshot.service';

/**
 * Incidents in Postgres (written by the worker through IncidentStore, read by the API) and the
 * graph rebuilt from stored state. Needs the app's TypeORM DataSource.
 */
@Module({
  providers: [
    IncidentRepository,
    TopologyStateRepository,
    IncidentStore,
    IncidentQueryService,
    TopologySnapshotService,
  ],
  exports: [IncidentStore, IncidentQueryService, TopologySnapshotService],
})
export class IncidentsModule {}
