export * from './incidents.module';
export * from './incident.model';
export * from './incident.store';
export * from './incident-query.service';
export * from './topology-snapshot';
export * from './topology-snapshot.service';
