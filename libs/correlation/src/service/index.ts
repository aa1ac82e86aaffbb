// @faultline/correlation/service: the process side of correlation (Nest, Postgres, BullMQ):
// what the correlator (or a worker with CORRELATION_ENABLED) runs around the pure engine.
export * from './alias.module';
export * from './alias.repository';
export * from './correlation.module';
export * from './correlation.processor';
export * from './correlation.service';
export * from './correlation-leadership';
export * from './event-time-feed';
export * from './incident.store';
export * from './incident-write.repository';
export * from './stored-incident';
