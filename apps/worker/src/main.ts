import 'reflect-metadata';

import {
  checkDatabase,
  checkRedis,
  describeMigration,
  type FaultlineConfig,
  listenForMetrics,
  type MetricsServer,
  migrateDatabase,
  processLogger,
  runEntryPoint,
} from '@faultline/platform';
import { Logger } from 'nestjs-pino';
import { Registry } from 'prom-client';

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
  // The metrics port first: a port in use stops the worker before it takes any job.
  const metrics: MetricsServer | null = config.WORKER_METRICS_PORT
    ? await listenForMetrics(
        config.WORKER_METRICS_PORT,
        config.WORKER_METRICS_HOST,
        'WORKER_METRICS_PORT',
      )
    : null;
  await checkRedis(config.REDIS_URL);
  if (config.MIGRATE_ON_START)
    processLogger(config, 'Migrations').info(describeMigration(await migrateDatabase(config)));
  else await checkDatabase(config);
  const app = await createWorkerApp(config);
  metrics?.serve(app.get(Registry));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.get(Logger).log(`${signal}: finishing running batches`);
    metrics?.close();
    await app.close(); // closes the BullMQ workers after their running jobs complete
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutdown(signal));
  // Started by `npm start` (scripts/start.mjs): stop with it, even when it was killed outright.
  if (process.send) process.once('disconnect', () => void shutdown('npm start exited'));
}

runEntryPoint(main);
