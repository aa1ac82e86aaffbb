import { HttpException } from '@nestjs/common';

/**
 * Errors the domain libs throw. They name what went wrong, not how HTTP says it: the one
 * exception filter at the API's edge (http/http-exception.filter.ts) maps each code to a status.
 */

/** One reason a request was refused, naming the field by JSON pointer (path "" is the whole body). */
export interface FieldProblem {
  path: string;
  reason: string;
}

export type DomainErrorCode =
  'invalid-input' | 'unauthenticated' | 'not-found' | 'conflict' | 'unavailable';

/** `errors`, when given, names the fields at fault; without it the message speaks for the whole request. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(
    message: string,
    readonly errors?: FieldProblem[],
  ) {
    super(message);
  }
}

/** Input refused; `errors` lists every bad field. */
export class InvalidInputError extends DomainError {
  readonly code = 'invalid-input';
  declare readonly errors: FieldProblem[];

  constructor(errors: FieldProblem[], message = 'invalid request') {
    super(message, errors);
  }
}

/** A credential other than the API token (a push source's signature, say) did not check out. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
}

/** The thing named does not exist (or is not visible to the caller). */
export class NotFoundError extends DomainError {
  readonly code = 'not-found';
}

/** The request contradicts what is stored (a name already taken, say). */
export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

/** A dependency (Redis, Postgres) is down: the caller should retry, nothing was accepted. */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'unavailable';

  constructor(dependency: string) {
    super(`${dependency} is unavailable, retry later`);
  }
}

/**
 * The caller is known but may not do this (a token bound to other services, a service reserved
 * by a signing push source). An HttpException, so the one exception filter keeps its body:
 * `{statusCode: 403, error, message, errors: [{path, reason}]}` naming the field at fault.
 */
export class ForbiddenError extends HttpException {
  constructor(
    message: string,
    readonly errors: FieldProblem[] = [{ path: '', reason: message }],
  ) {
    super({ statusCode: 403, error: 'Forbidden', message, errors }, 403);
  }
}

/**
 * Too many requests: a rate limit is spent. `retryAfterS` is what the edge sends as
 * `Retry-After` (whole seconds, at least 1). Body as every client error, naming the limit.
 */
export class TooManyRequestsError extends HttpException {
  constructor(
    message: string,
    readonly retryAfterS: number,
    readonly errors: FieldProblem[] = [{ path: '', reason: message }],
  ) {
    super({ statusCode: 429, error: 'Too Many Requests', message, errors }, 429);
  }
}
