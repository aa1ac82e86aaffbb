export * from './incident.model';
export * from './incident-query.service';
export * from './incidents.module';
