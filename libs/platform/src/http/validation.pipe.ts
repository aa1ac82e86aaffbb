import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldProblem, InvalidInputException } from './errors';

/** The strict pipe for DTOs: unknown fields refused, types transformed, each bad field named. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new InvalidInputException(flatten(errors, '')),
  });
}

function flatten(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((e) => {
    const path = `${prefix}/${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({
      path,
      reason: reason.replace(new RegExp(`^${e.property} `), ''),
    }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
