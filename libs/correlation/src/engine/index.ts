export * from './engine.model';
export { CorrelationEngine } from './correlation-engine';
export { learnInterval } from './interval';
