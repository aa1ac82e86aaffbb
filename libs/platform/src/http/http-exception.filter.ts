import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

interface FastifyError {
  statusCode?: number;
  code?: string;
  message: string;
}

/**
 * Every error leaves as JSON `{statusCode, error, message, errors?}`. HTTP exceptions keep
 * their body; Fastify's own errors (413, 415, malformed JSON) keep their status; anything
 * else is logged and becomes a 500 that shows no internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorBody(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(status).send(body);
  }
}

export function toErrorBody(exception: unknown): { status: number; body: Record<string, unknown> } {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const status = exception.getStatus();
    const body = typeof response === 'string' ? { statusCode: status, error: response, message: response } : (response as Record<string, unknown>);
    return { status, body: { statusCode: status, ...body } };
  }
  const fastifyError = exception as FastifyError;
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    return {
      status,
      body: { statusCode: status, error: HttpStatus[status] ?? 'Error', code: fastifyError.code, message: fastifyError.message, errors: [{ path: '', reason: fastifyError.message }] },
    };
  }
  return { status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' } };
}
