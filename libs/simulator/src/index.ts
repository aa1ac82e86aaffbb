export * from './scenario.model';
export * from './engine-event';
export { Prng } from './prng';
export { generateTopology } from './topology-generator';
export { World } from './world';
export { buildScenario, SCENARIO_EPOCH } from './scenario-builder';
export { playScenario } from './scenario-player';
export * from './scorer';
export { NaiveBaseline } from './naive-baseline';
