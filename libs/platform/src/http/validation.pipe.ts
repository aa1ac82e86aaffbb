import { type ValidationError, ValidationPipe } from '@nestjs/common';

import { type FieldProblem, InvalidInputError } from '../errors/domain-errors';

/** The strict pipe for DTOs: unknown fields refused, types transformed, each bad field named. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new InvalidInputError(flatten(errors, '')),
  });
}

function flatten(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((e) => {
    const path = `${prefix}/${e.property}`;
    // class-validator starts each message with the property's name; the path already says it.
    const lead = `${e.property} `;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({
      path,
      reason: reason.startsWith(lead) ? reason.slice(lead.length) : reason,
    }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
