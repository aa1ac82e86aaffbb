export * from './inventory.module';
export * from './inventory.model';
export * from './keyset-cursor';
export * from './staleness';
export * from './service-query.service';
export * from './instance-query.service';
export * from './backend-query.service';
export * from './rfc3339';
export { readCursor, readLimit } from './query-input';
