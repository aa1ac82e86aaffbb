import { STATUSES } from './status';

/** Size limits of one report; generous for real health checks, tight enough to bound memory. */
export const REPORT_LIMITS = {
  nameLength: 200,
  labels: 50,
  labelKeyLength: 100,
  labelValueLength: 500,
  checks: 200,
  targetLength: 2048,
  outputLength: 8192,
} as const;

// Service names may not contain "/" because instance keys are `instance:<service>/<instance>`.
const CONTROL_FREE = '^[^\\u0000-\\u001f]+$';
const SERVICE_NAME = '^[^/\\u0000-\\u001f]+$';
// Postgres refuses NUL in text and jsonb: one such report would block its whole batch.
export const NO_NUL = '^[^\\u0000]*$';
const name = (pattern = CONTROL_FREE) => ({
  type: 'string',
  minLength: 1,
  maxLength: REPORT_LIMITS.nameLength,
  pattern,
});

const checkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'status'],
  properties: {
    name: name(),
    target: {
      type: 'string',
      minLength: 1,
      maxLength: REPORT_LIMITS.targetLength,
      pattern: NO_NUL,
    },
    status: { enum: STATUSES },
    latencyMs: { type: 'number', minimum: 0 },
    output: { type: 'string', maxLength: REPORT_LIMITS.outputLength, pattern: NO_NUL },
  },
} as const;

/** JSON Schema (draft-07) of one native report; also published in the OpenAPI document. */
export const reportSchema = {
  $id: 'faultline/report',
  type: 'object',
  additionalProperties: false,
  required: ['service'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: REPORT_LIMITS.nameLength, pattern: NO_NUL },
    service: name(SERVICE_NAME),
    instance: name(),
    host: name(),
    labels: {
      type: 'object',
      maxProperties: REPORT_LIMITS.labels,
      propertyNames: { maxLength: REPORT_LIMITS.labelKeyLength, pattern: NO_NUL },
      additionalProperties: {
        type: 'string',
        maxLength: REPORT_LIMITS.labelValueLength,
        pattern: NO_NUL,
      },
    },
    observedAt: { type: 'string', format: 'date-time' },
    status: { enum: STATUSES },
    checks: { type: 'array', maxItems: REPORT_LIMITS.checks, items: checkSchema },
    periodic: { type: 'boolean' },
  },
} as const;
