export { CorrelationEngine } from './correlation-engine';
export * from './engine.model';
export { learnInterval } from './interval';
