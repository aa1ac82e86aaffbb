export * from './entity-key';
export * from './report.model';
export * from './report.schema';
export * from './report-validator';
export * from './status';
