import 'reflect-metadata';

import { loadConfig, migrate } from '@faultline/platform';
import { Logger } from 'nestjs-pino';

import { createApiApp } from './api.app';

/** The api role: `npm run start:api`. Runs pending migrations first unless MIGRATE_ON_START=false. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.MIGRATE_ON_START) await migrate(config);
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });

  // Stop taking requests first and let those in flight finish (their reports reach the
  // queue), then close the modules: the order Nest's own shutdown hooks would not give.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.get(Logger).log(`${signal}: draining`);
    await app.getHttpAdapter().getInstance().close();
    await app.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutdown(signal));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
