import { STATUS_CODES } from 'node:http';

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';

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
 * Every error leaves as JSON `{statusCode, error, message, errors?}`. Domain errors get the
 * status of their code; HTTP exceptions (the edge's own: auth, Nest) keep their body; Fastify's
 * own errors (413, 415, malformed JSON) keep their status; anything else is logged and becomes
 * a 500 that shows no internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorBody(exception);
    if (status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(status).send(body);
  }
}

export function toErrorBody(exception: unknown): { status: number; body: Record<string, unknown> } {
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
