import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

import type { FaultlineConfig } from '../config/config.schema';

/** Paths pino blanks out wherever they appear: tokens and secrets never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-faultline-signature"]',
  '*.token',
  '*.secret',
  '*.password',
];

/**
 * nestjs-pino settings: one JSON line per event; requests logged only when they fail. The
 * ingest route is left out of request logging: a child logger and its async context per
 * request were a tenth of the api's CPU at thousands of reports a second, and its refusals
 * are counted in the metrics instead.
 */
export function loggerParams(config: Pick<FaultlineConfig, 'LOG_LEVEL' | 'LOG_PRETTY'>): Params {
  return {
    exclude: [{ method: RequestMethod.POST, path: 'api/v1/reports' }],
    pinoHttp: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      transport: config.LOG_PRETTY ? { target: 'pino-pretty' } : undefined,
      // At thousands of reports a second a line per request would be the main cost of ingest.
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
      quietReqLogger: true,
    },
  };
}
