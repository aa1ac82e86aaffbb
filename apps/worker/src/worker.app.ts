import { type FaultlineConfig, StartupQuietLogger } from '@faultline/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { WorkerModule } from './worker.module';

/** Builds and starts the worker (processing begins at bootstrap): shared by main.ts and the tests. */
export async function createWorkerApp(config: FaultlineConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(new StartupQuietLogger(app.get(Logger))); // Nest's module lines at debug
  return app;
}
