// @faultline/changes/service: the Nest side of changes (Postgres, the queue). The model,
// validation and adapters are the pure @faultline/changes.
export * from './change-intake.service';
export * from './change-query.service';
export * from './change-retention.service';
export * from './changes.module';
