import {
  type FaultlineConfig,
  HttpExceptionFilter,
  installAuthHook,
  StartupQuietLogger,
  strictValidationPipe,
} from '@faultline/platform';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';

import { ApiModule } from './api.module';
import { mountDashboard } from './dashboard/dashboard';
import { BODY_LIMIT_BYTES, registerContentTypes } from './http/content-types';
import { mountOpenApi } from './openapi';
import { registerReportsRoute } from './reports/reports.route';

/** Builds the api application (not yet listening): shared by main.ts and the e2e tests. */
export async function createApiApp(config: FaultlineConfig): Promise<NestFastifyApplication> {
  // bodyParser off: Nest would add a urlencoded parser; Fastify's JSON parser is all we want.
  // Names may be 200 characters and backend keys longer: Fastify's default 100-character path parameter is too short.
  // The server's body limit is the small one; the ingest routes raise their own (registerContentTypes).
  // The client's address (rate limits) comes from X-Forwarded-For only through trusted proxies.
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    routerOptions: { maxParamLength: 2048 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  // Nest's module and route lines (some 90) at debug: the start-up says where it listens instead.
  app.useLogger(new StartupQuietLogger(app.get(Logger)));
  // Tokens, scopes and rate limits before any body is read (the global AuthGuard stays behind it).
  installAuthHook(app);
  registerContentTypes(app.getHttpAdapter().getInstance(), {
    ingestBytes: config.INGEST_BODY_LIMIT_BYTES,
    otherBytes: BODY_LIMIT_BYTES,
    maxReports: config.INGEST_MAX_REPORTS_PER_REQUEST,
  });
  // After registerContentTypes: its onRoute hook gives the route its types and body limit.
  registerReportsRoute(app);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(strictValidationPipe());
  mountOpenApi(app);
  mountDashboard(app);
  return app;
}
