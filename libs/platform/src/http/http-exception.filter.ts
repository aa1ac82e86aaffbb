import { STATUS_CODES } from 'node:http';

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { DomainError, type DomainErrorCode } from '../errors/domain-errors';

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
 * Every error leaves as JSON `{statusCode, error, message, errors?}`. Domain errors get the
 * status of their code; HTTP exceptions (the edge's own: auth, Nest) keep their body; Fastify's
 * own errors (413, 415, malformed JSON) keep their status; anything else is logged and becomes
 * a 500 that shows no internals. A 415 on a route that says what it takes lists those types:
 * `errors: [{path: '/content-type', reason: 'must be one of application/json, …'}]`.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const consumes = routeConsumes(http.getRequest<FastifyRequest | undefined>());
    const { status, body } = toErrorBody(exception, { consumes });
    if (status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
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
