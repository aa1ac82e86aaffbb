import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { Registry } from 'prom-client';

import type { FaultlineConfig } from '../config/config.schema';
import { checkDatabase, describeMigration, migrateDatabase } from '../database/migrate';
import { listenForMetrics, type MetricsPortSetting, type MetricsServer } from './metrics-server';
import { checkRedis, processLogger } from './startup';

export interface QueueRole {
  /** Its metrics port (0: none) and the setting that names it, for a port-in-use failure. */
  metricsPort: number;
  metricsSetting: MetricsPortSetting;
  createApp: (config: FaultlineConfig) => Promise<INestApplicationContext>;
  /** What a signal makes it finish, for the log line (e.g. "running batches"). */
  draining: string;
}

/**
 * Starts a role with no HTTP API (the worker, the correlator): its metrics port first, so a
 * port in use stops it before it takes any job; then Redis, the schema (migrated, or checked
 * when MIGRATE_ON_START=false), then the app. SIGTERM or SIGINT — or `npm start` going away,
 * even killed outright — closes the app (its running jobs complete) and exits 0.
 */
export async function startQueueRole(config: FaultlineConfig, role: QueueRole): Promise<void> {
  const metrics: MetricsServer | null = role.metricsPort
    ? await listenForMetrics(role.metricsPort, config.WORKER_METRICS_HOST, role.metricsSetting)
    : null;
  await checkRedis(config.REDIS_URL);
  if (config.MIGRATE_ON_START)
    processLogger(config, 'Migrations').info(describeMigration(await migrateDatabase(config)));
  else await checkDatabase(config);
  const app = await role.createApp(config);
  metrics?.serve(app.get(Registry));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.get(Logger).log(`${signal}: finishing ${role.draining}`);
    metrics?.close();
    await app.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutdown(signal));
  if (process.send) process.once('disconnect', () => void shutdown('npm start exited'));
}
