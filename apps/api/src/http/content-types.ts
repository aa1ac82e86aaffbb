import { CONSUMES_CONFIG_KEY } from '@faultline/platform';
import type { FastifyInstance, FastifyRequest, preParsingHookHandler, RouteOptions } from 'fastify';

/** Thrown by the NDJSON parser; the exception filter turns it into a 400 naming the line. */
class NdjsonError extends Error {
  readonly statusCode = 400;
  readonly code = 'FAULTLINE_INVALID_NDJSON';
}

/**
 * Thrown before the body is read when a route does not take the request's content type (or the
 * body has none); the exception filter adds `errors: [{path: '/content-type', reason: 'must be
 * one of …'}]` from the route's config.
 */
class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
  readonly code = 'FAULTLINE_UNSUPPORTED_MEDIA_TYPE';
}

/** A request with the body as it arrived, for routes that verify a signature over it. */
export interface RawBodyRequest extends FastifyRequest {
  rawBody?: string;
}

/** Health documents some formats send with their own types; read as text, by the format adapters. */
export const TEXT_BODY_TYPES = [
  'text/plain',
  'application/health+json',
  'application/vnd.spring-boot.actuator.v3+json',
  'application/vnd.spring-boot.actuator.v2+json',
];

/** `Application/JSON; charset=utf-8` → `application/json`. */
export const mediaTypeOf = (contentType: string): string =>
  contentType.split(';')[0].trim().toLowerCase();

export const isTextBodyType = (contentType: string | undefined): boolean =>
  contentType !== undefined && TEXT_BODY_TYPES.includes(mediaTypeOf(contentType));

export const JSON_TYPE = 'application/json';
export const NDJSON_TYPE = 'application/x-ndjson';

/** What a route takes, and a hint its 415 adds. */
export interface Consumes {
  types: readonly string[];
  hint?: string;
}

/**
 * The routes that take more than JSON, by `METHOD url` as registered. Every other route with a
 * body takes JSON only; a route may also say it itself with `@RouteConfig({consumes: [...]})`.
 * Keep in step with the routes' @ApiConsumes.
 */
export const ROUTE_CONSUMES: Readonly<Record<string, Consumes>> = {
  'POST /api/v1/reports': {
    types: [JSON_TYPE, NDJSON_TYPE],
    hint: 'health documents of other formats go to POST /api/v1/ingest/<format>',
  },
  'POST /api/v1/ingest/:format': { types: [JSON_TYPE, ...TEXT_BODY_TYPES] },
};
const JSON_ONLY: Consumes = { types: [JSON_TYPE] };
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A content type longer than this is cut in the 415's message. */
const SHOWN_TYPE_MAX = 100;

/** What a route takes: its own config, else the table, else JSON (routes without a body: nothing). */
export function consumesOf(
  route: Pick<RouteOptions, 'method' | 'url' | 'config'>,
): Consumes | null {
  const methods = [route.method].flat().map((m) => m.toUpperCase());
  if (!methods.some((m) => BODY_METHODS.has(m))) return null;
  const declared = (route.config as Record<string, unknown> | undefined)?.[CONSUMES_CONFIG_KEY];
  if (Array.isArray(declared) && declared.length > 0) return { types: declared as string[] };
  for (const method of methods) {
    const known = ROUTE_CONSUMES[`${method} ${route.url}`];
    if (known) return known;
  }
  return JSON_ONLY;
}

/**
 * The 415 for a request its route does not take, or null when it does. A request without a body
 * passes whatever it says (there is nothing to parse); one with a body must name a listed type.
 */
export function refusal(
  consumes: Consumes,
  headers: Record<string, string | string[] | undefined>,
): UnsupportedMediaTypeError | null {
  const header = headers['content-type'];
  const contentType = Array.isArray(header) ? header[0] : header;
  const empty =
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0');
  if (contentType === undefined ? empty : consumes.types.includes(mediaTypeOf(contentType)))
    return null;
  const given =
    contentType === undefined
      ? 'the body has no content-type'
      : contentType.length > SHOWN_TYPE_MAX
        ? `${contentType.slice(0, SHOWN_TYPE_MAX)}…`
        : contentType;
  return new UnsupportedMediaTypeError(
    `Unsupported Media Type: ${given}; this route takes ${consumes.types.join(', ')}${consumes.hint ? ` (${consumes.hint})` : ''}`,
  );
}

/**
 * The body formats the API takes: JSON (Fastify's own parser, with its prototype-poisoning
 * checks; the text is kept on the request for signature checks), NDJSON (one report a line,
 * parsed into an array), and, as plain strings, the text types of the health formats
 * (oslo's text/plain, application/health+json, Spring's actuator types).
 *
 * Each route with a body takes only its own types (`consumesOf`: NDJSON only POST
 * /api/v1/reports, the text types only the format push endpoints, JSON all of them), kept in
 * its config for the exception filter. Any other type, or a body without a content-type, is
 * refused before the body is read: 415, `errors: [{path: '/content-type', reason: 'must be one
 * of …'}]`.
 */
export function registerContentTypes(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addHook('onRoute', (route) => {
    const consumes = consumesOf(route);
    if (!consumes) return;
    route.config = { ...route.config, [CONSUMES_CONFIG_KEY]: consumes.types };
    const refuseOthers: preParsingHookHandler = (request, _reply, payload, done) => {
      const error = refusal(consumes, request.headers);
      if (error) done(error);
      else done(null, payload);
    };
    route.preParsing = [refuseOthers, ...[route.preParsing ?? []].flat()];
  });
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (req, body, done) => {
      (req as RawBodyRequest).rawBody = body as string;
      // Fastify's default parser answers through `done`; it returns nothing to await.
      void json(req, body as string, done);
    },
  );
  fastify.addContentTypeParser(
    TEXT_BODY_TYPES,
    { parseAs: 'string', bodyLimit },
    (req, body, done) => {
      (req as RawBodyRequest).rawBody = body as string;
      done(null, body);
    },
  );
  fastify.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit },
    (_req, body, done) => {
      const items: unknown[] = [];
      const lines = (body as string).split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (!line) continue;
        try {
          items.push(JSON.parse(line));
        } catch {
          done(new NdjsonError(`line ${i + 1} is not valid JSON`), undefined);
          return;
        }
      }
      done(null, items);
    },
  );
}
