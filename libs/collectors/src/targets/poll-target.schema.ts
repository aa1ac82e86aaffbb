import { FORMAT_NAMES } from '@faultline/formats';
import {
  type FieldError,
  InvalidTargetError,
  jsonPointer,
  parseTarget,
  toFieldError,
} from '@faultline/reports';
import Ajv from 'ajv';

import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, type PollTargetInput } from './poll-target.model';

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const stringMap = (maxProperties: number, value: object = { type: 'string', maxLength: 2000 }) =>
  ({
    type: 'object',
    maxProperties,
    propertyNames: { minLength: 1, maxLength: 200 },
    additionalProperties: value,
  }) as const;
const labelList = { type: 'array', items: name, minItems: 1, maxItems: 10 } as const;

/** Identity fields, shared with push sources. */
export const identityProperties = {
  service: name,
  instance: name,
  host: name,
  labels: stringMap(50, { type: 'string', maxLength: 200 }),
  mapping: stringMap(200, { type: 'string', minLength: 1, maxLength: 2000 }),
  labelMapping: {
    type: 'object',
    additionalProperties: false,
    properties: { service: labelList, instance: labelList, host: labelList, target: labelList },
  },
} as const;

/** The header rule, for the API docs (secret-headers.ts holds it). */
export const HEADERS_DESCRIPTION =
  "Sent with every poll; an Accept set here replaces the format's own. Secret-like headers " +
  '(Authorization, Proxy-Authorization, Cookie; any name containing auth, token, key, secret, pass, cookie, session, ' +
  'credential, signature, jwt, bearer, api or private, such as X-Api-Key; any value starting Bearer/Basic/Token/Digest) ' +
  'are stored encrypted and need FAULTLINE_SECRET_KEY (400 naming each without it); the others (Accept, User-Agent, ...) ' +
  'are stored in clear and need no key. Only header names are ever shown back.';

export const pollTargetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'service'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 100 },
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description:
        'http(s), without userinfo. A query parameter named like a credential (token, key, auth, secret, ' +
        'pass, sig, code, ...) makes the URL a secret: stored encrypted (needs FAULTLINE_SECRET_KEY, 400 ' +
        'naming /url without it) and shown back redacted, e.g. https://svc/health?token=***.',
    },
    format: { enum: ['auto', ...FORMAT_NAMES] },
    intervalMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000 },
    headers: { ...stringMap(20), description: HEADERS_DESCRIPTION },
    tlsVerify: { type: 'boolean' },
    allowLinkLocal: { type: 'boolean' },
    ...identityProperties,
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateShape = ajv.compile<PollTargetInput>(pollTargetSchema);

// Header names a poll may not set: they belong to the connection, not to the source.
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Ids of poll targets and push sources: lower-case slugs. */
export const SLUG_ID = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

export type TargetValidation =
  { ok: true; target: PollTargetInput } | { ok: false; errors: FieldError[] };

/**
 * Validates a poll target (API body or one entry of the targets file; `prefix` is its JSON
 * pointer there) and checks what a schema cannot: the URL is http(s) without credentials
 * (they belong in headers, which are sealed), the timeout is shorter than the interval (so a
 * target is never polled twice at once), mapping values are check targets.
 */
export function validatePollTarget(body: unknown, prefix = ''): TargetValidation {
  if (!validateShape(body))
    return {
      ok: false,
      errors: (validateShape.errors ?? []).map((e) => toFieldError(prefix, e, 'an object')),
    };
  const errors: FieldError[] = [];
  if (body.id !== undefined && !SLUG_ID.test(body.id))
    errors.push({
      path: `${prefix}/id`,
      reason: 'must be a lower-case slug: letters, digits, . _ - (starting with a letter or digit)',
    });
  let url: URL | null = null;
  try {
    url = new URL(body.url);
  } catch {
    errors.push({ path: `${prefix}/url`, reason: 'is not a URL' });
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:')
    errors.push({ path: `${prefix}/url`, reason: 'must be http or https' });
  if (url && (url.username || url.password))
    errors.push({
      path: `${prefix}/url`,
      reason: 'must not carry credentials: put them in headers, which are stored encrypted',
    });
  const intervalMs = body.intervalMs ?? DEFAULT_INTERVAL_MS;
  const timeoutMs = body.timeoutMs ?? Math.min(DEFAULT_TIMEOUT_MS, Math.floor(intervalMs / 2));
  if (timeoutMs >= intervalMs)
    errors.push({
      path: `${prefix}/timeoutMs`,
      reason: 'must be shorter than intervalMs, so that a target is never polled twice at once',
    });
  for (const header of Object.keys(body.headers ?? {})) {
    const path = jsonPointer(`${prefix}/headers`, header);
    if (!HEADER_NAME.test(header)) errors.push({ path, reason: 'is not a valid header name' });
    else if (FORBIDDEN_HEADERS.has(header.toLowerCase()))
      errors.push({ path, reason: 'is set by the poller itself' });
  }
  errors.push(...mappingErrors(body.mapping, prefix));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, target: { ...body, intervalMs, timeoutMs } };
}

/** Every mapping value must name a check target the intake accepts. */
export function mappingErrors(
  mapping: Record<string, string> | undefined,
  prefix: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [component, target] of Object.entries(mapping ?? {})) {
    try {
      parseTarget(target);
    } catch (e) {
      if (!(e instanceof InvalidTargetError)) throw e;
      errors.push({ path: jsonPointer(`${prefix}/mapping`, component), reason: e.message });
    }
  }
  return errors;
}
