import { Module } from '@nestjs/common';

import { IncidentQueryService } from './incident-query.service';
import { IncidentRepository } from './repositories/incident.repository';

/**
 * Incidents as the API serves them, read from Postgres (the correlation worker writes them,
 * see @faultline/correlation/service). Needs the app's TypeORM DataSource.
 */
@Module({
  providers: [IncidentRepository, IncidentQueryService],
  exports: [IncidentQueryService],
})
export class IncidentsModule {}
