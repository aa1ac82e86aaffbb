export { CorrelationEngine } from './correlation-engine';
export * from './correlation-report';
export * from './engine.model';
export { learnInterval } from './interval';
