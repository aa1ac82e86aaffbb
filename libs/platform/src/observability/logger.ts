import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

import type { FaultlineConfig } from '../config/config.schema';
import { requestFailureOf } from '../http/http-exception.filter';

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
 * nestjs-pino settings: one JSON line per event; requests logged only when they fail, one line
 * each: a 503 (Postgres or Redis away) is a warn naming the route and the reason, with no stack;
 * an unexpected 500 an error with the stack of what was thrown (the exception filter records
 * both on the response and logs nothing itself on these routes). The
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
        res.statusCode === 503 && !err
          ? 'warn'
          : err || res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'debug',
      customErrorMessage: (req, res) => {
        const failure = requestFailureOf(res);
        const route = failure?.route ?? `${req.method} ${req.url?.split('?')[0]}`;
        return `${route} answered ${res.statusCode}: ${failure?.reason ?? 'request failed'}`;
      },
      // No stack for an answer the service gave on purpose (503: a dependency is away).
      customErrorObject: (_req, res, _error, value: Record<string, unknown>) => {
        const failure = requestFailureOf(res);
        if (failure?.error) return value;
        const { err: _dropped, ...rest } = value;
        return failure ? { ...rest, reason: failure.reason } : rest;
      },
      quietReqLogger: true,
    },
  };
}
