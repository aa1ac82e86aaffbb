export * from './inventory.module';
export * from './inventory.model';
export * from './staleness';
export * from './service-query.service';
export * from './instance-query.service';
export * from './backend-query.service';
