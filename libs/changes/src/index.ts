// @faultline/changes: the change model, its validation and the senders' formats (pure). The
// Nest side (storage, intake, queries, retention) is @faultline/changes/service.
export * from './adapters';
export * from './change.model';
export * from './change.schema';
export * from './change-entity';
export * from './change-validator';
