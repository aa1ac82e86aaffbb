import { STATUS_CODES } from 'node:http';

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  DependencyUnavailableError,
  DomainError,
  type DomainErrorCode,
} from '../errors/domain-errors';

interface FastifyError {
  statusCode?: number;
  code?: string;
  message: string;
}

const STATUS_OF: Record<DomainErrorCode, number> = {
  'invalid-input': 400,
  unauthenticated: 401,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

/**
 * The media types a route takes, kept in its Fastify route config under this key (the api sets
 * it on every route with a body): a 415 names them.
 */
export const CONSUMES_CONFIG_KEY = 'consumes';

/** The media types the request's route takes, when it says. */
export function routeConsumes(request: FastifyRequest | undefined): readonly string[] | undefined {
  const config = request?.routeOptions?.config as Record<string, unknown> | undefined;
  const types = config?.[CONSUMES_CONFIG_KEY];
  return Array.isArray(types) && types.length > 0 ? (types as string[]) : undefined;
}

/** The reason a 415 gives under `/content-type`. */
export const mustBeOneOf = (types: readonly string[]): string =>
  `must be one of ${types.join(', ')}`;

/**
 * What a failed request's one log line says, kept on the raw response for the request logger
 * (pino-http, see logger.ts): the route, and the reason (a dependency's error text) or the
 * error whose stack is worth logging (an unexpected 500).
 */
export interface RequestFailure {
  route: string;
  reason: string;
  /** Set for unexpected errors only: their stack is logged, once. */
  error?: Error;
}
const FAILURE = Symbol.for('faultline.requestFailure');

/** The failure the exception filter recorded on this raw response, if any. */
export function requestFailureOf(res: object): RequestFailure | undefined {
  return (res as Record<symbol, RequestFailure | undefined>)[FAILURE];
}

/**
 * Every error leaves as JSON `{statusCode, error, message, errors?}`. Domain errors get the
 * status of their code; HTTP exceptions (the edge's own: auth, Nest) keep their body; Fastify's
 * own errors (413, 415, malformed JSON) keep their status; Postgres or Redis out of reach (a
 * driver's connection error, wherever it surfaced) is a 503 naming it; anything else becomes a
 * 500 that shows no internals. A 415 on a route that says what it takes lists those types:
 * `errors: [{path: '/content-type', reason: 'must be one of application/json, …'}]`.
 *
 * A failure is logged once: the request logger (pino-http) writes its line with the route and
 * the reason this filter records on the response (a warn for a 503, the stack of an unexpected
 * 500 as an error); on a route it does not log (ingest), this filter writes that line itself.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest | undefined>();
    const consumes = routeConsumes(request);
    const { status, body } = toErrorBody(exception, { consumes });
    if (status >= 500) {
      const route = `${request?.method ?? '?'} ${request?.routeOptions?.url ?? request?.url?.split('?')[0] ?? '?'}`;
      const unexpected = status === 500 && exception instanceof Error ? exception : undefined;
      const failure: RequestFailure = {
        route,
        reason: failureReason(exception, status, body),
        error: unexpected,
      };
      const raw = reply.raw as unknown as Record<symbol | string, unknown> | undefined;
      if (raw) {
        raw[FAILURE] = failure;
        if (unexpected) raw.err = unexpected; // pino-http logs this error (its stack), not one of its own
      }
      // pino-http gives each response it logs a `log`; a response without one is ours to log.
      if (!raw?.log) {
        if (unexpected) this.logger.error(unexpected.stack ?? String(unexpected));
        else if (status === 500) this.logger.error(`${route}: ${failure.reason}`);
        else this.logger.warn(`${route}: ${status} ${failure.reason}`);
      }
    }
    void reply.status(status).send(body);
  }
}

export function toErrorBody(
  exception: unknown,
  route: { consumes?: readonly string[] } = {},
): { status: number; body: Record<string, unknown> } {
  const result = errorBody(exception);
  if (result.status === 415 && route.consumes)
    result.body.errors = [{ path: '/content-type', reason: mustBeOneOf(route.consumes) }];
  return result;
}

function errorBody(exception: unknown): { status: number; body: Record<string, unknown> } {
  const down = unavailableDependency(exception);
  if (down) return errorBody(new DependencyUnavailableError(down.name));
  if (exception instanceof DomainError) {
    const status = STATUS_OF[exception.code];
    const body = plainError(status, exception.message);
    if (exception.errors !== undefined) body.errors = exception.errors;
    return { status, body };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const status = exception.getStatus();
    // Nest maps Fastify's own errors (bad JSON, 413, 415) to HttpExceptions carrying a plain message.
    if (typeof response === 'string') return { status, body: plainError(status, response) };
    const body = {
      ...plainError(status, exception.message),
      ...(response as Record<string, unknown>),
    };
    return { status, body };
  }
  const fastifyError = exception as FastifyError;
  if (
    typeof fastifyError?.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return {
      status: fastifyError.statusCode,
      body: plainError(fastifyError.statusCode, fastifyError.message),
    };
  }
  return {
    status: 500,
    body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
  };
}

/** Every client error lists `errors`; one about the request as a whole has the empty path. */
function plainError(status: number, message: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
  };
  if (status >= 400 && status < 500) body.errors = [{ path: '', reason: message }];
  return body;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The log's reason: the answer's message, with the driver's words when a dependency is down. */
function failureReason(exception: unknown, status: number, body: Record<string, unknown>): string {
  if (status === 500) return describe(exception);
  const down = unavailableDependency(exception);
  return down ? `${String(body.message)}: ${down.reason}` : String(body.message);
}

// Socket-level failures: only the Postgres driver lets them reach a route (ioredis retries, then
// fails with errors of its own, below).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// pg-pool's and pg's own words for a connection that failed or went away.
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;
// ioredis: the command gave up while Redis was away.
const REDIS_MESSAGES =
  /^(Connection is closed\.|Reached the max retries per request limit|Stream isn't writeable and enableOfflineQueue options is false)/;

/**
 * Postgres or Redis, when the exception says it could not be reached: a socket error, pg's
 * connection errors, SQLSTATE class 08 (connection exception) and 57P01–57P03 (shut down or
 * starting), TypeORM's QueryFailedError around any of these, or ioredis giving up.
 */
export function unavailableDependency(
  exception: unknown,
): { name: 'Postgres' | 'Redis'; reason: string } | null {
  if (!(exception instanceof Error)) return null;
  const err = exception as Error & {
    code?: unknown;
    driverError?: unknown;
    errors?: unknown[];
  };
  if (err.name === 'QueryFailedError' && err.driverError instanceof Error) {
    const inner = unavailableDependency(err.driverError);
    return inner && { name: 'Postgres', reason: inner.reason };
  }
  if (err.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(err.message))
    return { name: 'Redis', reason: err.message };
  const code = typeof err.code === 'string' ? err.code : '';
  const nested =
    Array.isArray(err.errors) && err.errors.length > 0 && err.errors[0] instanceof Error
      ? (err.errors[0] as Error & { code?: string })
      : null;
  const reason = err.message || nested?.message || code;
  if (NETWORK_CODES.has(code) || (nested && NETWORK_CODES.has(nested.code ?? '')))
    return { name: 'Postgres', reason };
  if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === '53300')
    return { name: 'Postgres', reason };
  if (PG_CONNECTION_MESSAGES.test(err.message)) return { name: 'Postgres', reason };
  return null;
}
