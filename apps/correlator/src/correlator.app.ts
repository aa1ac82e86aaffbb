import { type FaultlineConfig, StartupQuietLogger } from '@faultline/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { CorrelatorModule } from './correlator.module';

/** Builds and starts the correlator (it campaigns from bootstrap): shared by main.ts and the tests. */
export async function createCorrelatorApp(
  config: FaultlineConfig,
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(CorrelatorModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(new StartupQuietLogger(app.get(Logger))); // Nest's module lines at debug
  return app;
}
