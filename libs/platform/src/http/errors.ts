import { BadRequestException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';

/** One reason a request was refused, naming the field by JSON pointer (path "" is the whole body). */
export interface FieldProblem {
  path: string;
  reason: string;
}

/** 400 whose body lists every bad field: `{statusCode, error, message, errors: [{path, reason}]}`. */
export class InvalidInputException extends BadRequestException {
  constructor(
    readonly errors: FieldProblem[],
    message = 'invalid request',
  ) {
    super({ statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request', message, errors });
  }
}

/** 503 for a dependency that is down: the client should retry, nothing was accepted. */
export class DependencyUnavailableException extends ServiceUnavailableException {
  constructor(dependency: string) {
    super({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      message: `${dependency} is unavailable, retry later`,
    });
  }
}
