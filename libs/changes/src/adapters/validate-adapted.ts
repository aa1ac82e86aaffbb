import type { FieldError } from '@faultline/reports';

import {
  type ChangeValidationContext,
  type ChangeValidator,
  mergeById,
  type ValidChange,
} from '../change-validator';
import { type AdaptedChanges, documentError } from './adapted-change';

export type AdaptedValidation =
  { ok: true; changes: ValidChange[]; ignored: FieldError[] } | { ok: false; errors: FieldError[] };

/**
 * What an adapter made, validated as native changes are (same rules, same limits), every error
 * named by its place in the sender's document. All or nothing, as for native posts.
 */
export function validateAdapted(
  adapted: AdaptedChanges,
  validator: ChangeValidator,
  ctx: ChangeValidationContext,
): AdaptedValidation {
  const errors: FieldError[] = [];
  const valid: ValidChange[] = [];
  for (const { input, paths } of adapted.changes) {
    const own: FieldError[] = [];
    const change = validator.validateOne(input, '', ctx, own);
    // startedAt and finishedAt may come from one field (a CDEvent's timestamp): name it once.
    for (const error of own.map((e) => documentError(e, paths)))
      if (!errors.some((e) => e.path === error.path && e.reason === error.reason))
        errors.push(error);
    if (change)
      valid.push({
        change,
        idPath: paths.id ?? paths.entity ?? '',
        entityPath: paths.entity ?? '',
      });
  }
  const changes = mergeById(valid, errors);
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, changes, ignored: adapted.ignored };
}
