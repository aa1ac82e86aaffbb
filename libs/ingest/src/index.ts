export * from './ingest.module';
export * from './report-intake.service';
export * from './report-batch.writer';
export * from './storage-maintenance.service';
export * from './group-commit';
export * from './report-partitions';
export * from './state/state.model';
export * from './state/state-planner';
