import { type FieldError, toFieldError } from '@faultline/reports';
import Ajv from 'ajv';

import type { ChannelType } from './channel.model';

const httpUrl = { type: 'string', minLength: 8, maxLength: 2048, pattern: '^https?://' } as const;
const common = {
  type: { enum: ['webhook', 'slack', 'pagerduty', 'email'] },
  name: { type: 'string', minLength: 1, maxLength: 100 },
  ratePerMinute: { type: 'integer', minimum: 1, maximum: 10_000 },
} as const;

const schemas: Record<ChannelType, object> = {
  webhook: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'name', 'url'],
    properties: {
      ...common,
      url: httpUrl,
      secret: { type: 'string', minLength: 16, maxLength: 200 },
    },
  },
  slack: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'name', 'url'],
    properties: { ...common, url: httpUrl },
  },
  pagerduty: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'name', 'routingKey'],
    properties: {
      ...common,
      routingKey: { type: 'string', minLength: 1, maxLength: 100 },
      url: httpUrl,
    },
  },
  email: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'name', 'to', 'smtp'],
    properties: {
      ...common,
      to: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        items: { type: 'string', format: 'email', maxLength: 320 },
      },
      smtp: {
        type: 'object',
        additionalProperties: false,
        required: ['host', 'port', 'from'],
        properties: {
          host: { type: 'string', minLength: 1, maxLength: 253 },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          secure: { type: 'boolean' },
          requireTls: { type: 'boolean' },
          user: { type: 'string', maxLength: 320 },
          password: { type: 'string', maxLength: 1000 },
          from: { type: 'string', minLength: 3, maxLength: 320 },
          tlsVerify: { type: 'boolean' },
        },
      },
    },
  },
};

const ajv = new Ajv({
  allErrors: true,
  strict: false,
  formats: { email: /^[^\s@<>]+@[^\s@<>]+$/ },
});
const validators = Object.fromEntries(
  Object.entries(schemas).map(([t, s]) => [t, ajv.compile(s)]),
) as Record<ChannelType, ReturnType<typeof ajv.compile>>;

export interface ChannelInput {
  type: ChannelType;
  name: string;
  ratePerMinute?: number;
  url?: string;
  secret?: string;
  routingKey?: string;
  to?: string[];
  smtp?: {
    host: string;
    port: number;
    secure?: boolean;
    requireTls?: boolean;
    user?: string;
    password?: string;
    from: string;
    tlsVerify?: boolean;
  };
}

export type ChannelValidation =
  { ok: true; input: ChannelInput } | { ok: false; errors: FieldError[] };

/** Validates a channel body against the schema of its type; errors name the field. */
export function validateChannel(body: unknown): ChannelValidation {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, errors: [{ path: '', reason: 'must be a channel object' }] };
  if (typeof type !== 'string' || !(type in validators))
    return {
      ok: false,
      errors: [{ path: '/type', reason: 'must be one of webhook, slack, pagerduty, email' }],
    };
  const validate = validators[type as ChannelType];
  if (!validate(body)) {
    return {
      ok: false,
      errors: (validate.errors ?? []).map((e) =>
        e.keyword === 'pattern'
          ? { path: e.instancePath, reason: 'must be an http(s) URL' }
          : toFieldError('', e, 'an object'),
      ),
    };
  }
  return { ok: true, input: body as unknown as ChannelInput };
}

/** Splits a valid input into what is shown and what is sealed. */
export function splitSecrets(input: ChannelInput): {
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
} {
  switch (input.type) {
    case 'webhook':
      return {
        settings: { url: input.url },
        secrets: input.secret ? { secret: input.secret } : {},
      };
    case 'slack':
      return { settings: {}, secrets: { url: input.url as string } };
    case 'pagerduty':
      return {
        settings: input.url ? { url: input.url } : {},
        secrets: { routingKey: input.routingKey as string },
      };
    case 'email': {
      const { password, ...smtp } = input.smtp as NonNullable<ChannelInput['smtp']>;
      return {
        settings: { to: input.to, smtp: { secure: false, ...smtp } },
        secrets: password ? { password } : {},
      };
    }
  }
}
