// @faultline/topology/service: the graph rebuilt from Postgres for the API (Nest, TypeORM).
// The pure graph is @faultline/topology; keeping the two entries apart lets the engine and the
// simulator load the graph without the framework.
export * from './topology-snapshot.module';
export * from './topology-snapshot.service';
