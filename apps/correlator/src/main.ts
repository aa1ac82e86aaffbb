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

import { createCorrelatorApp } from './correlator.app';

/**
 * The correlator role: `npm run start:correlator`. Any number may run; one at a time leads (a
 * leased Redis lock) and runs the engine, the others stand by to take over. Whatever stops the
 * start (a port in use, Postgres or Redis out of reach, a bad setting) is one line naming the
 * setting to change, and exit code 1.
 */
async function main(config: FaultlineConfig): Promise<void> {
  // The metrics port first: a port in use stops the correlator before it campaigns.
  const metrics: MetricsServer | null = config.CORRELATOR_METRICS_PORT
    ? await listenForMetrics(
        config.CORRELATOR_METRICS_PORT,
        config.WORKER_METRICS_HOST,
        'CORRELATOR_METRICS_PORT',
      )
    : null;
  await checkRedis(config.REDIS_URL);
  // The engine rebuilds from stored reports and incidents: the schema must be there first.
  if (config.MIGRATE_ON_START)
    processLogger(config, 'Migrations').info(describeMigration(await migrateDatabase(config)));
  else await checkDatabase(config);
  const app = await createCorrelatorApp(config);
  metrics?.serve(app.get(Registry));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.get(Logger).log(`${signal}: finishing the running correlation job`);
    metrics?.close();
    await app.close(); // the running job completes, then the lease is released
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutdown(signal));
  // Started by `npm start` (scripts/start.mjs): stop with it, even when it was killed outright.
  if (process.send) process.once('disconnect', () => void shutdown('npm start exited'));
}

runEntryPoint(main);
