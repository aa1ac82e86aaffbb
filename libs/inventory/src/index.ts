export * from './backend-query.service';
export * from './instance-query.service';
export * from './inventory.model';
export * from './inventory.module';
export * from './service-query.service';
export * from './staleness';
