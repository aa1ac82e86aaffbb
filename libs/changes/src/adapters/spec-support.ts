import { readFileSync } from 'fs';
import { join } from 'path';

import { type AdaptedChanges, ChangeFormatError } from './adapted-change';

/** Specs only: a fixture parsed, and the errors a refused document carried. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs edit fixtures freely, as senders' documents vary
export const fixture = (name: string): any =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

export function refusal(run: () => AdaptedChanges): { path: string; reason: string }[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ChangeFormatError) return e.errors;
    throw e;
  }
  throw new Error('was not refused');
}
