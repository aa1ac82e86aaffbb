export * from './incidents.module';
export * from './incident.model';
export * from './incident-query.service';
