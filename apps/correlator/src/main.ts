import 'reflect-metadata';

import { type FaultlineConfig, runEntryPoint, startQueueRole } from '@faultline/platform';

import { createCorrelatorApp } from './correlator.app';

/**
 * The correlator role: `npm run start:correlator`. Any number may run; one at a time leads (a
 * leased Redis lock) and runs the engine, the others stand by to take over. Whatever stops the
 * start (a port in use, Postgres or Redis out of reach, a bad setting) is one line naming the
 * setting to change, and exit code 1. The engine rebuilds from stored reports and incidents, so
 * the schema comes first, as for the worker.
 */
async function main(config: FaultlineConfig): Promise<void> {
  await startQueueRole(config, {
    metricsPort: config.CORRELATOR_METRICS_PORT,
    metricsSetting: 'CORRELATOR_METRICS_PORT',
    createApp: createCorrelatorApp,
    draining: 'the running correlation job',
  });
}

runEntryPoint(main);
