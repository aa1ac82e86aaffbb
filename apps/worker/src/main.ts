import 'reflect-metadata';

import {
  checkDatabase,
  checkRedis,
  describeMigration,
  type FaultlineConfig,
  migrateDatabase,
  processLogger,
  runEntryPoint,
  startQueueRole,
} from '@faultline/platform';

import { createWorkerApp } from './worker.app';

/**
 * The worker role: `npm run start:worker`. Any number may run against one Postgres and Redis.
 * With --migrate-only (`npm run migrate`) it applies pending migrations and exits; with
 * --preflight (what `npm start` runs first) it also checks that Redis answers.
 * Whatever stops the start (a port in use, Postgres or Redis out of reach, a bad setting) is
 * one line naming the setting to change, and exit code 1.
 */
async function main(config: FaultlineConfig): Promise<void> {
  if (process.argv.includes('--migrate-only')) {
    processLogger(config, 'Migrations').info(describeMigration(await migrateDatabase(config)));
    return;
  }
  if (process.argv.includes('--preflight')) {
    if (config.MIGRATE_ON_START)
      processLogger(config, 'Migrations').info(describeMigration(await migrateDatabase(config)));
    else await checkDatabase(config);
    await checkRedis(config.REDIS_URL);
    return;
  }
  await startQueueRole(config, {
    metricsPort: config.WORKER_METRICS_PORT,
    metricsSetting: 'WORKER_METRICS_PORT',
    createApp: createWorkerApp,
    draining: 'running batches',
  });
}

runEntryPoint(main);
