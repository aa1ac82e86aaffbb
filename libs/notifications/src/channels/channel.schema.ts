import { REDACTED, redactUrl } from '@faultline/collectors';
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
          allowLinkLocal: { type: 'boolean' },
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
    /** Lets the SMTP host be a link-local or cloud-metadata address (refused by default). */
    allowLinkLocal?: boolean;
  };
}

/** Webhook URLs: a token may sit in the path (Slack, Discord, Teams), the query or userinfo. */
export const WEBHOOK_URL_CREDENTIALS = { pathTokens: true } as const;

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
  const input = body as unknown as ChannelInput;
  const errors = smtpErrors(input);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, input };
}

/**
 * What the schema cannot say about SMTP: credentials go together, and never over a session that
 * may stay in clear — with user and password, either `secure` (implicit TLS) or `requireTls`
 * (STARTTLS, the message not sent unless the session was upgraded).
 */
function smtpErrors(input: ChannelInput): FieldError[] {
  const smtp = input.type === 'email' ? input.smtp : undefined;
  if (!smtp) return [];
  const hasUser = smtp.user !== undefined;
  const hasPassword = smtp.password !== undefined;
  if (hasUser !== hasPassword)
    return [
      {
        path: hasUser ? '/smtp/password' : '/smtp/user',
        reason: 'user and password are set together',
      },
    ];
  if (hasUser && smtp.secure !== true && smtp.requireTls !== true)
    return [
      {
        path: '/smtp/requireTls',
        reason:
          'must be true when credentials are sent without implicit TLS (secure: false): they are never sent in clear',
      },
    ];
  return [];
}

/**
 * Splits a valid input into what is shown and what is sealed. A webhook or PagerDuty URL that
 * embeds a credential (redactUrl: a token in the path, the query or userinfo) is sealed as the
 * secret `url` and shown redacted in `settings.url`; Slack's URL is always a secret (its path is
 * the credential) and is shown redacted too.
 */
export function splitSecrets(input: ChannelInput): {
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
} {
  switch (input.type) {
    case 'webhook': {
      const { shown, sealed } = splitUrl(input.url as string);
      return {
        settings: { url: shown },
        secrets: { ...(input.secret ? { secret: input.secret } : {}), ...sealed },
      };
    }
    case 'slack': {
      const url = input.url as string;
      return {
        settings: { url: redactUrl(url, WEBHOOK_URL_CREDENTIALS) ?? fullyRedacted(url) },
        secrets: { url },
      };
    }
    case 'pagerduty': {
      const { shown, sealed } = input.url ? splitUrl(input.url) : { shown: undefined, sealed: {} };
      return {
        settings: shown ? { url: shown } : {},
        secrets: { routingKey: input.routingKey as string, ...sealed },
      };
    }
    case 'email': {
      const { password, ...smtp } = input.smtp as NonNullable<ChannelInput['smtp']>;
      return {
        settings: { to: input.to, smtp: { secure: false, ...smtp } },
        secrets: password ? { password } : {},
      };
    }
  }
}

/** A URL as shown, and as the secret `url` when it embeds a credential. */
function splitUrl(url: string): { shown: string; sealed: { url?: string } } {
  const redacted = redactUrl(url, WEBHOOK_URL_CREDENTIALS);
  return redacted === null ? { shown: url, sealed: {} } : { shown: redacted, sealed: { url } };
}

/** Origin and `/***`: for a URL that is a secret as a whole. */
function fullyRedacted(url: string): string {
  return `${new URL(url).origin}/${REDACTED}`;
}
