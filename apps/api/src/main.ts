import 'reflect-metadata';

import {
  checkDatabase,
  checkRedis,
  describeMigration,
  displayOrigin,
  type FaultlineConfig,
  listenFailure,
  migrateDatabase,
  processLogger,
  runEntryPoint,
  TokenService,
} from '@faultline/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';

import { createApiApp } from './api.app';

/**
 * The api role: `npm run start:api`. Runs pending migrations first unless MIGRATE_ON_START=false.
 * Whatever stops the start (a port in use, Postgres or Redis out of reach, a bad setting) is
 * one line naming the setting to change, and exit code 1.
 */
async function main(config: FaultlineConfig): Promise<void> {
  await checkRedis(config.REDIS_URL);
  if (config.MIGRATE_ON_START)
    processLogger(config, 'Migrations').info(describeMigration(await migrateDatabase(config)));
  else await checkDatabase(config);
  const app = await createApiApp(config);
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (e) {
    throw listenFailure(e, { setting: 'PORT', port: config.PORT, host: config.HOST });
  }
  const logger = app.get(Logger);
  const address = app.getHttpServer().address();
  const origin = displayOrigin(
    config.HOST,
    typeof address === 'object' && address ? address.port : config.PORT,
  );
  logger.log(
    `listening on ${origin} (dashboard ${origin}/, API docs ${origin}/api/docs)`,
    'Startup',
  );
  if (!config.FAULTLINE_ADMIN_TOKEN) logger.warn(await noAdminTokenWarning(app), 'Startup');

  // Stop taking requests first and let those in flight finish (their reports reach the
  // queue), then close the modules: the order Nest's own shutdown hooks would not give.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining`);
    await app.getHttpAdapter().getInstance().close();
    await app.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutdown(signal));
  // Started by `npm start` (scripts/start.mjs): stop with it, even when it was killed outright.
  if (process.send) process.once('disconnect', () => void shutdown('npm start exited'));
}

/**
 * Without FAULTLINE_ADMIN_TOKEN only tokens created earlier (POST /api/v1/tokens, which itself
 * takes an admin token) are accepted: on a new install, none, and every call answers 401.
 */
async function noAdminTokenWarning(app: NestFastifyApplication): Promise<string> {
  const active = await app
    .get(TokenService)
    .list()
    .then((tokens) => tokens.filter((t) => !t.revokedAt).length)
    .catch(() => 0);
  const how =
    'set FAULTLINE_ADMIN_TOKEN to a secret of 16+ characters and restart ' +
    '(e.g. FAULTLINE_ADMIN_TOKEN=$(openssl rand -hex 32) npm start); ' +
    'with it, POST /api/v1/tokens creates tokens scoped ingest, read or admin';
  return active === 0
    ? `FAULTLINE_ADMIN_TOKEN is not set and no API token exists: every /api/v1 call answers 401; ${how}`
    : `FAULTLINE_ADMIN_TOKEN is not set: only the ${active} token${active === 1 ? '' : 's'} created earlier through POST /api/v1/tokens ${active === 1 ? 'is' : 'are'} accepted; to get an admin token, ${how}`;
}

runEntryPoint(main);
