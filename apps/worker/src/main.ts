import 'reflect-metadata';

import { loadConfig, migrate } from '@faultline/platform';
import { Logger } from 'nestjs-pino';
import { Registry } from 'prom-client';

import { serveMetrics } from './metrics-server';
import { createWorkerApp } from './worker.app';

/**
 * The worker role: `npm run start:worker`. Any number may run against one Postgres and Redis.
 * With --migrate-only (`npm run migrate`) it applies pending migrations and exits.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (process.argv.includes('--migrate-only')) {
    const applied = await migrate(config);
    console.log(
      applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date',
    );
    return;
  }
  if (config.MIGRATE_ON_START) await migrate(config);
  const app = await createWorkerApp(config);
  const metrics = config.WORKER_METRICS_PORT
    ? await serveMetrics(app.get(Registry), config.WORKER_METRICS_PORT, config.HOST)
    : null;

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
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
