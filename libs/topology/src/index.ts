export { impactOf } from './impact';
export { neighbourhood } from './neighbourhood';
export * from './serving-resolver';
export * from './topology.model';
export * from './topology-graph';
export * from './topology-snapshot';
