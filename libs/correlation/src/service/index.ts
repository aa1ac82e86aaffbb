// @faultline/correlation/service: the worker's side of correlation (Nest, Postgres).
export * from './alias.module';
export * from './alias.repository';
export * from './correlation.module';
export * from './correlation.service';
export * from './event-time-feed';
export * from './incident.store';
export * from './incident-write.repository';
export * from './stored-incident';
