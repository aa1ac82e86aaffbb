export * from './change.model';
