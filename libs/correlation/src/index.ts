export * from './engine';
export * from './service/correlation.module';
export * from './service/correlation.service';
export * from './service/event-time-feed';
export * from './service/alias.repository';
export * from './service/alias.module';
