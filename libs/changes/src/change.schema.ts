import { NO_NUL } from '@faultline/reports';

import { CHANGE_KINDS, CHANGE_STATUSES } from './change.model';

/** Size limits of one change: generous for real deploy records, tight enough to bound a row. */
export const CHANGE_LIMITS = {
  /** Changes one request may carry (the 64 KiB body limit usually binds first). */
  perRequest: 1000,
  idLength: 200,
  entityLength: 2048,
  sourceLength: 100,
  versionLength: 200,
  summaryLength: 500,
  links: 20,
  hrefLength: 2048,
  linkTextLength: 200,
  labels: 50,
  labelKeyLength: 100,
  labelValueLength: 500,
} as const;

// Ids become `change:<id>` keys, and names are shown on one line: no control characters.
const CONTROL_FREE = '^[^\\u0000-\\u001f]+$';
const text = (maxLength: number, pattern = NO_NUL) =>
  ({ type: 'string', minLength: 1, maxLength, pattern }) as const;

/** JSON Schema (draft-07) of one native change; also published in the OpenAPI document. */
export const changeSchema = {
  $id: 'faultline/change',
  type: 'object',
  additionalProperties: false,
  required: ['entity', 'kind', 'status', 'startedAt', 'summary'],
  properties: {
    id: text(CHANGE_LIMITS.idLength, CONTROL_FREE),
    entity: text(CHANGE_LIMITS.entityLength, CONTROL_FREE),
    kind: { enum: CHANGE_KINDS },
    status: { enum: CHANGE_STATUSES },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    source: text(CHANGE_LIMITS.sourceLength, CONTROL_FREE),
    version: text(CHANGE_LIMITS.versionLength, CONTROL_FREE),
    summary: text(CHANGE_LIMITS.summaryLength),
    links: {
      type: 'array',
      maxItems: CHANGE_LIMITS.links,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['href'],
        properties: {
          href: text(CHANGE_LIMITS.hrefLength, CONTROL_FREE),
          text: text(CHANGE_LIMITS.linkTextLength),
        },
      },
    },
    labels: {
      type: 'object',
      maxProperties: CHANGE_LIMITS.labels,
      propertyNames: { maxLength: CHANGE_LIMITS.labelKeyLength, pattern: NO_NUL },
      additionalProperties: {
        type: 'string',
        maxLength: CHANGE_LIMITS.labelValueLength,
        pattern: NO_NUL,
      },
    },
  },
} as const;
