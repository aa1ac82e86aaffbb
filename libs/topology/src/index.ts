export * from './topology.model';
export * from './serving-resolver';
export * from './topology-graph';
export { impactOf } from './impact';
export { neighbourhood } from './neighbourhood';
export * from './topology-snapshot';
